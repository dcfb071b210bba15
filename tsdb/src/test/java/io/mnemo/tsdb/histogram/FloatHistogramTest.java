package io.mnemo.tsdb.histogram;

import io.mnemo.tsdb.histogram.FloatHistogram.CounterResetHint;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FloatHistogramTest {
    private static final int[] NONE = new int[0];
    private static final double[] EMPTY = new double[0];

    /** An exponential histogram with one span of positive buckets starting at offset. */
    private static FloatHistogram exp(int schema, double count, double sum, int offset, double... buckets) {
        return FloatHistogram.of(schema, 0, 0, count, sum, buckets.length == 0 ? NONE : new int[] {offset, buckets.length},
                buckets, NONE, EMPTY, null, CounterResetHint.UNKNOWN);
    }

    private static FloatHistogram custom(double[] bounds, double... buckets) {
        double count = 0;
        for (double b : buckets) count += b;
        return FloatHistogram.of(FloatHistogram.CUSTOM_BUCKETS_SCHEMA, 0, 0, count, count, new int[] {0, buckets.length},
                buckets, NONE, EMPTY, bounds, CounterResetHint.UNKNOWN);
    }

    @Test
    void addingReducesToTheLowerSchemaAndMergesBuckets() {
        // Schema 1 buckets 1..4 become schema 0 buckets 1 (idx 1, 2) and 2 (idx 3, 4).
        FloatHistogram fine = exp(1, 10, 20, 1, 1, 2, 3, 4);
        FloatHistogram coarse = exp(0, 1, 1, 2, 1);
        FloatHistogram sum = fine.copy();
        assertEquals(0, sum.add(coarse));
        assertEquals(0, sum.schema());
        assertEquals(11, sum.count());
        assertEquals(21, sum.sum());
        assertArrayEquals(new int[] {1, 2}, sum.positiveIndices());
        assertArrayEquals(new double[] {3, 8}, sum.positiveCounts());
        assertEquals(1, fine.schema(), "the added histogram is not changed");
    }

    @Test
    void subtractingKeepsEmptiedBucketsUntilCompacted() {
        FloatHistogram a = exp(0, 3, 3, 0, 1, 2);
        FloatHistogram r = a.copy();
        r.sub(exp(0, 1, 1, 0, 1));
        assertArrayEquals(new int[] {0, 1}, r.positiveIndices());
        assertArrayEquals(new double[] {0, 2}, r.positiveCounts());
        r.compact();
        assertArrayEquals(new int[] {1}, r.positiveIndices());
        assertArrayEquals(new double[] {2}, r.positiveCounts());
    }

    @Test
    void zeroBucketsAreWidenedToTheLargerThreshold() {
        // Schema 0 bucket 0 is (0.5, 1]; a zero bucket of width 1 swallows it.
        FloatHistogram narrow = FloatHistogram.of(0, 0.5, 1, 4, 4, new int[] {0, 2}, new double[] {2, 1}, NONE, EMPTY, null, null);
        FloatHistogram wide = FloatHistogram.of(0, 1, 3, 3, 3, NONE, EMPTY, NONE, EMPTY, null, null);
        FloatHistogram sum = narrow.copy();
        sum.add(wide);
        assertEquals(1, sum.zeroThreshold());
        assertEquals(1 + 2 + 3, sum.zeroCount());
        assertArrayEquals(new int[] {1}, sum.positiveIndices());
        assertArrayEquals(new double[] {1}, sum.positiveCounts());
    }

    @Test
    void exponentialAndCustomBucketsDoNotMix() {
        assertThrows(FloatHistogram.IncompatibleSchemaException.class,
                () -> exp(0, 1, 1, 0, 1).add(custom(new double[] {1}, 1, 0)));
    }

    @Test
    void differingCustomBoundsAreReducedToTheCommonOnes() {
        FloatHistogram a = custom(new double[] {1, 5, 10}, 1, 2, 3, 4); // (-Inf,1] (1,5] (5,10] (10,+Inf]
        FloatHistogram b = custom(new double[] {5, 10}, 10, 20, 30);
        int flags = a.add(b);
        assertEquals(FloatHistogram.CUSTOM_BUCKETS_RECONCILED, flags);
        assertArrayEquals(new double[] {5, 10}, a.customValues());
        assertArrayEquals(new double[] {1 + 2 + 10, 3 + 20, 4 + 30}, a.positiveCounts());
    }

    @Test
    void counterResetsAreDetectedFromCountsBucketsAndHints() {
        FloatHistogram before = exp(0, 5, 5, 0, 2, 3);
        assertFalse(exp(0, 7, 7, 0, 3, 4).detectReset(before));
        assertTrue(exp(0, 4, 4, 0, 2, 2).detectReset(before), "count went down");
        assertTrue(exp(0, 6, 6, 0, 1, 5).detectReset(before), "a bucket went down");
        assertTrue(exp(0, 6, 6, 1, 6).detectReset(before), "a populated bucket is gone");
        assertTrue(exp(1, 6, 6, 0, 2, 4).detectReset(before), "the resolution went up");
        FloatHistogram hinted = exp(0, 4, 4, 0, 2, 2);
        hinted.setCounterResetHint(CounterResetHint.NOT_COUNTER_RESET);
        assertFalse(hinted.detectReset(before), "the hint wins");
    }

    @Test
    void counterResetHintsCombineLikePrometheus() {
        FloatHistogram reset = exp(0, 1, 1, 0, 1);
        reset.setCounterResetHint(CounterResetHint.COUNTER_RESET);
        FloatHistogram notReset = exp(0, 1, 1, 0, 1);
        notReset.setCounterResetHint(CounterResetHint.NOT_COUNTER_RESET);
        FloatHistogram sum = reset.copy();
        assertEquals(FloatHistogram.COUNTER_RESET_COLLISION, sum.add(notReset));
        assertEquals(CounterResetHint.UNKNOWN, sum.counterResetHint());
        FloatHistogram gauge = exp(0, 1, 1, 0, 1);
        gauge.setCounterResetHint(CounterResetHint.GAUGE);
        FloatHistogram mixed = reset.copy();
        assertEquals(0, mixed.add(gauge));
        assertEquals(CounterResetHint.GAUGE, mixed.counterResetHint());
    }

    @Test
    void bucketsAreListedInValueOrderWithTheZeroBucketClamped() {
        FloatHistogram h = FloatHistogram.of(0, 0.3, 2, 6, 0, new int[] {-1, 2}, new double[] {1, 1},
                new int[] {0, 1}, new double[] {2}, null, null);
        List<FloatHistogram.Bucket> b = h.allBuckets();
        assertEquals(List.of(new FloatHistogram.Bucket(-1, -0.5, true, false, 2),
                new FloatHistogram.Bucket(-0.3, 0.3, true, true, 2),
                new FloatHistogram.Bucket(0.3, 0.5, false, true, 1),
                new FloatHistogram.Bucket(0.5, 1, false, true, 1)), b);
        assertEquals("{count:6, sum:0, [-1,-0.5):2, [-0.3,0.3]:2, (0.25,0.5]:1, (0.5,1]:1}", h.toString());
    }

    @Test
    void scalingAndDivisionByZero() {
        FloatHistogram h = exp(0, 2, 4, 0, 2);
        h.copy().mul(-1);
        FloatHistogram negated = h.copy().mul(-1);
        assertEquals(CounterResetHint.GAUGE, negated.counterResetHint());
        assertEquals(-4, negated.sum());
        FloatHistogram zero = h.copy().div(0);
        assertEquals(Double.POSITIVE_INFINITY, zero.count());
        assertEquals(0, zero.positiveIndices().length);
    }

    @Test
    void testComparisonToleratesRoundingAndIgnoresEmptyBuckets() {
        FloatHistogram expected = exp(0, 3, 1, 0, 1, 2);
        FloatHistogram actual = FloatHistogram.of(0, 0, 0, 3.0000000001, 1, new int[] {-1, 3}, new double[] {0, 1, 2},
                NONE, EMPTY, null, CounterResetHint.GAUGE);
        assertTrue(expected.matchesForTest(actual, false));
        assertFalse(expected.matchesForTest(actual, true), "the hint counts once the script names it");
        assertFalse(expected.equalsHistogram(actual), "exact equality sees the empty bucket and the count");
    }
}
