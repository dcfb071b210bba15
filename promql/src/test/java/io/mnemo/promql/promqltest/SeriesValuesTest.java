package io.mnemo.promql.promqltest;

import io.mnemo.tsdb.StaleNaN;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
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
    void histogramsAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> SeriesValues.parse("{{schema:0 sum:1 count:1}}"));
    }
}
