package io.mnemo.objstore;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** What S3Bucket sends, seen by a stub S3 endpoint: retries, Range headers, path-style requests. */
class S3BucketRequestsTest {
    HttpServer server;
    final List<String> requests = new CopyOnWriteArrayList<>();
    final AtomicInteger failuresLeft = new AtomicInteger();

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", this::handle);
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    private void handle(HttpExchange ex) throws IOException {
        String range = ex.getRequestHeaders().getFirst("Range");
        requests.add(ex.getRequestMethod() + " " + ex.getRequestURI().getPath() + (range == null ? "" : " " + range));
        ex.getRequestBody().readAllBytes();
        if (failuresLeft.getAndDecrement() > 0) {
            byte[] body = "<Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message></Error>"
                    .getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(503, body.length);
            ex.getResponseBody().write(body);
            ex.close();
            return;
        }
        ex.getResponseHeaders().add("Last-Modified", "Wed, 21 Oct 2015 07:28:00 GMT");
        ex.getResponseHeaders().add("ETag", "\"0123456789abcdef\"");
        if (ex.getRequestMethod().equals("HEAD")) {
            ex.getResponseHeaders().add("Content-Length", "11");
            ex.sendResponseHeaders(200, -1);
        } else {
            byte[] body = "tes".getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().add("Content-Range", "bytes 1-3/11");
            ex.sendResponseHeaders(206, body.length);
            ex.getResponseBody().write(body);
        }
        ex.close();
    }

    S3Bucket bucket() {
        return new S3Bucket(new S3Config("127.0.0.1:" + server.getAddress().getPort(), "blocks", "", "AK", "SK", true,
                S3Config.BucketLookupType.AUTO));
    }

    @Test
    void serverErrorsAreRetried() throws IOException {
        failuresLeft.set(2);
        try (S3Bucket b = bucket()) {
            assertEquals(11, b.attributes("tenant/obj").size());
        }
        assertEquals(List.of("HEAD /blocks/tenant/obj", "HEAD /blocks/tenant/obj", "HEAD /blocks/tenant/obj"), requests);
    }

    @Test
    void retriesEnd() throws IOException {
        failuresLeft.set(100);
        try (S3Bucket b = bucket()) {
            IOException e = org.junit.jupiter.api.Assertions.assertThrows(IOException.class, () -> b.exists("x"));
            assertTrue(e.getMessage().contains("s3 bucket blocks"), e.getMessage());
        }
        assertEquals(3, requests.size(), "the standard strategy's 3 attempts");
    }

    @Test
    void rangedReadsSendARangeHeader() throws IOException {
        try (S3Bucket b = bucket()) {
            try (InputStream in = b.getRange("tenant/obj", 1, 3)) {
                assertEquals("tes", new String(in.readAllBytes(), StandardCharsets.UTF_8));
            }
            b.getRange("tenant/obj", 5, -1).close();
            b.get("tenant/obj").close();
        }
        assertEquals(List.of("GET /blocks/tenant/obj bytes=1-3", "GET /blocks/tenant/obj bytes=5-", "GET /blocks/tenant/obj"),
                requests);
    }
}
