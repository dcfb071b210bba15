package io.mnemo.http;

import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class RemoteWriteNegotiationTest {
    private static void accepted(String contentType, String encoding) {
        assertNull(RemoteWriteNegotiation.refusal(contentType, encoding), contentType + " / " + encoding);
    }

    private static void refused(String contentType, String encoding, String... parts) {
        String message = RemoteWriteNegotiation.refusal(contentType, encoding);
        assertTrue(message != null, contentType + " / " + encoding + " must be refused");
        for (String part : parts) assertTrue(message.contains(part), "'" + part + "' in: " + message);
    }

    @Test
    void remoteWrite1IsAcceptedAsEverySenderSpellsIt() {
        accepted("application/x-protobuf", "snappy");
        accepted("application/x-protobuf;proto=prometheus.WriteRequest", "snappy");
        accepted("Application/X-Protobuf; proto=\"prometheus.WriteRequest\"", "Snappy");
        accepted("application/x-protobuf; charset=utf-8", "snappy");
        accepted(null, null); // old senders: Prometheus's receiver assumes 1.0 and snappy
        accepted("", " ");
    }

    @Test
    void remoteWrite2IsRefusedSoThatSendersFallBack() {
        refused("application/x-protobuf;proto=io.prometheus.write.v2.Request", "snappy",
                "remote write 2.0 (io.prometheus.write.v2.Request) is not supported yet", "send remote write 1.0",
                "proto=prometheus.WriteRequest");
        refused("application/x-protobuf;proto=example.Other", "snappy", "\"example.Other\"", "prometheus.WriteRequest");
    }

    @Test
    void otherMediaTypesAndEncodingsAreRefusedByName() {
        refused("application/json", "snappy", "unsupported Content-Type \"application/json\"");
        refused("text/plain; proto=prometheus.WriteRequest", null, "\"text/plain; proto=prometheus.WriteRequest\"");
        refused("application/x-protobuf", "gzip", "unsupported Content-Encoding \"gzip\"", "snappy");
        refused("application/x-protobuf", "snappy, gzip", "\"snappy, gzip\"");
        // Found by PushRouteFuzzTest: a Content-Type of separators only once split into nothing and answered 500.
        refused(";", null, "unsupported Content-Type \";\"");
        refused(" ;;", null, "\" ;;\"");
    }
}
