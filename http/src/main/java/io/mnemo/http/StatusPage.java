package io.mnemo.http;

import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpResponse;

/**
 * A component's status, written once and served two ways: JSON for programs ({@code Accept:
 * application/json}) and a plain HTML page for people. It holds named fields, sections of fields
 * and tables; values are strings, numbers, booleans, lists of those, or null.
 */
final class StatusPage {
    /** Named fields, shown as one two-column table in HTML and one JSON object. */
    static final class Section {
        final Map<String, Object> fields = new LinkedHashMap<>();

        Section field(String name, Object value) {
            fields.put(name, value);
            return this;
        }
    }

    /** Rows with fixed columns: a JSON array of objects, an HTML table. */
    static final class Table {
        final List<String> columns;
        final List<Object[]> rows = new ArrayList<>();

        Table(List<String> columns) {
            this.columns = columns;
        }

        Table row(Object... values) {
            if (values.length != columns.size()) throw new IllegalArgumentException("expected " + columns + " values");
            rows.add(values);
            return this;
        }
    }

    private final String title;
    private final Section top = new Section();
    private final Map<String, Object> parts = new LinkedHashMap<>();

    StatusPage(String title) {
        this.title = title;
    }

    StatusPage field(String name, Object value) {
        top.field(name, value);
        return this;
    }

    Section section(String name) {
        return (Section) parts.computeIfAbsent(name, k -> new Section());
    }

    Table table(String name, String... columns) {
        Table t = new Table(List.of(columns));
        parts.put(name, t);
        return t;
    }

    HttpResponse render(boolean json) {
        return json
                ? HttpResponse.create().withEntity(HttpEntities.create(ContentTypes.APPLICATION_JSON, json()))
                : HttpResponse.create().withEntity(HttpEntities.create(ContentTypes.TEXT_HTML_UTF8, html()));
    }

    private byte[] json() {
        return PrometheusJson.write(g -> {
            g.writeStartObject();
            writeFields(g, top);
            for (Map.Entry<String, Object> part : parts.entrySet()) {
                g.writeFieldName(part.getKey());
                if (part.getValue() instanceof Section s) {
                    g.writeStartObject();
                    writeFields(g, s);
                    g.writeEndObject();
                } else {
                    Table t = (Table) part.getValue();
                    g.writeStartArray();
                    for (Object[] row : t.rows) {
                        g.writeStartObject();
                        for (int i = 0; i < row.length; i++) {
                            g.writeFieldName(t.columns.get(i));
                            writeValue(g, row[i]);
                        }
                        g.writeEndObject();
                    }
                    g.writeEndArray();
                }
            }
            g.writeEndObject();
        });
    }

    private static void writeFields(JsonGenerator g, Section s) throws IOException {
        for (Map.Entry<String, Object> f : s.fields.entrySet()) {
            g.writeFieldName(f.getKey());
            writeValue(g, f.getValue());
        }
    }

    private static void writeValue(JsonGenerator g, Object v) throws IOException {
        if (v == null) g.writeNull();
        else if (v instanceof Boolean b) g.writeBoolean(b);
        else if (v instanceof Integer || v instanceof Long) g.writeNumber(((Number) v).longValue());
        else if (v instanceof Number n) g.writeNumber(n.doubleValue());
        else if (v instanceof List<?> list) {
            g.writeStartArray();
            for (Object item : list) writeValue(g, item);
            g.writeEndArray();
        } else g.writeString(v.toString());
    }

    private String html() {
        StringBuilder sb = new StringBuilder(4096);
        sb.append("<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>").append(escape(title))
                .append("</title><style>body{font-family:sans-serif}table{border-collapse:collapse;margin-bottom:1em}")
                .append("td,th{border:1px solid #ccc;padding:4px 8px;text-align:left}</style></head><body><h1>")
                .append(escape(title)).append("</h1>");
        fieldsHtml(sb, top);
        for (Map.Entry<String, Object> part : parts.entrySet()) {
            sb.append("<h2>").append(escape(part.getKey())).append("</h2>");
            if (part.getValue() instanceof Section s) {
                fieldsHtml(sb, s);
            } else {
                Table t = (Table) part.getValue();
                sb.append("<table><tr>");
                for (String c : t.columns) sb.append("<th>").append(escape(c)).append("</th>");
                sb.append("</tr>");
                for (Object[] row : t.rows) {
                    sb.append("<tr>");
                    for (Object v : row) sb.append("<td>").append(text(v)).append("</td>");
                    sb.append("</tr>");
                }
                sb.append("</table>");
            }
        }
        return sb.append("</body></html>").toString();
    }

    private static void fieldsHtml(StringBuilder sb, Section s) {
        if (s.fields.isEmpty()) return;
        sb.append("<table>");
        s.fields.forEach((k, v) -> sb.append("<tr><th>").append(escape(k)).append("</th><td>")
                .append(text(v)).append("</td></tr>"));
        sb.append("</table>");
    }

    /** A value as HTML text; null (unknown, none) as an empty cell, a list comma-separated. */
    private static String text(Object v) {
        if (v instanceof List<?> list) {
            return escape(String.join(", ", list.stream().map(String::valueOf).toList()));
        }
        return v == null ? "" : escape(v.toString());
    }

    static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
