package io.mnemo.http;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mnemo.actors.prompb.Remote;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import net.jqwik.api.statistics.Statistics;
import org.xerial.snappy.Snappy;

/**
 * Property-based fuzzing of the push route over HTTP: any body under any Content-Type and
 * Content-Encoding, sent with a Content-Length or chunked, is answered 200, 400, 413 or 415,
 * never 5xx; and only remote write 1.0 in snappy can be 200.
 */
class PushRouteFuzzTest {
    private static PushServer server;

    @BeforeContainer
    static void start() throws Exception {
        server = new PushServer("");
    }

    @AfterContainer
    static void stop() throws Exception {
        server.close();
    }

    @Property(tries = 150)
    void anyPushIsAnsweredWithoutA5xx(@ForAll("bodies") byte[] body, @ForAll("contentTypes") String contentType,
                                      @ForAll("encodings") String encoding, @ForAll boolean chunked) throws Exception {
        List<String> headers = new ArrayList<>();
        if (!contentType.isEmpty()) headers.addAll(List.of("Content-Type", contentType));
        if (!encoding.isEmpty()) headers.addAll(List.of("Content-Encoding", encoding));
        HttpResponse<String> r = server.post(body, chunked, headers.toArray(String[]::new));
        int status = r.statusCode();
        Statistics.label("status").collect(status);
        assertTrue(status == 200 || status == 400 || status == 413 || status == 415, status + " " + r.body());
        if (status == 200) {
            assertTrue(!RemoteWriteNegotiation.negotiate(contentType.isEmpty() || contentType.equals("application/octet-stream")
                    ? null : contentType, encoding).refused(), "200 for " + contentType + " / " + encoding);
        }
    }

    @Provide
    Arbitrary<byte[]> bodies() {
        Arbitrary<byte[]> random = Arbitraries.bytes().array(byte[].class).ofMaxSize(600);
        Arbitrary<byte[]> validThenFlipped = Combinators.combine(
                Arbitraries.strings().alpha().ofMinLength(1).ofMaxLength(20),
                Arbitraries.integers().between(-1, 300), Arbitraries.integers().between(0, 7))
                .as((metric, at, bit) -> {
                    byte[] b = Remote.WriteRequest.newBuilder().addTimeseries(Remote.TimeSeries.newBuilder()
                            .addLabels(Remote.Label.newBuilder().setName("__name__").setValue(metric))
                            .addSamples(Remote.Sample.newBuilder().setTimestamp(System.currentTimeMillis()).setValue(1)))
                            .build().toByteArray();
                    if (at >= 0 && at < b.length) b[at] ^= (byte) (1 << bit); // -1 or past the end: left valid
                    return b;
                });
        return Arbitraries.oneOf(random, random.map(PushRouteFuzzTest::snappy), validThenFlipped.map(PushRouteFuzzTest::snappy));
    }

    @Provide
    Arbitrary<String> contentTypes() {
        return Arbitraries.frequencyOf(
                Tuple.of(3, Arbitraries.of("", "application/x-protobuf", "application/x-protobuf;proto=prometheus.WriteRequest",
                        "application/x-protobuf;proto=io.prometheus.write.v2.Request", "application/json",
                        "application/octet-stream", "application/x-protobuf; proto=", "application/x-protobuf;;;", ";", "/")),
                Tuple.of(1, Arbitraries.strings().withChars("abcxyz/;=-. \"").ofMaxLength(30)));
    }

    @Provide
    Arbitrary<String> encodings() {
        return Arbitraries.frequencyOf(Tuple.of(4, Arbitraries.of("", "snappy", "SNAPPY", "gzip", "snappy, gzip", "identity")),
                Tuple.of(1, Arbitraries.strings().alpha().ofMaxLength(8)));
    }

    private static byte[] snappy(byte[] b) {
        try {
            return Snappy.compress(b);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
