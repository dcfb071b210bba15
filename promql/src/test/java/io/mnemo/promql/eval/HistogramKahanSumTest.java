package io.mnemo.promql.eval;

import io.mnemo.tsdb.histogram.FloatHistogram;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Compensated histogram sums: what plain addition loses next to huge values is kept. */
class HistogramKahanSumTest {
    private static final int[] NONE = new int[0];
    private static final double[] EMPTY = new double[0];

    private static FloatHistogram h(double count, double sum, double... buckets) {
        return FloatHistogram.of(0, 0, 0, count, sum, buckets.length == 0 ? NONE : new int[] {0, buckets.length}, buckets,
                NONE, EMPTY, null, null);
    }

    @Test
    void smallSumsSurviveAHugeValueAddedAndTakenAway() {
        FloatHistogram[] in = {h(1, 1), h(2, 1e100), h(3, 1), h(4, -1e100)};
        HistogramKahanSum k = new HistogramKahanSum(in[0]);
        FloatHistogram plain = in[0].copy();
        for (int i = 1; i < in.length; i++) {
            k.add(in[i]);
            plain.add(in[i]);
        }
        assertEquals(0, plain.sum(), "plain addition loses the small sums");
        assertEquals(2, k.value().sum());
        assertEquals(10, k.value().count());
    }

    @Test
    void everyBucketIsCompensated() {
        HistogramKahanSum k = new HistogramKahanSum(h(1e100, 0, 1e100, 1));
        k.add(h(1, 0, 1, 1));
        k.add(h(-1e100, 0, -1e100, 1));
        FloatHistogram v = k.value();
        assertEquals(1, v.count());
        assertEquals(1, v.positiveCounts()[0], 0, "the first bucket keeps the 1 added beside 1e100");
        assertEquals(3, v.positiveCounts()[1], 0);
    }

    @Test
    void differentSchemasAndZeroBucketsEndInTheLayoutPlainAdditionGives() {
        FloatHistogram fine = FloatHistogram.of(1, 0.001, 1, 7, 10, new int[] {-2, 4}, new double[] {1, 2, 1, 2},
                new int[] {0, 1}, new double[] {1}, null, null);
        FloatHistogram coarse = FloatHistogram.of(0, 0.01, 2, 6, 5, new int[] {0, 2}, new double[] {1, 3}, NONE, EMPTY, null, null);
        HistogramKahanSum k = new HistogramKahanSum(fine);
        k.add(coarse);
        FloatHistogram plain = fine.copy();
        plain.add(coarse);
        assertTrue(plain.compact().matchesForTest(k.value(), false), "expected " + plain + " but got " + k.value());
        assertEquals(0, k.value().schema());
    }

    @Test
    void reconciledCustomBoundsAreReportedAndMixedSchemasRefused() {
        FloatHistogram a = FloatHistogram.of(FloatHistogram.CUSTOM_BUCKETS_SCHEMA, 0, 0, 3, 3, new int[] {0, 3},
                new double[] {1, 1, 1}, NONE, EMPTY, new double[] {5, 10}, null);
        FloatHistogram b = FloatHistogram.of(FloatHistogram.CUSTOM_BUCKETS_SCHEMA, 0, 0, 2, 2, new int[] {0, 2},
                new double[] {1, 1}, NONE, EMPTY, new double[] {10}, null);
        HistogramKahanSum k = new HistogramKahanSum(a);
        assertEquals(FloatHistogram.CUSTOM_BUCKETS_RECONCILED, k.add(b) & FloatHistogram.CUSTOM_BUCKETS_RECONCILED);
        FloatHistogram v = k.value();
        assertEquals(5, v.count());
        assertEquals(3, v.positiveCounts()[0], 0, "(-Inf,10] holds a's first two buckets and b's first");
        assertThrows(FloatHistogram.IncompatibleSchemaException.class, () -> k.add(h(1, 1, 1)));
    }

    @Test
    void scalingAppliesToTheCompensationToo() {
        HistogramKahanSum k = new HistogramKahanSum(h(1, 1e100));
        k.add(h(1, 2));
        k.add(h(1, -1e100));
        k.div(2);
        assertEquals(1, k.value().sum());
        k.mul(4);
        assertEquals(4, k.value().sum());
    }
}
