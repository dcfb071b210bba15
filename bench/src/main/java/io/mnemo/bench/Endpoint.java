package io.mnemo.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * A server a benchmark harness talks to over HTTP (a Mnemo node, Prometheus): remote-write
 * pushes, instant queries, readiness. One HTTP/1.1 client for all of them.
 */
final class Endpoint {
    static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    final String name;
    private final String base;
    private final String pushPath;
    private final String apiPrefix;

    private Endpoint(String name, String base, String pushPath, String apiPrefix) {
        this.name = name;
        this.base = base;
        this.pushPath = pushPath;
        this.apiPrefix = apiPrefix;
    }

    /** A Mnemo node: pushes to /api/v1/push, the Prometheus API under /prometheus. */
    static Endpoint mnemo(String name, int port) {
        return new Endpoint(name, "http://127.0.0.1:" + port, "/api/v1/push", "/prometheus");
    }

    /** Prometheus with its remote-write receiver enabled. */
    static Endpoint prometheus(int port) {
        return new Endpoint("prometheus", "http://127.0.0.1:" + port, "/api/v1/write", "");
    }

    /** Pushes a snappy-compressed remote write 1.0 request; anything but 2xx is an error. */
    void push(byte[] body) throws IOException, InterruptedException {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(base + pushPath))
                .header("Content-Type", "application/x-protobuf").header("Content-Encoding", "snappy")
                .header("X-Prometheus-Remote-Write-Version", "0.1.0")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).timeout(Duration.ofSeconds(60)).build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() / 100 != 2) throw new IllegalStateException(name + ": push answered " + r.statusCode() + ": " + r.body());
    }

    /** The {@code data} of an instant query at {@code timeMillis}; anything but 200 is an error. */
    JsonNode query(String promql, long timeMillis) throws IOException, InterruptedException {
        String path = apiPrefix + "/api/v1/query?query=" + enc(promql) + "&time=" + timeMillis / 1000.0;
        return JSON.readTree(get(path)).path("data");
    }

    /** The {@code data} of a range query over [start, end] (milliseconds) at a step in seconds; anything but 200 is an error. */
    JsonNode queryRange(String promql, long startMillis, long endMillis, long stepSeconds) throws IOException, InterruptedException {
        String path = apiPrefix + "/api/v1/query_range?query=" + enc(promql) + "&start=" + startMillis / 1000.0 + "&end="
                + endMillis / 1000.0 + "&step=" + stepSeconds;
        return JSON.readTree(get(path)).path("data");
    }

    String get(String path) throws IOException, InterruptedException {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(120))
                .build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) throw new IllegalStateException(name + ": " + path + " answered " + r.statusCode() + ": " + r.body());
        return r.body();
    }

    /** Waits until {@code path} answers 200. */
    void awaitOk(String path, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            try {
                if (HTTP.send(HttpRequest.newBuilder(URI.create(base + path)).build(), HttpResponse.BodyHandlers.discarding())
                        .statusCode() == 200) return;
            } catch (IOException notYet) {
                // starting
            }
            Thread.sleep(250);
        }
        throw new IllegalStateException(name + ": " + path + " not 200 within " + timeout);
    }

    static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    @Override
    public String toString() { return name; }
}
