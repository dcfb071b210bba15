package io.mnemo.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.mnemo.actors.MnemoMetrics;
import io.mnemo.actors.MnemoSettings;
import io.mnemo.actors.distributor.Distributor;
import io.mnemo.actors.prompb.Remote;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayInputStream;
import java.io.File;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.ServerBinding;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.xerial.snappy.Snappy;

/**
 * The push route on a real Pekko HTTP server with the node's configuration, over a distributor
 * without Kafka: content negotiation and body size limits as a client sees them.
 */
class PushRouteTest {
    static final int MIB = 1 << 20;

    /** Keeps what the distributor sends and acknowledges it at once. */
    static final class Sink implements Distributor.RecordSink {
        final List<ProducerRecord<byte[], byte[]>> sent = new ArrayList<>();

        @Override
        public synchronized CompletionStage<?> send(ProducerRecord<byte[], byte[]> record) {
            sent.add(record);
            return CompletableFuture.completedFuture(null);
        }

        synchronized int count() { return sent.size(); }

        @Override
        public void close() {}
    }

    static ActorSystem<Void> system;
    static ServerBinding binding;
    static Distributor distributor;
    static MnemoMetrics metrics;
    static final Sink sink = new Sink();
    static final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @BeforeAll
    static void start() throws Exception {
        Config config = ConfigFactory.parseString("""
                pekko.actor.provider = local
                pekko.loglevel = WARNING
                mnemo.distributor.max-label-value-length = 20000000
                """).withFallback(ConfigFactory.parseFile(new File("../conf/application.conf"))).resolve();
        MnemoSettings settings = MnemoSettings.from(config);
        system = ActorSystem.create(Behaviors.empty(), "push-route-test", config);
        metrics = new MnemoMetrics(new PrometheusRegistry());
        distributor = new Distributor(settings, metrics, sink, Clock.systemUTC());
        PushRoute route = new PushRoute(settings, metrics, distributor, new Tenants(settings));
        binding = Http.get(system).newServerAt("127.0.0.1", 0).bind(route.route()).toCompletableFuture().get();
    }

    @AfterAll
    static void stop() throws Exception {
        binding.unbind().toCompletableFuture().get();
        distributor.close();
        system.terminate();
        system.getWhenTerminated().toCompletableFuture().get();
    }

    static HttpResponse<String> post(byte[] body, boolean chunked, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + binding.localAddress().getPort() + "/"))
                .timeout(Duration.ofSeconds(60))
                .header("X-Scope-OrgID", "t")
                .POST(chunked ? HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(body))
                        : HttpRequest.BodyPublishers.ofByteArray(body));
        for (int i = 0; i < headers.length; i += 2) b.header(headers[i], headers[i + 1]);
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    static HttpResponse<String> push(byte[] body, boolean chunked) throws Exception {
        return post(body, chunked, "Content-Type", "application/x-protobuf", "Content-Encoding", "snappy");
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
        HttpResponse<String> v2 = post(body, false, "Content-Type", "application/x-protobuf;proto=io.prometheus.write.v2.Request",
                "Content-Encoding", "snappy");
        assertEquals(415, v2.statusCode());
        assertTrue(v2.body().contains("remote write 2.0"), v2.body());
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
            int before = sink.count();
            HttpResponse<String> r = push(body, chunked);
            assertEquals(200, r.statusCode(), (chunked ? "chunked: " : "") + r.body());
            assertTrue(sink.count() > before, "written");
        }
        // Exactly at the limit is read (and then refused as what it is: not snappy), one byte over is 413.
        byte[] atLimit = new byte[10 * MIB];
        for (boolean chunked : new boolean[] {false, true}) {
            HttpResponse<String> r = push(atLimit, chunked);
            assertEquals(400, r.statusCode(), r.body());
            assertTrue(r.body().contains("snappy"), r.body());
        }
    }

    @Test
    void largerBodiesAre413ChunkedOrNot() throws Exception {
        for (int size : new int[] {10 * MIB + 1, 65 * MIB}) { // 65 MiB: above Pekko's parsing.max-content-length too
            byte[] over = new byte[size];
            for (boolean chunked : new boolean[] {false, true}) {
                HttpResponse<String> r = push(over, chunked);
                assertEquals(413, r.statusCode(), size + (chunked ? " chunked: " : ": ") + r.body());
                assertTrue(r.body().contains("larger than the allowed limit of " + 10 * MIB
                        + " bytes (mnemo.distributor.max-request-body-size)"), r.body());
            }
        }
        assertEquals(200, push(validPush(10), false).statusCode(), "the server still answers");
    }
}
