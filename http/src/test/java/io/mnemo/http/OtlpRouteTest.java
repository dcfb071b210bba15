package io.mnemo.http;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.CodedInputStream;
import java.io.ByteArrayOutputStream;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The OTLP route as an exporter sees it: content types, encodings, size bounds, and its answers' encodings. */
class OtlpRouteTest {
    static final String PROTOBUF = "application/x-protobuf";
    static PushServer server;

    @BeforeAll
    static void start() throws Exception {
        server = new PushServer("mnemo.distributor.max-otlp-request-size = 1MiB", true, true);
    }

    @AfterAll
    static void stop() throws Exception {
        server.close();
    }

    /** One gauge, now, as OTLP/JSON. */
    static byte[] gauge(String name) {
        return ("{\"resourceMetrics\": [{\"scopeMetrics\": [{\"metrics\": [{\"name\": \"" + name + "\", \"gauge\": {\"dataPoints\": "
                + "[{\"timeUnixNano\": \"" + System.currentTimeMillis() + "000000\", \"asDouble\": 1}]}}]}]}]}").getBytes(StandardCharsets.UTF_8);
    }

    static byte[] gzip(byte[] b) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(b);
        }
        return out.toByteArray();
    }

    /** A google.rpc.Status in protobuf: code and message. */
    static String status(byte[] body) throws Exception {
        CodedInputStream in = CodedInputStream.newInstance(body);
        int code = 0;
        String message = "";
        for (int tag; (tag = in.readTag()) != 0; ) {
            if (tag >>> 3 == 1) code = in.readInt32();
            else if (tag >>> 3 == 2) message = in.readStringRequireUtf8();
            else in.skipField(tag);
        }
        return code + " " + message;
    }

    @Test
    void jsonAndGzipAreTakenAndAnsweredInKind() throws Exception {
        int before = server.sink.count();
        HttpResponse<byte[]> json = server.postBytes(gauge("a"), "Content-Type", "application/json");
        assertEquals(200, json.statusCode());
        int afterOne = server.sink.count();
        assertTrue(afterOne > before, "written to Kafka");
        assertEquals("{}", new String(json.body(), StandardCharsets.UTF_8));
        assertEquals("application/json", json.headers().firstValue("Content-Type").orElse(""));
        HttpResponse<byte[]> zipped = server.postBytes(gzip(gauge("b")), "Content-Type", "application/json; charset=utf-8",
                "Content-Encoding", "gzip");
        assertEquals(200, zipped.statusCode());
        assertTrue(server.sink.count() > afterOne, "written to Kafka");
    }

    @Test
    void protobufIsAnsweredInProtobuf() throws Exception {
        HttpResponse<byte[]> empty = server.postBytes(new byte[0], "Content-Type", PROTOBUF);
        assertEquals(200, empty.statusCode(), "an empty request is a request without metrics");
        assertArrayEquals(new byte[0], empty.body(), "an empty ExportMetricsServiceResponse");
        assertEquals(PROTOBUF, empty.headers().firstValue("Content-Type").orElse(""));
        HttpResponse<byte[]> broken = server.postBytes(new byte[] {0x0a, 0x7f}, "Content-Type", PROTOBUF);
        assertEquals(400, broken.statusCode());
        assertTrue(status(broken.body()).startsWith("3 malformed OTLP metrics request: length 127 runs past"), status(broken.body()));
    }

    @Test
    void otherMediaTypesAndEncodingsAre415() throws Exception {
        HttpResponse<byte[]> text = server.postBytes(gauge("c"), "Content-Type", "text/plain");
        assertEquals(415, text.statusCode());
        assertEquals("415 unsupported content type: text/plain, supported: [application/json, application/x-protobuf]",
                status(text.body()));
        HttpResponse<byte[]> none = server.postBytes(gauge("c"));
        assertEquals(415, none.statusCode());
        HttpResponse<byte[]> snappy = server.postBytes(gauge("c"), "Content-Type", "application/json", "Content-Encoding", "snappy");
        assertEquals(415, snappy.statusCode());
        assertTrue(new String(snappy.body(), StandardCharsets.UTF_8).contains("unsupported compression: snappy"));
        assertTrue(new String(snappy.body(), StandardCharsets.UTF_8).startsWith("{\"code\":415,"), "JSON asked, JSON answered");
    }

    @Test
    void bodiesOverMaxOtlpRequestSizeAre413SentOrInflated() throws Exception {
        HttpResponse<byte[]> sent = server.postBytes(new byte[(1 << 20) + 1], "Content-Type", PROTOBUF);
        assertEquals(413, sent.statusCode());
        assertTrue(status(sent.body()).contains("limit of 1048576 bytes (err-mnemo-distributor-max-otlp-request-size)"), status(sent.body()));
        HttpResponse<byte[]> inflated = server.postBytes(gzip(new byte[2 << 20]), "Content-Type", PROTOBUF, "Content-Encoding", "gzip");
        assertEquals(413, inflated.statusCode());
        assertTrue(status(inflated.body()).contains("(uncompressed) is larger than the allowed limit of 1048576 bytes"),
                status(inflated.body()));
        // The connection and the route still serve.
        assertEquals(200, server.postBytes(gauge("d"), "Content-Type", "application/json").statusCode());
    }
}
