package io.mnemo.test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.StringJoiner;

/** A plain HTTP client for a node under test: push, Prometheus API, readiness. */
final class MnemoClient {
    static final ObjectMapper JSON = new ObjectMapper();

    record Response(int status, String body, java.net.http.HttpHeaders headers) {
        /** A response header's value, null when absent. */
        String header(String name) {
            return headers.firstValue(name).orElse(null);
        }

        JsonNode json() {
            try {
                return JSON.readTree(body);
            } catch (IOException e) {
                throw new AssertionError("not JSON (" + status + "): " + body, e);
            }
        }
    }

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5))
            .version(HttpClient.Version.HTTP_1_1).build();
    private final String base;

    MnemoClient(int port) {
        this.base = "http://127.0.0.1:" + port;
    }

    Response push(String tenant, byte[] body) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + "/api/v1/push"))
                .timeout(Duration.ofSeconds(60))
                .header("Content-Encoding", "snappy")
                .header("Content-Type", "application/x-protobuf")
                .header("X-Prometheus-Remote-Write-Version", "0.1.0")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        if (tenant != null) b.header("X-Scope-OrgID", tenant);
        return send(b.build());
    }

    /** A remote write 2.0 push, with the headers Prometheus 3 sends. */
    Response pushV2(String tenant, byte[] body) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + "/api/v1/push"))
                .timeout(Duration.ofSeconds(60))
                .header("Content-Encoding", "snappy")
                .header("Content-Type", "application/x-protobuf;proto=io.prometheus.write.v2.Request")
                .header("X-Prometheus-Remote-Write-Version", "2.0.0")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        if (tenant != null) b.header("X-Scope-OrgID", tenant);
        return send(b.build());
    }

    /** A push with these Content-Type and Content-Encoding headers (null: the header is not sent). */
    Response push(String tenant, byte[] body, String contentType, String contentEncoding) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + "/api/v1/push"))
                .timeout(Duration.ofSeconds(60))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        if (contentType != null) b.header("Content-Type", contentType);
        if (contentEncoding != null) b.header("Content-Encoding", contentEncoding);
        if (tenant != null) b.header("X-Scope-OrgID", tenant);
        return send(b.build());
    }

    /** A push sent with chunked transfer encoding: no Content-Length, the size is known only once read. */
    Response pushChunked(String tenant, byte[] body) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + "/api/v1/push"))
                .timeout(Duration.ofSeconds(60))
                .header("Content-Encoding", "snappy")
                .header("Content-Type", "application/x-protobuf")
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(body)));
        if (tenant != null) b.header("X-Scope-OrgID", tenant);
        return send(b.build());
    }

    /** GET {@code /prometheus/api/v1/<path>} with alternating parameter names and values. */
    Response api(String tenant, String path, String... params) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + "/prometheus/api/v1/" + path + query(params)))
                .timeout(Duration.ofSeconds(120)).GET();
        if (tenant != null) b.header("X-Scope-OrgID", tenant);
        return send(b.build());
    }

    /** POST form variant of {@link #api}. */
    Response apiPost(String tenant, String path, String... params) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + "/prometheus/api/v1/" + path))
                .timeout(Duration.ofSeconds(120))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(query(params).replaceFirst("^\\?", "")));
        if (tenant != null) b.header("X-Scope-OrgID", tenant);
        return send(b.build());
    }

    Response post(String path) {
        return send(HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofMinutes(5))
                .POST(HttpRequest.BodyPublishers.noBody()).build());
    }

    /** POST with no body as a tenant ({@code X-Scope-OrgID}; none when null). */
    Response post(String tenant, String path) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(30))
                .POST(HttpRequest.BodyPublishers.noBody());
        if (tenant != null) b.header("X-Scope-OrgID", tenant);
        return send(b.build());
    }

    /** GET as a tenant ({@code X-Scope-OrgID}; none when null). */
    Response get(String tenant, String path) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(30)).GET();
        if (tenant != null) b.header("X-Scope-OrgID", tenant);
        return send(b.build());
    }

    Response getJson(String path) {
        return send(HttpRequest.newBuilder(URI.create(base + path)).header("Accept", "application/json")
                .timeout(Duration.ofSeconds(30)).GET().build());
    }

    Response get(String path) {
        return send(HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(30)).GET().build());
    }

    private static String query(String... params) {
        if (params.length == 0) return "";
        StringJoiner j = new StringJoiner("&", "?", "");
        for (int i = 0; i < params.length; i += 2) {
            j.add(URLEncoder.encode(params[i], StandardCharsets.UTF_8) + "="
                    + URLEncoder.encode(params[i + 1], StandardCharsets.UTF_8));
        }
        return j.toString();
    }

    private Response send(HttpRequest request) {
        try {
            HttpResponse<String> r = http.send(request, HttpResponse.BodyHandlers.ofString());
            return new Response(r.statusCode(), r.body(), r.headers());
        } catch (IOException e) {
            throw new RuntimeException(request.uri() + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RuntimeException(e);
        }
    }
}
