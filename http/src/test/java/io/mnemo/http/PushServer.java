package io.mnemo.http;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.mnemo.actors.MnemoMetrics;
import io.mnemo.actors.MnemoSettings;
import io.mnemo.actors.distributor.Distributor;
import io.mnemo.actors.ingest.PartitionWriter;
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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.ServerBinding;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * The push route on a real Pekko HTTP server with the node's configuration ({@code conf/application.conf}),
 * over a distributor whose records go to a list instead of Kafka.
 */
final class PushServer implements AutoCloseable {
    /** Keeps what the distributor writes and acknowledges it at once. */
    static final class Sink implements PartitionWriter {
        final List<byte[]> sent = new ArrayList<>();

        @Override
        public synchronized CompletionStage<?> write(String topic, int partition, String tenant, byte[] record) {
            sent.add(record);
            return CompletableFuture.completedFuture(null);
        }

        synchronized int count() { return sent.size(); }

        @Override
        public void close() {}
    }

    final Sink sink = new Sink();
    final MnemoMetrics metrics = new MnemoMetrics(new PrometheusRegistry());
    private final ActorSystem<Void> system;
    private final Distributor distributor;
    private final ServerBinding binding;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    /** Starts a server with these settings over the node's defaults (HOCON). */
    PushServer(String overrides) throws Exception {
        this(overrides, true);
    }

    /** With {@code distributor} false, the route of a node without the distributor role. */
    PushServer(String overrides, boolean distributor) throws Exception {
        this(overrides, distributor, false);
    }

    /** With {@code otlp}, the OTLP route ({@link OtlpRoute}) instead of remote write's. */
    PushServer(String overrides, boolean distributor, boolean otlp) throws Exception {
        Config config = ConfigFactory.parseString("pekko.actor.provider = local\npekko.loglevel = WARNING\n"
                + "pekko.http.server.parsing.illegal-header-warnings = off\n" + overrides)
                .withFallback(ConfigFactory.parseFile(new File("../conf/application.conf"))).resolve();
        MnemoSettings settings = MnemoSettings.from(config);
        system = ActorSystem.create(Behaviors.empty(), "push-server", config);
        this.distributor = distributor ? new Distributor(settings, metrics, sink, Clock.systemUTC()) : null;
        Route route = otlp ? new OtlpRoute(settings, metrics, this.distributor, new Tenants(settings)).route()
                : new PushRoute(settings, metrics, this.distributor, new Tenants(settings)).route();
        binding = Http.get(system).newServerAt("127.0.0.1", 0).bind(route).toCompletableFuture().get();
    }

    /** POSTs the body (chunked: without a Content-Length) with alternating header names and values. */
    HttpResponse<String> post(byte[] body, boolean chunked, String... headers) throws Exception {
        return send(body, chunked, HttpResponse.BodyHandlers.ofString(), headers);
    }

    /** Like {@link #post}, the answer as bytes. */
    HttpResponse<byte[]> postBytes(byte[] body, String... headers) throws Exception {
        return send(body, false, HttpResponse.BodyHandlers.ofByteArray(), headers);
    }

    private <T> HttpResponse<T> send(byte[] body, boolean chunked, HttpResponse.BodyHandler<T> handler, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + binding.localAddress().getPort() + "/"))
                .timeout(Duration.ofSeconds(60))
                .header("X-Scope-OrgID", "t")
                .POST(chunked ? HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(body))
                        : HttpRequest.BodyPublishers.ofByteArray(body));
        for (int i = 0; i < headers.length; i += 2) b.header(headers[i], headers[i + 1]);
        return http.send(b.build(), handler);
    }

    /** A remote write 1.0 push as Prometheus sends it. */
    HttpResponse<String> push(byte[] body, boolean chunked) throws Exception {
        return post(body, chunked, "Content-Type", "application/x-protobuf", "Content-Encoding", "snappy");
    }

    @Override
    public void close() throws Exception {
        binding.unbind().toCompletableFuture().get();
        if (distributor != null) distributor.close();
        system.terminate();
        system.getWhenTerminated().toCompletableFuture().get();
    }
}
