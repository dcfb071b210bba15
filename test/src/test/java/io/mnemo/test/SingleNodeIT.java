package io.mnemo.test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.mnemo.tsdb.Labels;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One node end to end: remote write in through Kafka into the ingesters, back out through the
 * query API, and the same answers after a restart on the same data directory.
 */
class SingleNodeIT {
    static final long T0 = 1_700_000_000_000L; // ms
    static final long STEP = 15_000;

    @TempDir
    Path dataDir;

    @Test
    void pushQueryRestartQuery() throws Exception {
        int seriesCount = 200;
        int samples = 10;
        List<Labels> written = new ArrayList<>();
        try (TestNode n = TestNode.start(dataDir)) {
            RemoteWrite req = RemoteWrite.request();
            for (int s = 0; s < seriesCount; s++) {
                Labels l = Labels.of("__name__", "http_requests_total", "job", "api", "instance", "host-" + s,
                        "code", s % 2 == 0 ? "200" : "500");
                written.add(l);
                req.series(l, timestamps(samples), values(s, samples));
            }
            // Another tenant's series with the same name must stay invisible to team-a.
            RemoteWrite other = RemoteWrite.request()
                    .series(Labels.of("__name__", "http_requests_total", "job", "secret", "instance", "x"),
                            timestamps(samples), values(999, samples));
            assertEquals(200, n.client.push("team-a", req.encode()).status());
            assertEquals(200, n.client.push("team-b", other.encode()).status());

            awaitAllSamples(n, seriesCount * samples);
            assertAnswers(n, written, samples);
        }
        // Same data directory: the journal is replayed and Kafka consumption resumes after it.
        try (TestNode n = TestNode.start(dataDir)) {
            assertAnswers(n, written, samples);
        }
    }

    /** Waits until the ingesters consumed everything (queries are eventually consistent with pushes). */
    static void awaitAllSamples(TestNode n, int expected) {
        Await.until(expected + " samples queryable", java.time.Duration.ofSeconds(60),
                () -> countSamples(n) == expected);
    }

    static int countSamples(TestNode n) {
        JsonNode r = n.client.api("team-a", "query", "query", "http_requests_total[1h]",
                "time", seconds(T0 + 9 * STEP)).json();
        if (!"success".equals(r.path("status").asText())) return -1;
        int total = 0;
        for (JsonNode s : r.path("data").path("result")) total += s.path("values").size();
        return total;
    }

    static void assertAnswers(TestNode n, List<Labels> written, int samples) {
        // Instant vector selector at the last sample: one value per series, the newest.
        JsonNode r = n.client.api("team-a", "query", "query", "http_requests_total{code=\"500\"}",
                "time", seconds(T0 + (samples - 1) * STEP)).json();
        assertEquals("success", r.path("status").asText(), r.toString());
        assertEquals("vector", r.path("data").path("resultType").asText());
        JsonNode result = r.path("data").path("result");
        assertEquals(written.size() / 2, result.size());
        for (JsonNode s : result) {
            assertEquals("500", s.path("metric").path("code").asText());
            assertEquals("http_requests_total", s.path("metric").path("__name__").asText());
            int series = Integer.parseInt(s.path("metric").path("instance").asText().substring("host-".length()));
            assertEquals(seconds(T0 + (samples - 1) * STEP), s.path("value").get(0).asText());
            assertEquals(fmt(values(series, samples)[samples - 1]), s.path("value").get(1).asText());
        }

        // Range vector selector: exactly the samples written, in order, none doubled.
        JsonNode m = n.client.api("team-a", "query", "query", "http_requests_total{instance=\"host-7\"}[5m]",
                "time", seconds(T0 + (samples - 1) * STEP)).json();
        assertEquals("matrix", m.path("data").path("resultType").asText(), m.toString());
        JsonNode values = m.path("data").path("result").get(0).path("values");
        assertEquals(samples, values.size());
        double[] expected = values(7, samples);
        for (int i = 0; i < samples; i++) {
            assertEquals(seconds(T0 + i * STEP), values.get(i).get(0).asText());
            assertEquals(fmt(expected[i]), values.get(i).get(1).asText());
        }
        assertEquals(written.size() * samples, countSamples(n));

        // Series, label names and values; each tenant sees only its own.
        JsonNode series = n.client.api("team-a", "series", "match[]", "{__name__=~\".+\"}").json();
        assertEquals(written.size(), series.path("data").size(), series.toString());
        Set<String> instances = new HashSet<>();
        for (JsonNode s : series.path("data")) instances.add(s.path("instance").asText());
        assertEquals(written.size(), instances.size());
        assertTrue(!instances.contains("x"));

        JsonNode names = n.client.api("team-a", "labels").json();
        assertEquals(List.of("__name__", "code", "instance", "job"), strings(names.path("data")));
        JsonNode jobs = n.client.api("team-a", "label/job/values").json();
        assertEquals(List.of("api"), strings(jobs.path("data")));
        JsonNode otherJobs = n.client.api("team-b", "label/job/values").json();
        assertEquals(List.of("secret"), strings(otherJobs.path("data")));
    }

    static List<String> strings(JsonNode array) {
        List<String> out = new ArrayList<>();
        for (JsonNode v : array) out.add(v.asText());
        return out;
    }

    static long[] timestamps(int n) {
        long[] ts = new long[n];
        for (int i = 0; i < n; i++) ts[i] = T0 + i * STEP;
        return ts;
    }

    static double[] values(int series, int n) {
        double[] v = new double[n];
        for (int i = 0; i < n; i++) v[i] = series * 1000 + i * 1.5;
        return v;
    }

    static String seconds(long ms) {
        return ms % 1000 == 0 ? Long.toString(ms / 1000) : String.format("%d.%03d", ms / 1000, ms % 1000);
    }

    static String fmt(double v) {
        return v == Math.rint(v) ? Long.toString((long) v) : Double.toString(v);
    }
}
