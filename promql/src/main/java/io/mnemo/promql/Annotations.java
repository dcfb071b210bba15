package io.mnemo.promql;

import io.mnemo.promql.ast.PositionRange;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The warnings and infos a query produced, as Prometheus returns them next to the result. Each
 * note is kept once per message (a later note with the same message replaces the earlier one, as
 * in Prometheus); rendered with the query text, a note ends with the position of the expression it
 * is about, e.g. {@code PromQL info: metric might not be a counter, ... "foo" (1:6)}.
 */
public final class Annotations {
    public enum Severity { WARNING, INFO }

    /** One note. {@link #message()} carries Prometheus's prefix ("PromQL warning: ..."). */
    public interface Annotation {
        Severity severity();

        String message();

        PositionRange position();

        /** The note merged with an earlier one of the same message; most notes just replace it. */
        default Annotation mergeWith(Annotation earlier) { return this; }

        /** The message as shown to users: with the position of its expression when the query is known. */
        default String render(String query) {
            if (query == null || query.isEmpty()) return message();
            return message() + " (" + positionText(position(), query) + ")";
        }
    }

    /** A plain note: a message about the expression at a position. */
    public record Note(Severity severity, String message, PositionRange position) implements Annotation {}

    private final Map<String, Annotation> notes = new LinkedHashMap<>();

    public void add(Annotation a) {
        notes.merge(a.message(), a, (earlier, later) -> later.mergeWith(earlier));
    }

    public void warn(String message, PositionRange position) {
        add(new Note(Severity.WARNING, "PromQL warning: " + message, position));
    }

    public void info(String message, PositionRange position) {
        add(new Note(Severity.INFO, "PromQL info: " + message, position));
    }

    public void addAll(Annotations other) {
        for (Annotation a : other.notes.values()) add(a);
    }

    public boolean isEmpty() { return notes.isEmpty(); }

    public Collection<Annotation> all() { return notes.values(); }

    /** Warnings rendered for the query they came from. */
    public List<String> warnings(String query) { return render(Severity.WARNING, query); }

    /** Infos rendered for the query they came from. */
    public List<String> infos(String query) { return render(Severity.INFO, query); }

    private List<String> render(Severity severity, String query) {
        List<String> out = new ArrayList<>();
        for (Annotation a : notes.values()) if (a.severity() == severity) out.add(a.render(query));
        return out;
    }

    /** Prometheus's {@code line:column} of a position (column in bytes, both 1-based). */
    public static String positionText(PositionRange r, String query) {
        int pos = r.start();
        if (pos < 0 || pos > query.length()) return "invalid position";
        int line = 1;
        int lineStart = 0;
        for (int i = 0; i < pos; i++) {
            if (query.charAt(i) == '\n') {
                line++;
                lineStart = i + 1;
            }
        }
        return line + ":" + (query.substring(lineStart, pos).getBytes(StandardCharsets.UTF_8).length + 1);
    }
}
