package io.mnemo.http;

import java.util.Locale;

/**
 * Which remote-write message a push carries, from its Content-Type and Content-Encoding, as the
 * remote write 2.0 spec and Prometheus's receiver decide: {@code application/x-protobuf} without
 * a {@code proto} parameter, or with {@code proto=prometheus.WriteRequest}, is remote write 1.0;
 * so is a push without a Content-Type (old senders; Prometheus's receiver assumes 1.0 too). Mnemo
 * reads only 1.0: {@code proto=io.prometheus.write.v2.Request} is answered 415, on which
 * Prometheus's sender falls back to 1.0 by itself, and so is any other media type. The body must
 * be snappy-compressed; a missing Content-Encoding means snappy, as in Prometheus.
 */
final class RemoteWriteNegotiation {
    static final String PROTOBUF = "application/x-protobuf";
    static final String V1 = "prometheus.WriteRequest";
    static final String V2 = "io.prometheus.write.v2.Request";

    private RemoteWriteNegotiation() {}

    /**
     * Null when the push is remote write 1.0 in snappy, else the message of the 415 answer.
     *
     * @param contentType     the Content-Type as sent, null or blank when there is none
     * @param contentEncoding the Content-Encoding as sent, null or blank when there is none
     */
    static String refusal(String contentType, String contentEncoding) {
        String type = contentTypeRefusal(contentType);
        if (type != null) return type;
        if (contentEncoding != null && !contentEncoding.isBlank() && !contentEncoding.trim().equalsIgnoreCase("snappy")) {
            return "unsupported Content-Encoding \"" + contentEncoding + "\": remote write bodies are snappy-compressed"
                    + " (Content-Encoding: snappy)";
        }
        return null;
    }

    private static String contentTypeRefusal(String contentType) {
        if (contentType == null || contentType.isBlank()) return null;
        String[] parts = contentType.split(";", -1); // -1: ";" is two empty parts, not none
        if (!parts[0].trim().toLowerCase(Locale.ROOT).equals(PROTOBUF)) {
            return "unsupported Content-Type \"" + contentType + "\": remote write is " + PROTOBUF
                    + " (remote write 1.0: " + PROTOBUF + ";proto=" + V1 + ")";
        }
        for (int i = 1; i < parts.length; i++) {
            int eq = parts[i].indexOf('=');
            if (eq < 0 || !parts[i].substring(0, eq).trim().equalsIgnoreCase("proto")) continue;
            String proto = unquote(parts[i].substring(eq + 1).trim());
            if (proto.equals(V1)) return null;
            if (proto.equals(V2)) {
                return "remote write 2.0 (" + V2 + ") is not supported yet: send remote write 1.0 (Content-Type: " + PROTOBUF
                        + ";proto=" + V1 + "); Prometheus falls back to 1.0 on this answer by itself";
            }
            return "unsupported remote write message \"" + proto + "\" in Content-Type \"" + contentType
                    + "\": Mnemo accepts " + V1 + " (remote write 1.0)";
        }
        return null; // no proto parameter: 1.0
    }

    private static String unquote(String s) {
        return s.length() >= 2 && s.startsWith("\"") && s.endsWith("\"") ? s.substring(1, s.length() - 1) : s;
    }
}
