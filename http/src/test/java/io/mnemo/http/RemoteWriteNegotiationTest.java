package io.mnemo.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mnemo.actors.distributor.RemoteWriteVersion;
import org.junit.jupiter.api.Test;

/** Every Content-Type case of the remote write 2.0 spec's "Content-Type" and "Unsupported Request Content" sections. */
class RemoteWriteNegotiationTest {
    private static void accepted(RemoteWriteVersion version, String contentType, String encoding) {
        RemoteWriteNegotiation.Outcome o = RemoteWriteNegotiation.negotiate(contentType, encoding);
        assertEquals(version, o.version(), contentType + " / " + encoding + ": " + o.refusal());
    }

    private static void refused(String contentType, String encoding, String... parts) {
        RemoteWriteNegotiation.Outcome o = RemoteWriteNegotiation.negotiate(contentType, encoding);
        assertTrue(o.refused() && o.version() == null, contentType + " / " + encoding + " must be refused");
        for (String part : parts) assertTrue(o.refusal().contains(part), "'" + part + "' in: " + o.refusal());
    }

    @Test
    void remoteWrite1IsAcceptedAsEverySenderSpellsIt() {
        accepted(RemoteWriteVersion.V1, "application/x-protobuf", "snappy");
        accepted(RemoteWriteVersion.V1, "application/x-protobuf;proto=prometheus.WriteRequest", "snappy");
        accepted(RemoteWriteVersion.V1, "Application/X-Protobuf; proto=\"prometheus.WriteRequest\"", "Snappy");
        accepted(RemoteWriteVersion.V1, "application/x-protobuf; charset=utf-8", "snappy");
        accepted(RemoteWriteVersion.V1, null, null); // old senders: Prometheus's receiver assumes 1.0 and snappy
        accepted(RemoteWriteVersion.V1, "", " ");
    }

    @Test
    void remoteWrite2IsAccepted() {
        accepted(RemoteWriteVersion.V2, "application/x-protobuf;proto=io.prometheus.write.v2.Request", "snappy");
        accepted(RemoteWriteVersion.V2, "application/x-protobuf; proto=\"io.prometheus.write.v2.Request\"", "SNAPPY");
        accepted(RemoteWriteVersion.V2, "application/x-protobuf;proto=io.prometheus.write.v2.Request", null);
    }

    @Test
    void otherMessagesAreRefusedNamingWhatIsAccepted() {
        refused("application/x-protobuf;proto=example.Other", "snappy", "\"example.Other\"",
                "proto=prometheus.WriteRequest", "proto=io.prometheus.write.v2.Request");
        // The proto parameter's value is case-sensitive, as the fully qualified name it is.
        refused("application/x-protobuf;proto=IO.prometheus.write.v2.request", "snappy", "\"IO.prometheus.write.v2.request\"");
    }

    @Test
    void otherMediaTypesAndEncodingsAreRefusedByName() {
        // The compliance suite's TestBadContentTypes and TestBadContentEncodings cases.
        refused("application/json", "snappy", "unsupported Content-Type \"application/json\"", "io.prometheus.write.v2.Request");
        refused("image/png", "snappy", "\"image/png\"");
        refused("text/plain; proto=prometheus.WriteRequest", null, "\"text/plain; proto=prometheus.WriteRequest\"");
        refused("application/x-protobuf", "gzip", "unsupported Content-Encoding \"gzip\"", "snappy");
        refused("application/x-protobuf;proto=io.prometheus.write.v2.Request", "deflate", "\"deflate\"");
        refused("application/x-protobuf", "snappy, gzip", "\"snappy, gzip\"");
        // Found by PushRouteFuzzTest: a Content-Type of separators only once split into nothing and answered 500.
        refused(";", null, "unsupported Content-Type \";\"");
        refused(" ;;", null, "\" ;;\"");
    }
}
