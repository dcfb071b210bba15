package io.mnemo.promql;

import io.mnemo.promql.promqltest.InMemoryStorage;
import io.mnemo.promql.value.Matrix;
import io.mnemo.promql.value.Vector;
import io.mnemo.tsdb.LabelMatcher;
import io.mnemo.tsdb.Labels;
import io.mnemo.tsdb.Querier;
import io.mnemo.tsdb.Queryable;
import io.mnemo.tsdb.Series;
import io.mnemo.tsdb.SeriesSet;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Engine behaviour beyond the conformance scripts: modes, annotations, ordering, limits, cancellation. */
class EngineSemanticsTest {
    private static final long M = 60_000;
    private final InMemoryStorage storage = new InMemoryStorage();
    private final Engine engine = new Engine();
    private final Engine delayed = new Engine(EngineOptions.DEFAULT.withDelayedNameRemoval(true));

    private void load(Labels l, double... perMinute) {
        for (int i = 0; i < perMinute.length; i++) storage.append(l, i * M, perMinute[i]);
    }

    private static Labels l(String... kv) { return Labels.of(kv); }

    @Test
    void rateDropsTheNameRightAwayUnlessRemovalIsDelayed() {
        load(l("__name__", "a_total", "env", "1"), 0, 60, 120);
        load(l("__name__", "b_total", "env", "1"), 0, 60, 120);
        // Prometheus's default: the names go inside rate, and two series become one labelset.
        EvaluationException e = assertThrows(EvaluationException.class,
                () -> engine.instantQuery(storage, "sum(rate({env=\"1\"}[2m])) by (env)", 2 * M));
        assertEquals("vector cannot contain metrics with the same labelset", e.getMessage());
        // With delayed removal (the test scripts' setting) the sum sees both series.
        Vector v = assertInstanceOf(Vector.class, delayed.instantQuery(storage, "sum(rate({env=\"1\"}[2m])) by (env)", 2 * M));
        assertEquals(l("env", "1"), v.labels(0));
        assertEquals(2.0, v.value(0), 1e-9);
    }

    @Test
    void comparisonsKeepTheNameOnlyWithDelayedRemoval() {
        load(l("__name__", "a_total", "env", "1"), 0, 60, 120);
        String q = "rate(a_total[2m]) > a_total * 0";
        Vector immediate = assertInstanceOf(Vector.class, engine.instantQuery(storage, q, 2 * M));
        assertEquals(l("env", "1"), immediate.labels(0));
        // Prometheus with delayed removal loses rate's "drop the name" mark in a filtering vector comparison.
        Vector kept = assertInstanceOf(Vector.class, delayed.instantQuery(storage, q, 2 * M));
        assertEquals(l("__name__", "a_total", "env", "1"), kept.labels(0));
    }

    @Test
    void warningsAndInfosComeWithTheResultAndPointAtTheExpression() {
        load(l("__name__", "requests", "job", "a"), 0, 1, 2, 3);
        QueryResult r = engine.execInstant(storage, "sum(rate(requests[3m]))", 3 * M);
        assertEquals(List.of(), r.warnings());
        assertEquals(List.of("PromQL info: metric might not be a counter, name does not end in _total/_sum/_count/_bucket: "
                + "\"requests\" (1:10)"), r.infos());
        QueryResult w = engine.execRange(storage, "sort(requests)", 0, 3 * M, M);
        assertEquals(List.of("PromQL warning: sort is ineffective for range queries since results are always ordered by "
                + "labels (1:1)"), w.warnings());
        QueryResult q = engine.execInstant(storage, "quantile(2, requests)", 3 * M);
        assertEquals(List.of("PromQL warning: quantile value should be between 0 and 1, got 2 (1:10)"), q.warnings());
    }

    @Test
    void instantResultsKeepTheOrderTheQueryProduces() {
        load(l("__name__", "m", "i", "a"), 3);
        load(l("__name__", "m", "i", "b"), 1);
        load(l("__name__", "m", "i", "c"), 2);
        Vector top = assertInstanceOf(Vector.class, engine.instantQuery(storage, "topk(3, m)", 0));
        assertArrayEquals(new double[] {3, 2, 1}, new double[] {top.value(0), top.value(1), top.value(2)});
        Vector sorted = assertInstanceOf(Vector.class, engine.instantQuery(storage, "sort(m)", 0));
        assertArrayEquals(new double[] {1, 2, 3}, new double[] {sorted.value(0), sorted.value(1), sorted.value(2)});
        Matrix range = engine.rangeQuery(storage, "sort_desc(m)", 0, M, M);
        assertEquals(List.of("a", "b", "c"), range.series().stream().map(s -> s.labels().get("i")).toList());
    }

    @Test
    void matchingErrorsNameTheDuplicates() {
        load(l("__name__", "x", "g", "1", "i", "a"), 1);
        load(l("__name__", "x", "g", "1", "i", "b"), 2);
        load(l("__name__", "y", "g", "1"), 10);
        EvaluationException e = assertThrows(EvaluationException.class,
                () -> engine.instantQuery(storage, "y + on(g) x", 0));
        assertEquals("found duplicate series for the match group {g=\"1\"} on the right hand-side of the operation: "
                + "[{__name__=\"x\", g=\"1\", i=\"a\"}, {__name__=\"x\", g=\"1\", i=\"b\"}];many-to-many matching not allowed: "
                + "matching labels must be unique on one side", e.getMessage());
        Vector v = assertInstanceOf(Vector.class, engine.instantQuery(storage, "x + on(g) group_left y", 0));
        assertEquals(2, v.size());
        assertEquals(11, v.value(0));
        assertEquals(l("g", "1", "i", "a"), v.labels(0));
    }

    @Test
    void subqueriesStepAtTheDefaultResolutionAlignedToIt() {
        for (int i = 0; i <= 20; i++) storage.append(l("__name__", "m"), i * 30_000L, i);
        Engine coarse = new Engine(EngineOptions.DEFAULT.withDefaultSubqueryStep(2 * M));
        Matrix points = assertInstanceOf(Matrix.class, coarse.instantQuery(storage, "m[5m:]", 9 * M + 1));
        // Steps at multiples of 2m in (4m+1ms, 9m+1ms]: 6m and 8m.
        assertArrayEquals(new long[] {6 * M, 8 * M}, points.get(0).timestamps());
        assertArrayEquals(new double[] {12, 16}, points.get(0).values());
    }

    @Test
    void rangeFunctionWindowsCountTowardsTheSampleLimit() {
        for (int i = 0; i < 100; i++) storage.append(l("__name__", "m"), i * 1000L, i);
        Engine small = new Engine(EngineOptions.DEFAULT.withMaxSamples(60));
        assertEquals(1, small.rangeQuery(storage, "count_over_time(m[50s])", 60_000, 60_000, 1000).size());
        EvaluationException e = assertThrows(EvaluationException.class,
                () -> small.rangeQuery(storage, "count_over_time(m[70s])", 90_000, 90_000, 1000));
        assertEquals("query processing would load too many samples into memory in query execution", e.getMessage());
    }

    @Test
    void interruptingTheQueryThreadCancelsTheQuery() throws Exception {
        for (int i = 0; i < 1000; i++) storage.append(l("__name__", "m", "i", String.valueOf(i)), 0, i);
        CountDownLatch selecting = new CountDownLatch(1);
        Queryable slow = (mint, maxt) -> new Querier() {
            @Override
            public SeriesSet select(boolean sorted, LabelMatcher... matchers) {
                SeriesSet all = storage.querier(mint, maxt).select(sorted, matchers);
                return new SeriesSet() {
                    boolean first = true;

                    @Override
                    public boolean next() {
                        if (first) {
                            first = false;
                            selecting.countDown();
                            // Stands in for storage that takes long: runs until the thread is interrupted.
                            while (!Thread.currentThread().isInterrupted()) Thread.onSpinWait();
                        }
                        return all.next();
                    }

                    @Override
                    public Series at() { return all.at(); }
                };
            }

            @Override
            public List<String> labelNames(LabelMatcher... matchers) { return List.of(); }

            @Override
            public List<String> labelValues(String name, LabelMatcher... matchers) { return List.of(); }
        };
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread t = new Thread(() -> {
            try {
                engine.instantQuery(slow, "count(m)", 0);
            } catch (Throwable e) {
                failure.set(e);
            }
        });
        t.start();
        assertTrue(selecting.await(10, TimeUnit.SECONDS));
        t.interrupt();
        t.join(10_000);
        QueryCanceledException e = assertInstanceOf(QueryCanceledException.class, failure.get());
        assertEquals(ErrorType.CANCELED, e.errorType());
        assertEquals("query was canceled in expression evaluation", e.getMessage());
    }

    @Test
    void seriesWhoseNamesGoAreMergedInRangeResults() {
        // a exists in the first half, b in the second: both become {} once "-" drops their names.
        storage.append(l("__name__", "a"), 0, 1);
        storage.append(l("__name__", "a"), 60_000, StaleNaNHolder.STALE);
        storage.append(l("__name__", "b"), 120_000, 3);
        Matrix m = delayed.rangeQuery(storage, "-a or -b", 0, 120_000, 60_000);
        assertEquals(1, m.size());
        assertEquals(Labels.EMPTY, m.get(0).labels());
        assertArrayEquals(new long[] {0, 120_000}, m.get(0).timestamps());
        assertArrayEquals(new double[] {-1, -3}, m.get(0).values());
        List<String> names = new ArrayList<>();
        for (Matrix.Series s : engine.rangeQuery(storage, "a or b", 0, 120_000, 60_000).series()) names.add(s.labels().metricName());
        assertEquals(List.of("a", "b"), names);
    }

    private static final class StaleNaNHolder {
        static final double STALE = io.mnemo.tsdb.StaleNaN.VALUE;
    }
}
