package io.mnemo.http;

import io.mnemo.actors.distributor.RemoteWriteVersion;
import java.util.Locale;

/**
 * Which remote-write message a push carries, from its Content-Type and Content-Encoding, as the
 * remote write 2.0 spec and Prometheus 3's receiver decide: {@code application/x-protobuf} without
 * a {@code proto} parameter, or with {@code proto=prometheus.WriteRequest}, is remote write 1.0;
 * so is a push without a Content-Type (old senders; Prometheus's receiver assumes 1.0 too);
 * {@code proto=io.prometheus.write.v2.Request} is remote write 2.0. Any other media type or
 * {@code proto} is answered 415 naming what is accepted (a 2.0 sender may then fall back). The
 * body must be snappy-compressed; a missing Content-Encoding means snappy, as in Prometheus.
 */
final class RemoteWriteNegotiation {
    static final String PROTOBUF = "application/x-protobuf";
    private static final String ACCEPTED = PROTOBUF + " with proto=" + RemoteWriteVersion.V1.message()
            + " (remote write 1.0, also without a proto parameter) or proto=" + RemoteWriteVersion.V2.message()
            + " (remote write 2.0)";

    /** The outcome: the message version to read, or the message of the 415 answer. */
    record Outcome(RemoteWriteVersion version, String refusal) {
        boolean refused() { return refusal != null; }
    }

    private RemoteWriteNegotiation() {}

    /**
     * @param contentType     the Content-Type as sent, null or blank when there is none
     * @param contentEncoding the Content-Encoding as sent, null or blank when there is none
     */
    static Outcome negotiate(String contentType, String contentEncoding) {
        Outcome type = byContentType(contentType);
        if (type.refused()) return type;
        if (contentEncoding != null && !contentEncoding.isBlank() && !contentEncoding.trim().equalsIgnoreCase("snappy")) {
            return refused("unsupported Content-Encoding \"" + contentEncoding + "\": remote write bodies are snappy-compressed"
                    + " (Content-Encoding: snappy)");
        }
        return type;
    }

    private static Outcome byContentType(String contentType) {
        if (contentType == null || contentType.isBlank()) return new Outcome(RemoteWriteVersion.V1, null);
        String[] parts = contentType.split(";", -1); // -1: ";" is two empty parts, not none
        if (!parts[0].trim().toLowerCase(Locale.ROOT).equals(PROTOBUF)) {
            return refused("unsupported Content-Type \"" + contentType + "\": Mnemo accepts " + ACCEPTED);
        }
        for (int i = 1; i < parts.length; i++) {
            int eq = parts[i].indexOf('=');
            if (eq < 0 || !parts[i].substring(0, eq).trim().equalsIgnoreCase("proto")) continue;
            String proto = unquote(parts[i].substring(eq + 1).trim());
            for (RemoteWriteVersion v : RemoteWriteVersion.values()) {
                if (proto.equals(v.message())) return new Outcome(v, null);
            }
            return refused("unsupported remote write message \"" + proto + "\" in Content-Type \"" + contentType
                    + "\": Mnemo accepts " + ACCEPTED);
        }
        return new Outcome(RemoteWriteVersion.V1, null); // no proto parameter: 1.0
    }

    private static Outcome refused(String message) {
        return new Outcome(null, message);
    }

    private static String unquote(String s) {
        return s.length() >= 2 && s.startsWith("\"") && s.endsWith("\"") ? s.substring(1, s.length() - 1) : s;
    }
}
