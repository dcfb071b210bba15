package io.mnemo.tsdb.histogram;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Bounds are Prometheus's doubles, not the correctly rounded powers of two (which print differently). */
class ExponentialBoundsTest {

    @Test
    void positiveSchemasUsePrometheusTable() {
        assertEquals("0.7071067811865475", Double.toString(ExponentialBounds.upper(-1, 1)), "Math.pow gives ...476");
        assertEquals(1.414213562373095, ExponentialBounds.upper(1, 1));
        assertEquals(0.805245165974627, ExponentialBounds.upper(-5, 4), "correctly rounded: 0.8052451659746273");
        assertEquals(0.9972960560854698, ExponentialBounds.upper(-1, 8));
        assertEquals(0.9972960560854698 * 4, ExponentialBounds.upper(511, 8));
        assertEquals(1.0, ExponentialBounds.upper(0, 3));
        assertEquals(Double.MAX_VALUE, ExponentialBounds.upper(1024 << 3, 3), "the last finite bucket");
    }

    @Test
    void schemasUpToZeroArePowersOfTwo() {
        assertEquals(1.0, ExponentialBounds.upper(0, 0));
        assertEquals(8.0, ExponentialBounds.upper(3, 0));
        assertEquals(4096.0, ExponentialBounds.upper(3, -2));
        assertEquals(0.0625, ExponentialBounds.upper(-1, -2));
        assertEquals(Double.MAX_VALUE, ExponentialBounds.upper(256, -2));
    }

    @Test
    void theApiPrintsPrometheusBounds() {
        FloatHistogram h = FloatHistogram.of(1, 0, 0, 3, 1, new int[] {-1, 1}, new double[] {3}, new int[0], new double[0], null,
                FloatHistogram.CounterResetHint.UNKNOWN);
        assertEquals("[(0.5,0.7071067811865475]:3]", h.allBuckets().toString());
    }
}
