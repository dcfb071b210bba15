package io.mnemo.test;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import io.mnemo.tsdb.Labels;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * Numbered rounds of samples for tests of a one-partition node's journal: round {@code r} is one
 * push of one sample in each of {@link #SERIES} series at {@link #timestamp}(r), so it becomes one
 * Kafka record (at offset r when only rounds were pushed) and one journal event.
 */
final class Rounds {
    static final long T0 = 1_700_000_000_000L;
    static final int SERIES = 20;

    private final String tenant;
    private final String metric;
    /** Timestamps of every round the node acknowledged. */
    final TreeSet<Long> acked = new TreeSet<>();

    Rounds(String tenant, String metric) {
        this.tenant = tenant;
        this.metric = metric;
    }

    static long timestamp(int round) {
        return T0 + round * 15_000L;
    }

    /** Pushes rounds one by one, each once the last is queryable (so each is its own journal event). */
    void push(MnemoProcess node, int from, int n) {
        for (int round = from; round < from + n; round++) {
            long ts = timestamp(round);
            RemoteWrite w = RemoteWrite.request();
            for (int s = 0; s < SERIES; s++) {
                w.series(Labels.of("__name__", metric, "series", Integer.toString(s)), new long[] {ts}, new double[] {round});
            }
            MnemoClient.Response r = node.client.push(tenant, w.encode());
            assertEquals(200, r.status(), r.body());
            acked.add(ts);
            Await.until("round " + round + " ingested", Duration.ofSeconds(30), () -> countAt(node, ts) == SERIES);
        }
    }

    /** Series holding a sample at exactly ts. */
    long countAt(MnemoProcess node, long ts) {
        JsonNode r = node.client.api(tenant, "query", "query", "count(timestamp(" + metric + ") == " + ts / 1000 + ")",
                "time", Long.toString(ts / 1000)).json();
        JsonNode result = r.path("data").path("result");
        return result.isEmpty() ? 0 : Math.round(result.get(0).path("value").get(1).asDouble());
    }

    /** Every acknowledged round, once, in every series. */
    void awaitAllQueryable(MnemoProcess node) {
        awaitExactly(node, acked);
    }

    /** Exactly the samples at {@code expected}, once, in every series. */
    void awaitExactly(MnemoProcess node, SortedSet<Long> expected) {
        String at = Long.toString(acked.last() / 1000 + 1);
        List<Long> want = new ArrayList<>(expected);
        List<List<Long>> seen = new ArrayList<>();
        try {
            Await.until("exactly the expected samples queryable", Duration.ofSeconds(60), () -> {
                JsonNode r = node.client.api(tenant, "query", "query", metric + "[1d]", "time", at).json();
                JsonNode result = r.path("data").path("result");
                seen.clear();
                for (JsonNode s : result) {
                    List<Long> stored = new ArrayList<>();
                    for (JsonNode v : s.path("values")) stored.add(Math.round(v.get(0).asDouble() * 1000));
                    seen.add(stored);
                }
                return seen.size() == SERIES && seen.stream().allMatch(want::equals);
            });
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + "; expected in each of " + SERIES + " series " + want + ", got " + seen, e);
        }
    }
}
