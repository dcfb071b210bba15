package io.mnemo.http;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.mnemo.tsdb.GoFloats;
import io.mnemo.tsdb.Labels;
import io.mnemo.tsdb.histogram.FloatHistogram;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;

/**
 * Writes the Prometheus API's JSON envelope ({@code status}, {@code data}, {@code warnings},
 * errors) with numbers formatted exactly as Prometheus formats them.
 */
final class PrometheusJson {
    private static final JsonFactory FACTORY = new JsonFactory();

    /** Writes the {@code data} member's value. */
    @FunctionalInterface
    interface DataWriter {
        void write(JsonGenerator g) throws IOException;
    }

    private PrometheusJson() {}

    static byte[] success(DataWriter data, List<String> warnings) {
        return success(data, warnings, null);
    }

    /** The success envelope with Prometheus's {@code warnings} and {@code infos} when there are any. */
    static byte[] success(DataWriter data, List<String> warnings, List<String> infos) {
        return write(g -> {
            g.writeStartObject();
            g.writeStringField("status", "success");
            g.writeFieldName("data");
            data.write(g);
            writeStrings(g, "warnings", warnings);
            writeStrings(g, "infos", infos);
            g.writeEndObject();
        });
    }

    private static void writeStrings(JsonGenerator g, String field, List<String> values) throws IOException {
        if (values == null || values.isEmpty()) return;
        g.writeArrayFieldStart(field);
        for (String v : values) g.writeString(v);
        g.writeEndArray();
    }

    static byte[] error(String errorType, String message) {
        return write(g -> {
            g.writeStartObject();
            g.writeStringField("status", "error");
            g.writeStringField("errorType", errorType);
            g.writeStringField("error", message);
            g.writeEndObject();
        });
    }

    static byte[] write(DataWriter w) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(1024);
        try (JsonGenerator g = FACTORY.createGenerator(out, JsonEncoding.UTF8)) {
            w.write(g);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    static void writeLabels(JsonGenerator g, Labels labels) throws IOException {
        g.writeStartObject();
        for (int i = 0; i < labels.size(); i++) g.writeStringField(labels.name(i), labels.value(i));
        g.writeEndObject();
    }

    static void writeStrings(JsonGenerator g, List<String> values) throws IOException {
        g.writeStartArray();
        for (String v : values) g.writeString(v);
        g.writeEndArray();
    }

    /** A millisecond timestamp as Prometheus writes it: seconds with a three-digit fraction if any. */
    static String timestamp(long t) {
        StringBuilder sb = new StringBuilder(16);
        if (t < 0) {
            sb.append('-');
            t = -t;
        }
        sb.append(t / 1000);
        long fraction = t % 1000;
        if (fraction != 0) {
            sb.append('.');
            if (fraction < 100) sb.append('0');
            if (fraction < 10) sb.append('0');
            sb.append(fraction);
        }
        return sb.toString();
    }

    /** A sample value as Prometheus writes it: Go's strconv.FormatFloat(v, 'f', -1, 64). */
    static String value(double v) {
        // Integral values are most samples (counters); skip the general shortest-decimal search.
        if (v == Math.rint(v) && Math.abs(v) < 1e15 && (v != 0 || Double.doubleToRawLongBits(v) == 0)) {
            return Long.toString((long) v);
        }
        return GoFloats.formatPlain(v);
    }

    /**
     * A [timestamp, histogram] pair, the histogram as the Prometheus API writes a native one:
     * {@code {"count": "..", "sum": "..", "buckets": [[rule, "lower", "upper", "count"], ...]}},
     * buckets in increasing order, only the populated ones, the key left out when none is. The
     * rule says which bounds are in the bucket: 0 the upper only, 1 the lower only, 2 neither,
     * 3 both.
     */
    static void writeHistogramPoint(JsonGenerator g, long t, FloatHistogram h) throws IOException {
        g.writeStartArray();
        g.writeNumber(timestamp(t));
        g.writeStartObject();
        g.writeStringField("count", value(h.count()));
        g.writeStringField("sum", value(h.sum()));
        boolean any = false;
        for (FloatHistogram.Bucket b : h.allBuckets()) {
            if (b.count() == 0) continue;
            if (!any) g.writeArrayFieldStart("buckets");
            any = true;
            g.writeStartArray();
            g.writeNumber(b.lowerInclusive() ? (b.upperInclusive() ? 3 : 1) : (b.upperInclusive() ? 0 : 2));
            g.writeString(value(b.lower()));
            g.writeString(value(b.upper()));
            g.writeString(value(b.count()));
            g.writeEndArray();
        }
        if (any) g.writeEndArray();
        g.writeEndObject();
        g.writeEndArray();
    }

    /** A [timestamp, "value"] pair. */
    static void writePoint(JsonGenerator g, long t, double v) throws IOException {
        g.writeStartArray();
        g.writeNumber(timestamp(t));
        g.writeString(value(v));
        g.writeEndArray();
    }
}
