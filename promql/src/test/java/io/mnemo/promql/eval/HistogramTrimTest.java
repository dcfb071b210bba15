package io.mnemo.promql.eval;

import io.mnemo.tsdb.histogram.FloatHistogram;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The trim operators on hand-made histograms, against the values Prometheus 3 gives for them
 * (its native_histograms.test): where the cut falls, how the bucket it falls into is shared out,
 * and how count and sum are estimated from what is left.
 */
class HistogramTrimTest {
    private static final int[] NONE = new int[0];
    private static final double[] EMPTY = new double[0];
    private static final int CUSTOM = FloatHistogram.CUSTOM_BUCKETS_SCHEMA;

    /** Schema 0: zero bucket 1 (width 0.001), (0.5,1]:2 (1,2]:4 (2,4]:8 (4,8]:16, [-1,-0.5):1 [-2,-1):2. */
    private static FloatHistogram exponential() {
        return FloatHistogram.of(0, 0.001, 1, 34, 123.75, new int[] {0, 4}, new double[] {2, 4, 8, 16},
                new int[] {0, 2}, new double[] {1, 2}, null, null);
    }

    /** Custom bounds 5, 10, 15, 20: (-Inf,5]:1 (5,10]:6 (10,15]:4 (15,20]:3 (20,+Inf]:1. */
    private static FloatHistogram custom() {
        return FloatHistogram.of(CUSTOM, 0, 0, 15, 172.5, new int[] {0, 5}, new double[] {1, 6, 4, 3, 1},
                NONE, EMPTY, new double[] {5, 10, 15, 20}, null);
    }

    private static void assertHistogram(FloatHistogram expected, FloatHistogram actual) {
        assertTrue(expected.matchesForTest(actual, false), "expected " + expected + " but got " + actual);
    }

    @Test
    void aCutInsideAnExponentialBucketSharesItOnALogScale() {
        // sqrt(2) is half way through (1,2] on a log scale: 2 of its 4 stay below, 2 above.
        double cut = Math.sqrt(2);
        assertHistogram(FloatHistogram.of(0, 0.001, 1, 8, 0.2570938865989847, new int[] {0, 2}, new double[] {2, 2},
                new int[] {0, 2}, new double[] {1, 2}, null, null), HistogramTrim.trim(exponential(), cut, true));
        // Above the cut, the kept half of (1,2] stands at sqrt(sqrt(2) * 2), the middle of (sqrt(2), 2].
        assertHistogram(FloatHistogram.of(0, 0.001, 0, 26, 116.50067065070982, new int[] {1, 3}, new double[] {2, 8, 16},
                NONE, EMPTY, null, null), HistogramTrim.trim(exponential(), cut, false));
    }

    @Test
    void aCutAtABucketBoundKeepsWholeBucketsAndReestimatesTheSum() {
        // Kept buckets count at their geometric middles: sqrt(0.5)*2 + sqrt(2)*4 - sqrt(0.5)*1 - sqrt(2)*2.
        assertHistogram(FloatHistogram.of(0, 0.001, 1, 10, 3.5355339059327373, new int[] {0, 2}, new double[] {2, 4},
                new int[] {0, 2}, new double[] {1, 2}, null, null), HistogramTrim.trim(exponential(), 2, true));
        assertHistogram(FloatHistogram.of(0, 0.001, 0, 24, 113.13708498984761, new int[] {2, 2}, new double[] {8, 16},
                NONE, EMPTY, null, null), HistogramTrim.trim(exponential(), 2, false));
    }

    @Test
    void negativeBucketsAreCutOnTheirOwnLogScale() {
        assertHistogram(FloatHistogram.of(0, 0.001, 0, 2, -2.8284271247461903, NONE, EMPTY, new int[] {1, 1},
                new double[] {2}, null, null), HistogramTrim.trim(exponential(), -1, true));
        // Schema 2, cut at -1.3 inside [-1.4142,-1.1892): 0.4579 of its 1 stays below.
        FloatHistogram h = FloatHistogram.of(2, 0.001, 1, 28, 12.8286080906, new int[] {0, 5}, new double[] {1, 2, 4, 7, 3},
                new int[] {0, 4}, new double[] {1, 5, 3, 1}, null, null);
        assertHistogram(FloatHistogram.of(2, 0.001, 0, 2.45786052095524, -3.5189307983595066, NONE, EMPTY,
                new int[] {2, 2}, new double[] {1.45786052095524, 1}, null, null), HistogramTrim.trim(h, -1.3, true));
    }

    @Test
    void theZeroBucketIsCutLinearlyOverTheHalfWithPopulatedNeighbours() {
        // Only positive buckets: the zero bucket's 2 are taken to lie in [0, 0.5].
        FloatHistogram h = FloatHistogram.of(0, 0.5, 2, 12, 8.0210678118654755, new int[] {0, 1}, new double[] {10},
                NONE, EMPTY, null, null);
        assertHistogram(FloatHistogram.of(0, 0.5, 1.6, 11.6, 7.551067811865476, new int[] {0, 1}, new double[] {10},
                NONE, EMPTY, null, null), HistogramTrim.trim(h, 0.1, false));
        assertHistogram(FloatHistogram.of(0, 0.5, 0.4, 0.4, 0.02, NONE, EMPTY, NONE, EMPTY, null, null),
                HistogramTrim.trim(h, 0.1, true));
        // Nothing but a zero bucket: it spans [-0.1, 0.1].
        FloatHistogram zeroOnly = FloatHistogram.of(0, 0.1, 5, 5, 0, NONE, EMPTY, NONE, EMPTY, null, null);
        assertHistogram(FloatHistogram.of(0, 0.1, 1.25, 1.25, 0.09375, NONE, EMPTY, NONE, EMPTY, null, null),
                HistogramTrim.trim(zeroOnly, 0.05, false));
    }

    @Test
    void aCutInsideACustomBucketSharesItLinearly() {
        // 13 is 3/5 through (10,15]: 2.4 of its 4 below, standing at 11.5; 1.6 above at 14.
        assertHistogram(FloatHistogram.of(CUSTOM, 0, 0, 9.4, 75.1, new int[] {0, 3}, new double[] {1, 6, 2.4}, NONE, EMPTY,
                new double[] {5, 10, 15, 20}, null), HistogramTrim.trim(custom(), 13, true));
        assertHistogram(FloatHistogram.of(CUSTOM, 0, 0, 5.6, 94.9, new int[] {2, 3}, new double[] {1.6, 3, 1}, NONE, EMPTY,
                new double[] {5, 10, 15, 20}, null), HistogramTrim.trim(custom(), 13, false));
    }

    @Test
    void infiniteCustomBucketsAreDroppedUnlessTheCutLeavesThemWhole() {
        // The +Inf bucket's spread is unknown: cut anywhere above 20, it goes.
        assertHistogram(FloatHistogram.of(CUSTOM, 0, 0, 14, 150, new int[] {0, 4}, new double[] {1, 6, 4, 3}, NONE, EMPTY,
                new double[] {5, 10, 15, 20}, null), HistogramTrim.trim(custom(), 50, true));
        // A first bucket up to a positive bound is taken to start at 0: 2/5 of (-Inf,5] lie below 2.
        FloatHistogram h = FloatHistogram.of(CUSTOM, 0, 0, 101, 33, new int[] {0, 2}, new double[] {1, 100}, NONE, EMPTY,
                new double[] {5}, null);
        assertHistogram(FloatHistogram.of(CUSTOM, 0, 0, 0.4, 0.4, new int[] {0, 1}, new double[] {0.4}, NONE, EMPTY,
                new double[] {5}, null), HistogramTrim.trim(h, 2, true));
    }

    @Test
    void aCutThatRemovesNothingKeepsTheHistogramAsItIs() {
        FloatHistogram h = custom();
        assertSame(h, HistogramTrim.trim(h, Double.NEGATIVE_INFINITY, false), "count and sum are not re-estimated");
        assertSame(h, HistogramTrim.trim(h, Double.POSITIVE_INFINITY, true));
        FloatHistogram empty = FloatHistogram.of(0, 0, 0, 0, 0, NONE, EMPTY, NONE, EMPTY, null, null);
        assertSame(empty, HistogramTrim.trim(empty, 5, true));
    }

    @Test
    void aCutBelowEverythingLeavesAnEmptyHistogramOfTheSameLayout() {
        assertHistogram(FloatHistogram.of(CUSTOM, 0, 0, 0, 0, NONE, EMPTY, NONE, EMPTY, new double[] {5, 10, 15, 20}, null),
                HistogramTrim.trim(custom(), Double.NEGATIVE_INFINITY, true));
        assertHistogram(FloatHistogram.of(0, 0.001, 0, 0, 0, NONE, EMPTY, NONE, EMPTY, null, null),
                HistogramTrim.trim(exponential(), Double.POSITIVE_INFINITY, false));
    }
}
