package io.mnemo.test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.mnemo.tsdb.Labels;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Predicate;

/**
 * A steady push load on nodes that may die: senders each own a share of the series and push one
 * sample per series every round (rounds paced by the clock, sample timestamps one second apart),
 * to the targets in turn, and go on after a failure. Every push is recorded with when it started,
 * when it was answered and how, and every acknowledged sample is remembered, so that the test can
 * check each series holds exactly what was acknowledged (plus perhaps unacknowledged ones), none twice.
 */
final class PushLoad {
    static final long T0 = 1_700_000_000_000L;
    static final long STEP = 1_000;

    /** One push: which node, when it started and was answered (System.nanoTime), and its status (0: no HTTP answer). */
    record Push(String node, int round, long startNanos, long endNanos, int status, String body) {
        boolean ok() {
            return status == 200;
        }
    }

    final String tenant;
    final String metric;
    final int series;
    final List<Push> pushes = new CopyOnWriteArrayList<>();
    final Map<Integer, ConcurrentSkipListSet<Long>> acked = new ConcurrentHashMap<>();
    final Map<Integer, ConcurrentSkipListSet<Long>> attempted = new ConcurrentHashMap<>();
    final AtomicInteger ackedPushes = new AtomicInteger();
    private final List<MnemoProcess> targets = new CopyOnWriteArrayList<>();
    private final AtomicBoolean stop = new AtomicBoolean();
    private final List<Thread> senders = new ArrayList<>();

    PushLoad(String tenant, String metric, int series, int senderCount, long roundMillis, List<MnemoProcess> targets) {
        this.tenant = tenant;
        this.metric = metric;
        this.series = series;
        this.targets.addAll(targets);
        long start = System.nanoTime();
        long roundNanos = roundMillis * 1_000_000;
        for (int k = 0; k < senderCount; k++) {
            final int sender = k;
            Thread t = new Thread(() -> {
                int last = -1;
                for (int turn = sender; !stop.get(); turn++) {
                    // Pace by the clock; a sender held up by a slow answer skips the rounds it missed.
                    int round = Math.max(last + 1, (int) ((System.nanoTime() - start) / roundNanos));
                    LockSupport.parkNanos(start + round * roundNanos - System.nanoTime());
                    if (stop.get()) return;
                    List<MnemoProcess> now = List.copyOf(targets);
                    push(sender, senderCount, round, now.get(turn % now.size()));
                    last = round;
                }
            }, "push-load-" + k);
            t.start();
            senders.add(t);
        }
    }

    /** Pushes go to these nodes from now on (a load balancer's view of which are up). */
    void target(List<MnemoProcess> nodes) {
        targets.clear();
        targets.addAll(nodes);
    }

    private void push(int sender, int senderCount, int round, MnemoProcess node) {
        long ts = T0 + round * STEP;
        RemoteWrite w = RemoteWrite.request();
        for (int s = sender; s < series; s += senderCount) {
            w.series(labels(s), new long[] {ts}, new double[] {round});
            attempted.computeIfAbsent(s, x -> new ConcurrentSkipListSet<>()).add(ts);
        }
        long started = System.nanoTime();
        MnemoClient.Response r;
        try {
            r = node.client.push(tenant, w.encode());
        } catch (RuntimeException noAnswer) {
            pushes.add(new Push(node.name, round, started, System.nanoTime(), 0, noAnswer.toString()));
            return;
        }
        pushes.add(new Push(node.name, round, started, System.nanoTime(), r.status(), r.body()));
        if (r.status() != 200) return;
        for (int s = sender; s < series; s += senderCount) {
            acked.computeIfAbsent(s, x -> new ConcurrentSkipListSet<>()).add(ts);
        }
        ackedPushes.incrementAndGet();
    }

    /** Median and slowest answer time of these pushes, for the test's report. */
    static String latency(List<Push> pushes) {
        long[] ms = pushes.stream().mapToLong(p -> (p.endNanos() - p.startNanos()) / 1_000_000).sorted().toArray();
        return ms.length == 0 ? "no pushes" : "median " + ms[ms.length / 2] + " ms, slowest " + ms[ms.length - 1] + " ms";
    }

    Labels labels(int s) {
        return Labels.of("__name__", metric, "job", "load", "series", Integer.toString(s));
    }

    void stop() throws InterruptedException {
        stop.set(true);
        for (Thread t : senders) t.join();
    }

    List<Push> pushes(Predicate<Push> filter) {
        return pushes.stream().filter(filter).toList();
    }

    /**
     * Through {@code via}'s querier: every acknowledged sample is there, nothing is there that was
     * not sent, no series holds a timestamp twice, and count_over_time agrees with what the range
     * query returned. Returns the number of samples checked.
     */
    long verify(MnemoProcess via) {
        assertTrue(ackedPushes.get() > 0, "some pushes were acknowledged");
        long maxTs = attempted.values().stream().mapToLong(ConcurrentSkipListSet::last).max().orElseThrow();
        String at = Long.toString(maxTs / 1000 + 1);
        JsonNode r = via.client.api(tenant, "query", "query", metric + "[1d]", "time", at).json();
        assertEquals("success", r.path("status").asText(), via.name + ": " + r);
        JsonNode counts = via.client.api(tenant, "query", "query", "count_over_time(" + metric + "[1d])", "time", at).json();
        assertEquals("success", counts.path("status").asText(), via.name + ": " + counts);
        Map<Integer, Long> countOf = new ConcurrentHashMap<>();
        for (JsonNode s : counts.path("data").path("result")) {
            countOf.put(Integer.parseInt(s.path("metric").path("series").asText()), Math.round(s.path("value").get(1).asDouble()));
        }
        int checked = 0;
        long samples = 0;
        for (JsonNode s : r.path("data").path("result")) {
            int id = Integer.parseInt(s.path("metric").path("series").asText());
            List<Long> stored = new ArrayList<>();
            for (JsonNode v : s.path("values")) stored.add(Math.round(v.get(0).asDouble() * 1000));
            for (int i = 1; i < stored.size(); i++) {
                assertTrue(stored.get(i) > stored.get(i - 1), via.name + ": series " + id + " holds " + stored.get(i) + " twice or out of order");
            }
            List<Long> lost = new ArrayList<>(acked.getOrDefault(id, new ConcurrentSkipListSet<>()));
            lost.removeAll(stored);
            assertTrue(lost.isEmpty(), via.name + ": series " + id + " lost " + lost.size() + " acknowledged samples, e.g. "
                    + lost.subList(0, Math.min(5, lost.size())));
            assertTrue(attempted.get(id).containsAll(stored), via.name + ": series " + id + " holds samples never sent");
            assertEquals(stored.size(), countOf.get(id), via.name + ": count_over_time of series " + id);
            samples += acked.getOrDefault(id, new ConcurrentSkipListSet<>()).size();
            checked++;
        }
        assertEquals(acked.size(), checked, via.name + ": every series with acknowledged samples is there");
        return samples;
    }
}
