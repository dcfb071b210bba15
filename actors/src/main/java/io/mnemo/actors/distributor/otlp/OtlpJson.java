package io.mnemo.actors.distributor.otlp;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import io.mnemo.actors.distributor.RemoteWriteException;
import io.mnemo.actors.wire.ProtobufWriter;
import java.io.IOException;
import java.util.Base64;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;

/**
 * OTLP/JSON metrics as the protobuf {@code ExportMetricsServiceRequest} they stand for, so that one
 * translator ({@link OtlpTranslator}) reads both encodings. Follows OTLP's JSON mapping: keys in
 * lowerCamelCase or the proto's snake_case, unknown keys ignored, 64-bit integers as strings or
 * numbers, doubles also as {@code "NaN"}, {@code "Infinity"}, {@code "-Infinity"}, enums as numbers
 * or names, {@code traceId}/{@code spanId} in hex (not base64), other bytes in base64. The schema
 * is the metrics part of opentelemetry-proto, by field number. Not thread-safe.
 */
public final class OtlpJson {
    private enum Type { MESSAGE, STRING, BOOL, VARINT, SINT, FIXED64, DOUBLE, BASE64, HEX, TEMPORALITY }

    private record Field(int number, Type type, String message) {}

    private static final Map<String, Map<String, Field>> SCHEMA = new HashMap<>();
    private static final JsonFactory JSON = new JsonFactory();

    static {
        message("ExportMetricsServiceRequest", "resourceMetrics", 1, "ResourceMetrics");
        message("ResourceMetrics", "resource", 1, "Resource", "scopeMetrics", 2, "ScopeMetrics", "schemaUrl", 3, Type.STRING);
        message("Resource", "attributes", 1, "KeyValue", "droppedAttributesCount", 2, Type.VARINT);
        message("ScopeMetrics", "scope", 1, "InstrumentationScope", "metrics", 2, "Metric", "schemaUrl", 3, Type.STRING);
        message("InstrumentationScope", "name", 1, Type.STRING, "version", 2, Type.STRING, "attributes", 3, "KeyValue",
                "droppedAttributesCount", 4, Type.VARINT);
        message("Metric", "name", 1, Type.STRING, "description", 2, Type.STRING, "unit", 3, Type.STRING,
                "gauge", 5, "Gauge", "sum", 7, "Sum", "histogram", 9, "Histogram",
                "exponentialHistogram", 10, "ExponentialHistogram", "summary", 11, "Summary", "metadata", 12, "KeyValue");
        message("Gauge", "dataPoints", 1, "NumberDataPoint");
        message("Sum", "dataPoints", 1, "NumberDataPoint", "aggregationTemporality", 2, Type.TEMPORALITY, "isMonotonic", 3, Type.BOOL);
        message("Histogram", "dataPoints", 1, "HistogramDataPoint", "aggregationTemporality", 2, Type.TEMPORALITY);
        message("ExponentialHistogram", "dataPoints", 1, "ExponentialHistogramDataPoint", "aggregationTemporality", 2, Type.TEMPORALITY);
        message("Summary", "dataPoints", 1, "SummaryDataPoint");
        message("NumberDataPoint", "attributes", 7, "KeyValue", "startTimeUnixNano", 2, Type.FIXED64,
                "timeUnixNano", 3, Type.FIXED64, "asDouble", 4, Type.DOUBLE, "asInt", 6, Type.FIXED64,
                "exemplars", 5, "Exemplar", "flags", 8, Type.VARINT);
        message("HistogramDataPoint", "attributes", 9, "KeyValue", "startTimeUnixNano", 2, Type.FIXED64,
                "timeUnixNano", 3, Type.FIXED64, "count", 4, Type.FIXED64, "sum", 5, Type.DOUBLE,
                "bucketCounts", 6, Type.FIXED64, "explicitBounds", 7, Type.DOUBLE, "exemplars", 8, "Exemplar",
                "flags", 10, Type.VARINT, "min", 11, Type.DOUBLE, "max", 12, Type.DOUBLE);
        message("ExponentialHistogramDataPoint", "attributes", 1, "KeyValue", "startTimeUnixNano", 2, Type.FIXED64,
                "timeUnixNano", 3, Type.FIXED64, "count", 4, Type.FIXED64, "sum", 5, Type.DOUBLE, "scale", 6, Type.SINT,
                "zeroCount", 7, Type.FIXED64, "positive", 8, "Buckets", "negative", 9, "Buckets", "flags", 10, Type.VARINT,
                "exemplars", 11, "Exemplar", "min", 12, Type.DOUBLE, "max", 13, Type.DOUBLE, "zeroThreshold", 14, Type.DOUBLE);
        message("Buckets", "offset", 1, Type.SINT, "bucketCounts", 2, Type.VARINT);
        message("SummaryDataPoint", "attributes", 7, "KeyValue", "startTimeUnixNano", 2, Type.FIXED64,
                "timeUnixNano", 3, Type.FIXED64, "count", 4, Type.FIXED64, "sum", 5, Type.DOUBLE,
                "quantileValues", 6, "ValueAtQuantile", "flags", 8, Type.VARINT);
        message("ValueAtQuantile", "quantile", 1, Type.DOUBLE, "value", 2, Type.DOUBLE);
        message("Exemplar", "filteredAttributes", 7, "KeyValue", "timeUnixNano", 2, Type.FIXED64,
                "asDouble", 3, Type.DOUBLE, "asInt", 6, Type.FIXED64, "spanId", 4, Type.HEX, "traceId", 5, Type.HEX);
        message("KeyValue", "key", 1, Type.STRING, "value", 2, "AnyValue");
        message("AnyValue", "stringValue", 1, Type.STRING, "boolValue", 2, Type.BOOL, "intValue", 3, Type.VARINT,
                "doubleValue", 4, Type.DOUBLE, "arrayValue", 5, "ArrayValue", "kvlistValue", 6, "KeyValueList",
                "bytesValue", 7, Type.BASE64);
        message("ArrayValue", "values", 1, "AnyValue");
        message("KeyValueList", "values", 1, "KeyValue");
    }

    /** Declares a message: triples of JSON name, field number, and a Type or a message name. */
    private static void message(String name, Object... fields) {
        Map<String, Field> byName = new HashMap<>();
        for (int i = 0; i < fields.length; i += 3) {
            String json = (String) fields[i];
            Field f = fields[i + 2] instanceof Type t ? new Field((Integer) fields[i + 1], t, null)
                    : new Field((Integer) fields[i + 1], Type.MESSAGE, (String) fields[i + 2]);
            byName.put(json, f);
            byName.put(snakeCase(json), f);
        }
        SCHEMA.put(name, byName);
    }

    private static String snakeCase(String camel) {
        StringBuilder b = new StringBuilder();
        for (char c : camel.toCharArray()) {
            if (Character.isUpperCase(c)) b.append('_').append(Character.toLowerCase(c));
            else b.append(c);
        }
        return b.toString();
    }

    private final ProtobufWriter out = new ProtobufWriter(64 << 10);

    /**
     * The request of {@code json[offset, offset+length)} in protobuf: {@link #buffer()}{@code [0, size)}.
     *
     * @return the size
     * @throws RemoteWriteException naming what is wrong and where
     */
    public int toProtobuf(byte[] json, int offset, int length) {
        out.reset();
        try (JsonParser p = JSON.createParser(json, offset, length)) {
            if (p.nextToken() != JsonToken.START_OBJECT) throw error(p, "the request is not a JSON object");
            message(p, "ExportMetricsServiceRequest");
            if (p.nextToken() != null) throw error(p, "data after the request object");
        } catch (JsonProcessingException e) {
            throw new RemoteWriteException("malformed OTLP JSON: " + e.getOriginalMessage() + location(e.getLocation()), e);
        } catch (IOException e) {
            throw new RemoteWriteException("malformed OTLP JSON: " + e.getMessage(), e);
        }
        return out.size();
    }

    public byte[] buffer() { return out.buffer(); }

    private void message(JsonParser p, String type) throws IOException {
        Map<String, Field> fields = SCHEMA.get(type);
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            JsonToken t = p.nextToken();
            Field f = fields.get(name);
            if (f == null || t == JsonToken.VALUE_NULL) {
                p.skipChildren(); // unknown keys are ignored, as OTLP asks of receivers
                continue;
            }
            if (t == JsonToken.START_ARRAY) {
                while (p.nextToken() != JsonToken.END_ARRAY) value(p, f, type + "." + name);
            } else {
                value(p, f, type + "." + name);
            }
        }
    }

    private void value(JsonParser p, Field f, String what) throws IOException {
        JsonToken t = p.currentToken();
        switch (f.type()) {
            case MESSAGE -> {
                if (t != JsonToken.START_OBJECT) throw error(p, what + " must be an object");
                int m = out.beginMessage(f.number());
                message(p, f.message());
                out.endMessage(m);
            }
            case STRING -> {
                if (t != JsonToken.VALUE_STRING) throw error(p, what + " must be a string");
                out.stringField(f.number(), p.getText());
            }
            case BOOL -> {
                if (t != JsonToken.VALUE_TRUE && t != JsonToken.VALUE_FALSE) throw error(p, what + " must be true or false");
                out.boolField(f.number(), t == JsonToken.VALUE_TRUE);
            }
            case VARINT -> out.uint64Field(f.number(), integer(p, what));
            case SINT -> out.sint64Field(f.number(), integer(p, what));
            case FIXED64 -> out.fixed64Field(f.number(), integer(p, what));
            case DOUBLE -> out.doubleField(f.number(), dbl(p, what));
            case BASE64 -> {
                if (t != JsonToken.VALUE_STRING) throw error(p, what + " must be a base64 string");
                try {
                    out.bytesField(f.number(), Base64.getDecoder().decode(p.getText()));
                } catch (IllegalArgumentException e) {
                    out.bytesField(f.number(), decodeUrlBase64(p, what));
                }
            }
            case HEX -> {
                if (t != JsonToken.VALUE_STRING) throw error(p, what + " must be a hex string");
                try {
                    out.bytesField(f.number(), HexFormat.of().parseHex(p.getText()));
                } catch (IllegalArgumentException e) {
                    throw error(p, what + " \"" + p.getText() + "\" is not hex (OTLP/JSON sends trace and span ids in hex)");
                }
            }
            case TEMPORALITY -> {
                if (t == JsonToken.VALUE_STRING && !isInteger(p.getText())) {
                    int v = switch (p.getText()) {
                        case "AGGREGATION_TEMPORALITY_UNSPECIFIED" -> 0;
                        case "AGGREGATION_TEMPORALITY_DELTA" -> 1;
                        case "AGGREGATION_TEMPORALITY_CUMULATIVE" -> 2;
                        default -> throw error(p, what + " \"" + p.getText() + "\" is not an AggregationTemporality");
                    };
                    out.uint64Field(f.number(), v);
                } else {
                    out.uint64Field(f.number(), integer(p, what));
                }
            }
        }
    }

    private byte[] decodeUrlBase64(JsonParser p, String what) throws IOException {
        try {
            return Base64.getUrlDecoder().decode(p.getText());
        } catch (IllegalArgumentException e) {
            throw error(p, what + " is not base64");
        }
    }

    /** An integer as a JSON number or string; unsigned 64-bit values above 2^63 wrap, as on the wire. */
    private static long integer(JsonParser p, String what) throws IOException {
        JsonToken t = p.currentToken();
        try {
            if (t == JsonToken.VALUE_NUMBER_INT) return p.getBigIntegerValue().longValue();
            if (t == JsonToken.VALUE_STRING) return new java.math.BigInteger(p.getText().trim()).longValue();
            if (t == JsonToken.VALUE_NUMBER_FLOAT && p.getDoubleValue() == Math.rint(p.getDoubleValue())) {
                return p.getDecimalValue().toBigIntegerExact().longValue();
            }
        } catch (NumberFormatException | ArithmeticException e) {
            // fall through
        }
        throw error(p, what + " must be an integer (a number or a string of digits), not " + p.getText());
    }

    private static double dbl(JsonParser p, String what) throws IOException {
        JsonToken t = p.currentToken();
        if (t == JsonToken.VALUE_NUMBER_INT || t == JsonToken.VALUE_NUMBER_FLOAT) return p.getDoubleValue();
        if (t == JsonToken.VALUE_STRING) {
            switch (p.getText()) {
                case "NaN": return Double.NaN;
                case "Infinity": return Double.POSITIVE_INFINITY;
                case "-Infinity": return Double.NEGATIVE_INFINITY;
                default:
                    try {
                        return Double.parseDouble(p.getText());
                    } catch (NumberFormatException e) {
                        // fall through
                    }
            }
        }
        throw error(p, what + " must be a number, not " + p.getText());
    }

    private static boolean isInteger(String s) {
        return !s.isEmpty() && s.chars().allMatch(c -> c == '-' || (c >= '0' && c <= '9'));
    }

    private static RemoteWriteException error(JsonParser p, String message) {
        return new RemoteWriteException("malformed OTLP JSON: " + message + location(p.currentLocation()));
    }

    private static String location(com.fasterxml.jackson.core.JsonLocation l) {
        return l == null ? "" : " at line " + l.getLineNr() + ", column " + l.getColumnNr();
    }
}
