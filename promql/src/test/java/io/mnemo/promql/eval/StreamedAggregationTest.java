package io.mnemo.promql.eval;

import io.mnemo.promql.Engine;
import io.mnemo.promql.EngineOptions;
import io.mnemo.promql.EvaluationException;
import io.mnemo.promql.promqltest.InMemoryStorage;
import io.mnemo.promql.value.Vector;
import io.mnemo.tsdb.Labels;
import io.mnemo.tsdb.histogram.FloatHistogram.CounterResetHint;
import io.mnemo.tsdb.histogram.FloatHistogram;
import java.util.Random;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Instant aggregations of a range function over a range selector are folded series by series
 * ({@code Aggregations.streamed}). Each is checked against the same expression that the engine
 * evaluates the usual way (the function's output held whole first): {@code (f(x[r]) * 1)} has a
 * binary expression inside the aggregation, so it is not streamed, and multiplying by one changes
 * no value. The two must agree to the bit, since the samples meet the cells in the same order.
 */
class StreamedAggregationTest {
    private static final long S = 1_000;
    private final InMemoryStorage storage = new InMemoryStorage();
    private final Engine engine = new Engine();

    private void loadSeries(int series) {
        Random random = new Random(42);
        for (int s = 0; s < series; s++) {
            Labels counter = Labels.of("__name__", "req_total", "pod", "pod-" + s % 37, "series", Integer.toString(s));
            Labels gauge = Labels.of("__name__", "temp", "pod", "pod-" + s % 37, "series", Integer.toString(s));
            double c = 0;
            for (int i = 0; i < 40; i++) {
                c += random.nextInt(100) + random.nextDouble();
                if (random.nextInt(50) == 0) c = random.nextDouble(); // a counter reset now and then
                storage.append(counter, i * 15 * S, c);
                storage.append(gauge, i * 15 * S, random.nextGaussian() * 1e3);
            }
        }
    }

    private static void assertSame(Vector expected, Vector actual, String query) {
        assertEquals(expected.size(), actual.size(), query);
        for (int i = 0; i < expected.size(); i++) {
            assertEquals(expected.labels(i), actual.labels(i), query);
            assertEquals(Double.doubleToRawLongBits(expected.value(i)), Double.doubleToRawLongBits(actual.value(i)),
                    query + " " + expected.labels(i) + ": " + expected.value(i) + " vs " + actual.value(i));
        }
    }

    @Test
    void everyStreamedAggregationAnswersAsTheFunctionHeldWholeDoes() {
        loadSeries(3_000);
        String[] aggs = {"sum", "avg", "count", "min", "max", "group", "stddev", "stdvar"};
        String[] fns = {"rate(req_total[5m])", "increase(req_total[2m])", "count_over_time(temp[5m])",
                "avg_over_time(temp[5m])", "max_over_time(temp[3m])", "quantile_over_time(0.9, temp[5m])"};
        for (String agg : aggs) {
            for (String fn : fns) {
                for (String by : new String[] {"", " by (pod)", " without (series)"}) {
                    String streamed = agg + by + " (" + fn + ")";
                    String whole = agg + by + " (" + fn + " * 1)";
                    Vector expected = assertInstanceOf(Vector.class, engine.instantQuery(storage, whole, 600 * S));
                    Vector actual = assertInstanceOf(Vector.class, engine.instantQuery(storage, streamed, 600 * S));
                    assertTrue(expected.size() > 0, whole);
                    assertSame(expected, actual, streamed);
                }
            }
        }
    }

    @Test
    void theStreamedInputStillCountsAgainstMaxSamples() {
        loadSeries(1_000);
        // 1,000 series of rate's output are 1,000 samples held in Prometheus's evaluation; folding them
        // one at a time must not let a query through that the limit stops.
        Engine limited = new Engine(EngineOptions.DEFAULT.withMaxSamples(900));
        EvaluationException e = assertThrows(EvaluationException.class,
                () -> limited.instantQuery(storage, "sum(rate(req_total[5m]))", 600 * S));
        assertTrue(e.getMessage().contains("too many samples"), e.getMessage());
    }

    @Test
    void equalLabelSetsAfterTheFunctionAreStillAnError() {
        storage.append(Labels.of("__name__", "a_total", "env", "1"), 0, 1);
        storage.append(Labels.of("__name__", "a_total", "env", "1"), 60 * S, 2);
        storage.append(Labels.of("__name__", "b_total", "env", "1"), 0, 1);
        storage.append(Labels.of("__name__", "b_total", "env", "1"), 60 * S, 2);
        EvaluationException e = assertThrows(EvaluationException.class,
                () -> engine.instantQuery(storage, "sum(rate({env=\"1\"}[2m]))", 60 * S));
        assertEquals("vector cannot contain metrics with the same labelset", e.getMessage());
    }

    @Test
    void aHistogramPointHandsTheWholeAggregationToTheStepWiseEvaluation() {
        loadSeries(200);
        // A native histogram series after the float ones: the float sum stops, and the usual
        // evaluation answers (Prometheus: the float part of a mixed sum is dropped with a warning).
        Labels hist = Labels.of("__name__", "zzz_total", "pod", "pod-1", "series", "h");
        for (int i = 0; i < 40; i++) {
            storage.appendHistogram(hist, i * 15 * S, FloatHistogram.of(0, 0, 0, 10.0 * i, 5.0 * i, new int[] {0, 1},
                    new double[] {10.0 * i}, new int[0], new double[0], null, CounterResetHint.UNKNOWN));
        }
        String streamed = "sum by (pod) (rate({__name__=~\"req_total|zzz_total\"}[5m]))";
        String whole = "sum by (pod) (rate({__name__=~\"req_total|zzz_total\"}[5m]) * 1)";
        Vector expected = assertInstanceOf(Vector.class, engine.instantQuery(storage, whole, 600 * S));
        Vector actual = assertInstanceOf(Vector.class, engine.instantQuery(storage, streamed, 600 * S));
        assertEquals(expected.size(), actual.size());
        for (int i = 0; i < expected.size(); i++) {
            assertEquals(expected.labels(i), actual.labels(i));
            if (expected.histogram(i) != null) {
                assertNotNull(actual.histogram(i), "pod-1 sums a histogram");
                assertEquals(expected.histogram(i).count(), actual.histogram(i).count());
            } else {
                assertNull(actual.histogram(i));
                assertEquals(expected.value(i), actual.value(i));
            }
        }
    }
}
