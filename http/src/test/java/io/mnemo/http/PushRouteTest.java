package io.mnemo.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mnemo.actors.prompb.Remote;
import io.mnemo.actors.prompb.WriteV2;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.xerial.snappy.Snappy;

/** The push route as a client sees it: content negotiation and body size limits. */
class PushRouteTest {
    static final int MIB = 1 << 20;
    static final String V2 = "application/x-protobuf;proto=io.prometheus.write.v2.Request";

    static PushServer server;

    @BeforeAll
    static void start() throws Exception {
        server = new PushServer("mnemo.distributor.max-label-value-length = 20000000\n"
                + "pekko.http.server.parsing.max-content-length = 12MiB");
    }

    @AfterAll
    static void stop() throws Exception {
        server.close();
    }

    static HttpResponse<String> post(byte[] body, boolean chunked, String... headers) throws Exception {
        return server.post(body, chunked, headers);
    }

    static HttpResponse<String> push(byte[] body, boolean chunked) throws Exception {
        return server.push(body, chunked);
    }

    /** A valid push: one series whose one label value is {@code valueBytes} of random text (it hardly compresses). */
    static byte[] validPush(int valueBytes) throws Exception {
        Random random = new Random(valueBytes);
        char[] value = new char[valueBytes];
        for (int i = 0; i < valueBytes; i++) value[i] = (char) ('0' + random.nextInt(75));
        Remote.WriteRequest request = Remote.WriteRequest.newBuilder().addTimeseries(Remote.TimeSeries.newBuilder()
                .addLabels(Remote.Label.newBuilder().setName("__name__").setValue("big"))
                .addLabels(Remote.Label.newBuilder().setName("v").setValue(new String(value)))
                .addSamples(Remote.Sample.newBuilder().setTimestamp(System.currentTimeMillis()).setValue(1))).build();
        return Snappy.compress(request.toByteArray());
    }

    @Test
    void contentTypeIsNegotiated() throws Exception {
        byte[] body = validPush(10);
        assertEquals(200, post(body, false).statusCode(), "no Content-Type, no Content-Encoding: remote write 1.0");
        assertEquals(200, post(body, false, "Content-Type", "application/x-protobuf;proto=prometheus.WriteRequest").statusCode());
        HttpResponse<String> other = post(body, false, "Content-Type", "application/x-protobuf;proto=example.Other",
                "Content-Encoding", "snappy");
        assertEquals(415, other.statusCode());
        assertTrue(other.body().contains("\"example.Other\"") && other.body().contains("io.prometheus.write.v2.Request")
                && other.body().contains("prometheus.WriteRequest"), other.body());
        // A 1.0 body sent as 2.0 would read as an empty 2.0 request: refused, naming why.
        HttpResponse<String> mislabelled = post(body, false, "Content-Type", V2, "Content-Encoding", "snappy");
        assertEquals(400, mislabelled.statusCode(), mislabelled.body());
        assertTrue(mislabelled.body().contains("remote write 1.0's WriteRequest.timeseries"), mislabelled.body());
        HttpResponse<String> json = post(body, false, "Content-Type", "application/json");
        assertEquals(415, json.statusCode());
        assertTrue(json.body().contains("\"application/json\""), json.body());
        HttpResponse<String> garbage = post(body, false, "Content-Type", "not a media type");
        assertEquals(415, garbage.statusCode(), garbage.body());
        assertTrue(garbage.body().contains("\"not a media type\""), garbage.body());
        HttpResponse<String> zstd = post(body, false, "Content-Type", "application/x-protobuf", "Content-Encoding", "zstd");
        assertEquals(415, zstd.statusCode());
        assertTrue(zstd.body().contains("\"zstd\""), zstd.body());
    }

    /** Pekko's own strict-entity limit (8 MiB) used to answer 400 for bodies between it and the 10 MiB limit. */
    @Test
    void bodiesUpToTheLimitAreReadChunkedOrNot() throws Exception {
        byte[] body = validPush(9 * MIB);
        assertTrue(body.length > 9 * MIB && body.length < 10 * MIB, "body of " + body.length);
        for (boolean chunked : new boolean[] {false, true}) {
            int before = server.sink.count();
            HttpResponse<String> r = push(body, chunked);
            assertEquals(200, r.statusCode(), (chunked ? "chunked: " : "") + r.body());
            assertTrue(server.sink.count() > before, "written");
        }
        // Exactly at the limit is read (and then refused as what it is: not snappy), one byte over is 413.
        byte[] atLimit = new byte[10 * MIB];
        for (boolean chunked : new boolean[] {false, true}) {
            HttpResponse<String> r = push(atLimit, chunked);
            assertEquals(400, r.statusCode(), r.body());
            assertTrue(r.body().contains("snappy"), r.body());
        }
    }

    /** Read and dropped, so the 413 reaches a client still sending, on a connection that stays usable. */
    @Test
    void largerBodiesAre413ChunkedOrNot() throws Exception {
        byte[] over = new byte[10 * MIB + 1];
        for (int round = 0; round < 3; round++) {
            for (boolean chunked : new boolean[] {false, true}) {
                HttpResponse<String> r = push(over, chunked);
                assertEquals(413, r.statusCode(), (chunked ? "chunked: " : "") + r.body());
                assertTrue(r.body().contains("rejected because its message size of " + (10 * MIB + 1)
                        + " bytes is larger than the allowed limit of " + 10 * MIB
                        + " bytes (mnemo.distributor.max-request-body-size)"), r.body());
                assertTrue(r.headers().firstValue("connection").isEmpty(), r.headers().toString());
            }
        }
        assertEquals(200, push(validPush(10), false).statusCode(), "the server still answers");
    }

    /**
     * Beyond Pekko's parsing.max-content-length (12 MiB here, 64 MiB by default) the body is not
     * read: 413 with the connection closed, which a client still sending may see as a closed
     * connection instead; never anything else.
     */
    @Test
    void bodiesBeyondTheDrainLimitAre413AndClosed() throws Exception {
        byte[] huge = new byte[13 * MIB];
        for (boolean chunked : new boolean[] {false, true}) {
            HttpResponse<String> r;
            try {
                r = push(huge, chunked);
            } catch (IOException closed) {
                continue; // the 413 was sent, and the reset of the closed connection overtook it
            }
            assertEquals(413, r.statusCode(), (chunked ? "chunked: " : "") + r.body());
            assertTrue(r.body().contains("(mnemo.distributor.max-request-body-size)"), r.body());
            assertEquals("close", r.headers().firstValue("connection").orElse(""), r.headers().toString());
        }
        assertEquals(200, push(validPush(10), false).statusCode(), "the server still answers");
    }

    @Test
    void refusalsBeforeReadingDrainTheBodyFirst() throws Exception {
        byte[] body = new byte[5 * MIB];
        for (boolean chunked : new boolean[] {false, true}) {
            HttpResponse<String> r = post(body, chunked, "Content-Type", "application/x-protobuf;proto=example.Other");
            assertEquals(415, r.statusCode(), r.body());
            assertTrue(r.headers().firstValue("connection").isEmpty(), r.headers().toString());
        }
    }

    /**
     * Remote write 2.0 answers say what was written, on a 400 too (the valid series beside a refused
     * one are written); 1.0 answers carry no such headers, as Prometheus 3's receiver answers 1.0.
     */
    @Test
    void remoteWrite2AnswersSayWhatWasWritten() throws Exception {
        long now = System.currentTimeMillis();
        WriteV2.Request request = WriteV2.Request.newBuilder()
                .addAllSymbols(java.util.List.of("", "__name__", "up", "job", "a"))
                .addTimeseries(WriteV2.TimeSeries.newBuilder().addAllLabelsRefs(java.util.List.of(1, 2, 3, 4))
                        .addSamples(WriteV2.Sample.newBuilder().setTimestamp(now).setValue(1))
                        .addSamples(WriteV2.Sample.newBuilder().setTimestamp(now + 1).setValue(2)))
                .build();
        HttpResponse<String> ok = post(Snappy.compress(request.toByteArray()), false, "Content-Type", V2, "Content-Encoding", "snappy");
        assertEquals(200, ok.statusCode(), ok.body());
        assertEquals("2", ok.headers().firstValue(PushRoute.SAMPLES_WRITTEN).orElse(""), ok.headers().toString());
        assertEquals("0", ok.headers().firstValue(PushRoute.HISTOGRAMS_WRITTEN).orElse(""));
        assertEquals("0", ok.headers().firstValue(PushRoute.EXEMPLARS_WRITTEN).orElse(""));

        WriteV2.Request partly = request.toBuilder()
                .addTimeseries(WriteV2.TimeSeries.newBuilder().addAllLabelsRefs(java.util.List.of(3, 4))
                        .addSamples(WriteV2.Sample.newBuilder().setTimestamp(now).setValue(1)))
                .build();
        HttpResponse<String> bad = post(Snappy.compress(partly.toByteArray()), false, "Content-Type", V2);
        assertEquals(400, bad.statusCode(), bad.body());
        assertTrue(bad.body().contains("err-mnemo-missing-metric-name"), bad.body());
        assertEquals("2", bad.headers().firstValue(PushRoute.SAMPLES_WRITTEN).orElse(""), bad.headers().toString());

        HttpResponse<String> v1 = push(validPush(10), false);
        assertEquals(200, v1.statusCode());
        assertTrue(v1.headers().firstValue(PushRoute.SAMPLES_WRITTEN).isEmpty(), v1.headers().toString());
    }
}
