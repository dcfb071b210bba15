package io.mnemo.actors.querier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mnemo.actors.MatcherSpec;
import io.mnemo.actors.TenantLimits;
import io.mnemo.tsdb.LabelMatcher;
import io.mnemo.tsdb.Labels;
import io.mnemo.tsdb.Querier;
import io.mnemo.tsdb.SampleIterator;
import io.mnemo.tsdb.Series;
import io.mnemo.tsdb.SeriesSet;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * The querier the API uses asks each side for its part of the range, both with the query's one
 * limiter, and merges their answers: a series both hold is one series, a sample both hold appears
 * once, and names and values come from both.
 */
class MergingQuerierTest {
    static final long H = 3_600_000;
    static final long NOW = 1_000 * H;
    static final String TENANT = "t";
    static final LabelMatcher[] UP = {LabelMatcher.of(LabelMatcher.Type.EQUAL, "__name__", "up")};

    /** One side: answers from fixed samples, recording what it was asked. */
    static final class Side implements StoreQueryable {
        final Map<Labels, long[]> samples;
        final List<long[]> asked = new ArrayList<>();
        final List<QueryLimiter> limiters = new ArrayList<>();
        RuntimeException failure;

        Side(Map<Labels, long[]> samples) {
            this.samples = samples;
        }

        @Override
        public CompletableFuture<SeriesSet> select(String tenant, long mint, long maxt, MatcherSpec[] matchers,
                                                   boolean labelsOnly, QueryLimiter limiter, OpenStreams streams) {
            asked.add(new long[] {mint, maxt});
            limiters.add(limiter);
            if (failure != null) return CompletableFuture.failedFuture(failure);
            List<Series> out = new ArrayList<>();
            samples.entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(e -> {
                List<Long> ts = new ArrayList<>();
                for (long t : e.getValue()) if (t >= mint && t <= maxt) ts.add(t);
                limiter.addSeries(e.getKey());
                if (!ts.isEmpty()) out.add(series(e.getKey(), ts));
            });
            return CompletableFuture.completedFuture(set(out));
        }

        @Override
        public CompletableFuture<List<String>> labels(String tenant, String name, long mint, long maxt,
                                                      MatcherSpec[] matchers, OpenStreams streams) {
            asked.add(new long[] {mint, maxt});
            List<String> out = new ArrayList<>();
            for (Labels l : samples.keySet()) out.add(name == null ? "job" : l.get(name));
            return CompletableFuture.completedFuture(out.stream().sorted().distinct().toList());
        }
    }

    static Series series(Labels labels, List<Long> ts) {
        return new Series() {
            public Labels labels() { return labels; }

            public SampleIterator iterator() {
                return new SampleIterator() {
                    int i = -1;

                    public boolean next() { return ++i < ts.size(); }

                    public boolean seek(long t) {
                        if (i < 0) i = 0;
                        while (i < ts.size() && ts.get(i) < t) i++;
                        return i < ts.size();
                    }

                    public long timestamp() { return ts.get(i); }

                    public double value() { return ts.get(i) / 1000.0; }
                };
            }
        };
    }

    static SeriesSet set(List<Series> series) {
        return new SeriesSet() {
            int i = -1;

            public boolean next() { return ++i < series.size(); }

            public Series at() { return series.get(i); }
        };
    }

    static Labels up(String instance) {
        return Labels.of("__name__", "up", "instance", instance);
    }

    static TenantLimits limits(int maxSeries) {
        return new TenantLimits(new TenantLimits.Limits(Duration.ZERO, Duration.ofMinutes(10), Duration.ZERO, 1024, 0,
                maxSeries, 0, Duration.ZERO, Duration.ZERO, io.mnemo.actors.OtelTranslationStrategy.UNDERSCORE_ESCAPING_WITH_SUFFIXES,
                java.util.List.of(), false), Map.of());
    }

    static MergingQuerier querier(Side ingesters, Side stores, TimeRouting routing, int maxSeries) {
        return querier(ingesters, stores, routing, maxSeries, Long.MAX_VALUE);
    }

    /** @param ingestersMinTime the oldest sample the ring says ingesters hold */
    static MergingQuerier querier(Side ingesters, Side stores, TimeRouting routing, int maxSeries, long ingestersMinTime) {
        return new MergingQuerier(ingesters, stores, (t, m, d) -> Map.of(), () -> ingestersMinTime, routing,
                limits(maxSeries), Duration.ofSeconds(10), Clock.fixed(Instant.ofEpochMilli(NOW), ZoneOffset.UTC));
    }

    static Map<Labels, List<Long>> read(SeriesSet set) {
        Map<Labels, List<Long>> out = new java.util.LinkedHashMap<>();
        while (set.next()) {
            List<Long> ts = new ArrayList<>();
            SampleIterator it = set.at().iterator();
            while (it.next()) ts.add(it.timestamp());
            out.put(set.at().labels(), ts);
        }
        return out;
    }

    @Test
    void eachSideIsAskedForItsPartAndTheAnswersMergeWithEverySampleOnce() {
        // Blocks hold up to 12 h ago and beyond; ingesters hold the last 13 h: 13 h to 12 h ago is in both.
        long t1 = NOW - 20 * H, t2 = NOW - 12 * H - 30 * 60_000, t3 = NOW - H;
        Side stores = new Side(Map.of(up("a"), new long[] {t1, t2}, up("b"), new long[] {t1}));
        Side ingesters = new Side(Map.of(up("a"), new long[] {t2, t3}, up("c"), new long[] {t3}));
        MergingQuerier q = querier(ingesters, stores, new TimeRouting(Duration.ofHours(13), Duration.ofHours(12)), 0);
        try (Querier querier = q.queryable(TENANT, System.nanoTime() + 10_000_000_000L).querier(NOW - 24 * H, NOW)) {
            Map<Labels, List<Long>> got = read(querier.select(true, UP));
            assertEquals(Map.of(up("a"), List.of(t1, t2, t3), up("b"), List.of(t1), up("c"), List.of(t3)), got);
            assertEquals(List.of(up("a"), up("b"), up("c")), new ArrayList<>(got.keySet()), "sorted by labels");
        }
        assertEquals(List.of(NOW - 24 * H, NOW - 12 * H), List.of(stores.asked.get(0)[0], stores.asked.get(0)[1]));
        assertEquals(List.of(NOW - 13 * H, NOW), List.of(ingesters.asked.get(0)[0], ingesters.asked.get(0)[1]));
        assertSame(stores.limiters.get(0), ingesters.limiters.get(0), "one limiter per query, shared by both sides");
    }

    @Test
    void onlyTheSidesWhoseTimeTheRangeReachesAreAsked() {
        Side stores = new Side(Map.of(up("a"), new long[] {NOW - 30 * H}));
        Side ingesters = new Side(Map.of(up("a"), new long[] {NOW - H}));
        MergingQuerier q = querier(ingesters, stores, new TimeRouting(Duration.ofHours(13), Duration.ofHours(12)), 0);
        assertEquals(List.of(up("a")), q.series(TENANT, NOW - 2 * H, NOW, List.<LabelMatcher[]>of(UP)));
        assertEquals(0, stores.asked.size(), "the last 2 h: ingesters alone");
        assertEquals(1, ingesters.asked.size());
        assertEquals(List.of(up("a")), q.series(TENANT, NOW - 48 * H, NOW - 24 * H, List.<LabelMatcher[]>of(UP)));
        assertEquals(1, stores.asked.size(), "a day ago: store-gateways alone");
        assertEquals(1, ingesters.asked.size());
    }

    @Test
    void ingestersHoldingOlderSamplesAreAskedForThemToo() {
        // A backfill: samples of two days ago in an ingester's head, not shipped yet.
        long old = NOW - 48 * H;
        Side stores = new Side(Map.of());
        Side ingesters = new Side(Map.of(up("a"), new long[] {old}));
        TimeRouting routing = new TimeRouting(Duration.ofHours(13), Duration.ofHours(12));
        assertEquals(List.of(), querier(ingesters, stores, routing, 0).series(TENANT, old - H, old + H,
                List.<LabelMatcher[]>of(UP)), "by the clock alone, ingesters are not asked: the sample would be hidden");
        assertEquals(List.of(up("a")), querier(ingesters, stores, routing, 0, old).series(TENANT, old - H, old + H,
                List.<LabelMatcher[]>of(UP)));
        long[] asked = ingesters.asked.get(ingesters.asked.size() - 1);
        assertEquals(List.of(old, old + H), List.of(asked[0], asked[1]), "from the oldest sample they hold");
    }

    @Test
    void withZeroSettingsBothSidesAreAskedForTheWholeRange() {
        Side stores = new Side(Map.of(up("a"), new long[] {NOW - H}, up("b"), new long[] {NOW - H}));
        Side ingesters = new Side(Map.of(up("a"), new long[] {NOW - H}, up("c"), new long[] {NOW}));
        MergingQuerier q = querier(ingesters, stores, new TimeRouting(Duration.ZERO, Duration.ZERO), 0);
        assertEquals(List.of("a", "b", "c"), q.labelValues(TENANT, "instance", NOW - 2 * H, NOW));
        assertEquals(List.of(NOW - 2 * H, NOW), List.of(stores.asked.get(0)[0], stores.asked.get(0)[1]));
        assertEquals(List.of(NOW - 2 * H, NOW), List.of(ingesters.asked.get(0)[0], ingesters.asked.get(0)[1]));
    }

    @Test
    void aSeriesFetchedFromBothSidesCountsOnceAgainstTheLimit() {
        Side stores = new Side(Map.of(up("a"), new long[] {NOW - 20 * H}, up("b"), new long[] {NOW - 20 * H}));
        Side ingesters = new Side(Map.of(up("a"), new long[] {NOW - H}, up("b"), new long[] {NOW - H}));
        TimeRouting routing = new TimeRouting(Duration.ofHours(13), Duration.ofHours(12));
        assertEquals(2, querier(ingesters, stores, routing, 2).series(TENANT, NOW - 24 * H, NOW, List.<LabelMatcher[]>of(UP)).size());
        Side third = new Side(Map.of(up("c"), new long[] {NOW - H}));
        QueryLimitExceededException e = assertThrows(QueryLimitExceededException.class,
                () -> querier(third, stores, routing, 2).series(TENANT, NOW - 24 * H, NOW, List.<LabelMatcher[]>of(UP)));
        assertEquals("max-fetched-series-per-query", e.limit());
    }

    @Test
    void aFailureOfOneSideFailsTheQuery() {
        Side stores = new Side(Map.of());
        stores.failure = new BlocksUnavailableException("failed to fetch some blocks");
        Side ingesters = new Side(Map.of(up("a"), new long[] {NOW - H}));
        MergingQuerier q = querier(ingesters, stores, new TimeRouting(Duration.ZERO, Duration.ZERO), 0);
        BlocksUnavailableException e = assertThrows(BlocksUnavailableException.class,
                () -> q.series(TENANT, NOW - 2 * H, NOW, List.<LabelMatcher[]>of(UP)));
        assertTrue(e.getMessage().contains("failed to fetch some blocks"));
    }
}
