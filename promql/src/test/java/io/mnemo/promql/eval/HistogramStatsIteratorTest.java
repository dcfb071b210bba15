package io.mnemo.promql.eval;

import io.mnemo.tsdb.HistogramIterator;
import io.mnemo.promql.ast.Expr;
import io.mnemo.promql.ast.Exprs;
import io.mnemo.promql.ast.VectorSelector;
import io.mnemo.promql.parser.Parser;
import io.mnemo.tsdb.histogram.FloatHistogram.CounterResetHint;
import io.mnemo.tsdb.histogram.FloatHistogram;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Which selectors Prometheus reads for histogram statistics only, and the hints that reading gives. */
class HistogramStatsIteratorTest {
    private static final int[] NO_SPANS = new int[0];
    private static final double[] NO_COUNTS = new double[0];

    /** For each selector of the expression, in order, whether it is read for statistics only. */
    private static List<Boolean> statsOnly(String query) {
        Expr e = Parser.parse(query);
        Set<VectorSelector> stats = HistogramStatsIterator.selectors(e);
        List<Boolean> out = new ArrayList<>();
        Exprs.walk(e, (node, path) -> {
            if (node instanceof VectorSelector vs) out.add(stats.contains(vs));
        });
        return out;
    }

    @Test
    void selectorsUnderHistogramStatisticsFunctionsAreReadForStatisticsOnly() {
        assertEquals(List.of(true), statsOnly("histogram_count(sum(h))"));
        assertEquals(List.of(true), statsOnly("histogram_sum(sum_over_time(h[5m]))"));
        assertEquals(List.of(true), statsOnly("histogram_avg(rate(h[5m]))"));
        assertEquals(List.of(false), statsOnly("sum(h)"));
        assertEquals(List.of(false), statsOnly("histogram_count(sum_over_time(h[5m:1m]))"), "a subquery needs buckets");
        assertEquals(List.of(false), statsOnly("histogram_count(h </ 5)"), "trimming needs buckets");
        assertEquals(List.of(false), statsOnly("histogram_quantile(0.5, histogram_count(h))"));
        assertEquals(List.of(true, false), statsOnly("histogram_count(h unless histogram_quantile(0.5, h) < 3)"));
    }

    /** Histograms at 1, 2, 3, 4 (ms): counts 1, 2, 1 (a reset), 3. */
    private static final class Histograms implements HistogramIterator {
        final long[] t = {1, 2, 3, 4};
        final FloatHistogram[] h = {count(1), count(2), count(1), count(3)};
        int i = -1;

        static FloatHistogram count(double c) {
            return FloatHistogram.of(0, 0, 0, c, c, new int[] {0, 1}, new double[] {c}, NO_SPANS, NO_COUNTS, null, null);
        }

        public boolean next() { return ++i < t.length; }
        public boolean seek(long ts) {
            if (i < 0) i = 0;
            while (i < t.length && t[i] < ts) i++;
            return i < t.length;
        }
        public long timestamp() { return t[i]; }
        public double value() { return 0; }
        public FloatHistogram histogram() { return h[i]; }
    }

    @Test
    void unknownHintsBecomeResetOrNotResetAgainstTheHistogramReadBefore() {
        HistogramStatsIterator it = new HistogramStatsIterator(new Histograms());
        List<CounterResetHint> hints = new ArrayList<>();
        for (boolean ok = it.next(); ok; ok = it.next()) hints.add(it.histogram().counterResetHint());
        assertEquals(List.of(CounterResetHint.UNKNOWN, CounterResetHint.NOT_COUNTER_RESET, CounterResetHint.COUNTER_RESET,
                CounterResetHint.NOT_COUNTER_RESET), hints);
    }

    @Test
    void aSeekReadsTheSampleJustBeforeItsTargetAsThePreviousOne() {
        // Windows are (start, end]: the caller seeks start + 1, Prometheus seeks start and reads the sample there.
        HistogramStatsIterator it = new HistogramStatsIterator(new Histograms());
        assertTrue(it.seek(3));
        assertEquals(3, it.timestamp());
        assertEquals(CounterResetHint.COUNTER_RESET, it.histogram().counterResetHint());
        HistogramStatsIterator late = new HistogramStatsIterator(new Histograms());
        assertTrue(late.seek(4));
        assertEquals(CounterResetHint.NOT_COUNTER_RESET, late.histogram().counterResetHint());
        assertFalse(late.next());
    }

    @Test
    void aSeekThatSkipsSamplesForgetsThePreviousHistogram() {
        HistogramStatsIterator it = new HistogramStatsIterator(new Histograms());
        assertTrue(it.next());
        it.histogram();
        assertTrue(it.seek(4));
        assertEquals(4, it.timestamp());
        assertEquals(CounterResetHint.NOT_COUNTER_RESET, it.histogram().counterResetHint(),
                "compared with the sample at 3, read by the seek, not with the one at 1");
        HistogramStatsIterator far = new HistogramStatsIterator(new Histograms());
        assertTrue(far.next());
        far.histogram();
        assertTrue(far.seek(2));
        assertEquals(CounterResetHint.NOT_COUNTER_RESET, far.histogram().counterResetHint(), "the seek did not move");
    }

    @Test
    void knownHintsAndStorageHistogramsStayAsTheyAre() {
        Histograms src = new Histograms();
        src.h[1].setCounterResetHint(CounterResetHint.GAUGE);
        HistogramStatsIterator it = new HistogramStatsIterator(src);
        it.next();
        it.histogram();
        it.next();
        assertEquals(CounterResetHint.GAUGE, it.histogram().counterResetHint());
        it.next();
        assertEquals(CounterResetHint.COUNTER_RESET, it.histogram().counterResetHint());
        assertEquals(CounterResetHint.UNKNOWN, src.h[2].counterResetHint(), "the hint goes on a copy");
    }
}
