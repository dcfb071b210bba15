package io.mnemo.promql.promqltest;

import io.mnemo.tsdb.StaleNaN;
import io.mnemo.tsdb.histogram.FloatHistogram;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SeriesValuesTest {
    private static double[] values(String text) {
        SeriesValues v = SeriesValues.parse(text);
        double[] out = new double[v.size()];
        for (int i = 0; i < v.size(); i++) out[i] = v.isOmitted(i) ? -999 : v.value(i);
        return out;
    }

    @Test
    void expandingSequencesRepeatOneMoreTimeThanTheCount() {
        assertArrayEquals(new double[] {0, 10, 20, 30}, values("0+10x3"));
        assertArrayEquals(new double[] {10, 8, 6}, values("10-2x2"));
        assertArrayEquals(new double[] {5, 5, 5}, values("5x2"));
        assertArrayEquals(new double[] {-1, 0, 1}, values("-1+1x2"));
        assertArrayEquals(new double[] {1000, 1100}, values("1e3+1e2x1"));
        assertArrayEquals(new double[] {1, 2, 3, 4, 5}, values("1+1x1 3+1x2"));
    }

    @Test
    void gapsAndSpecialValues() {
        assertArrayEquals(new double[] {1, -999, 3, -999, -999}, values("1 _ 3 _x2"));
        SeriesValues v = SeriesValues.parse("stale Inf -Inf NaN");
        assertTrue(StaleNaN.is(v.value(0)));
        assertEquals(Double.POSITIVE_INFINITY, v.value(1));
        assertEquals(Double.NEGATIVE_INFINITY, v.value(2));
        assertTrue(Double.isNaN(v.value(3)) && !StaleNaN.is(v.value(3)));
        assertFalse(v.isOmitted(0));
    }

    @Test
    void nativeHistogramsRepeatAndGrow() {
        SeriesValues v = SeriesValues.parse("{{schema:1 sum:2 count:3 z_bucket:1 z_bucket_w:0.5 buckets:[1 1] offset:2 "
                + "n_buckets:[0 0 1]}}x1 {{count:1 buckets:[1]}}+{{count:2 buckets:[2] counter_reset_hint:gauge}}x2 _");
        assertEquals(6, v.size());
        FloatHistogram first = v.histogram(0);
        assertEquals(1, first.schema());
        assertEquals(3, first.count());
        assertEquals(0.5, first.zeroThreshold());
        assertArrayEquals(new int[] {2, 3}, first.positiveIndices());
        assertArrayEquals(new int[] {0, 1, 2}, first.negativeIndices());
        assertSame(first, v.histogram(1));
        assertFalse(v.counterResetHintSet(0));
        assertEquals(List.of(1.0, 3.0, 5.0), List.of(v.histogram(2).count(), v.histogram(3).count(), v.histogram(4).count()));
        assertArrayEquals(new double[] {5}, v.histogram(4).positiveCounts());
        assertTrue(v.counterResetHintSet(4), "the increment names its hint");
        assertTrue(v.isOmitted(5));
        // Prometheus's bounds of schema 1 (its table: 2^-0.5 as 0.7071067811865475), not the correctly rounded powers
        assertEquals("{count:3, sum:2, [-2,-1.414213562373095):1, [-0.5,0.5]:1, (1.414213562373095,2]:1, (2,2.82842712474619]:1}",
                first.toString());
    }

    @Test
    void malformedHistogramsAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> SeriesValues.parse("{{schema:0 sum:1"));
        assertThrows(IllegalArgumentException.class, () -> SeriesValues.parse("{{sum:1 sum:2}}"));
        assertThrows(IllegalArgumentException.class, () -> SeriesValues.parse("{{counter_reset_hint:maybe}}"));
    }
}
