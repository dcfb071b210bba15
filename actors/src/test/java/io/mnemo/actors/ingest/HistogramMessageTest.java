package io.mnemo.actors.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mnemo.tsdb.histogram.FloatHistogram;
import io.mnemo.tsdb.histogram.FloatHistogram.CounterResetHint;
import io.mnemo.tsdb.histogram.Histogram;
import org.junit.jupiter.api.Test;

class HistogramMessageTest {

    @Test
    void integerHistogramsDecodeAsPrometheusEncodesThem() {
        Histogram h = Histogram.of(3, 1e-128, 4, 44, 12.5, new int[] {-2, 3, 4, 2}, new long[] {1, 2, -1, 3, 1},
                new int[] {0, 2}, new long[] {4, -2}, null, CounterResetHint.NOT_COUNTER_RESET);
        byte[] m = HistogramMessages.encode(1_700_000_000_123L, h);
        assertFalse(HistogramMessage.isFloat(m, 0, m.length));
        assertEquals(1_700_000_000_123L, HistogramMessage.timestamp(m, 0, m.length));
        Histogram reuse = new Histogram();
        assertEquals(h, HistogramMessage.readInt(m, 0, m.length, reuse));
        assertTrue(h.toFloat().equalsHistogram(HistogramMessage.readFloat(m, 0, m.length, FloatHistogram.empty())),
                "integer counts read as floats");

        Histogram nhcb = Histogram.of(Histogram.CUSTOM_BUCKETS_SCHEMA, 0, 0, 6, 3, new int[] {0, 3}, new long[] {1, 1, 1},
                new int[0], new long[0], new double[] {0.1, 1, 10}, CounterResetHint.UNKNOWN);
        byte[] c = HistogramMessages.encode(5, nhcb);
        assertEquals(nhcb, HistogramMessage.readInt(c, 0, c.length, reuse), "the same instance refilled");
    }

    @Test
    void floatHistogramsDecodeWithTheirCounts() {
        FloatHistogram h = FloatHistogram.of(0, 0.001, 1.5, 10.5, -3, new int[] {1, 2, 3, 1}, new double[] {2, 3, 4},
                new int[0], new double[0], null, CounterResetHint.GAUGE);
        byte[] m = HistogramMessages.encode(-42, h);
        assertTrue(HistogramMessage.isFloat(m, 0, m.length));
        assertEquals(-42, HistogramMessage.timestamp(m, 0, m.length));
        assertEquals(h, HistogramMessage.readFloat(m, 0, m.length, FloatHistogram.empty()));
    }

    @Test
    void malformedMessagesAreRefused() {
        byte[] m = HistogramMessages.encode(1, Histogram.of(0, 0, 0, 2, 1, new int[] {0, 2}, new long[] {1, 0},
                new int[0], new long[0], null, CounterResetHint.UNKNOWN));
        assertThrows(IllegalArgumentException.class, () -> HistogramMessage.readInt(m, 0, m.length - 3, new Histogram()));
        byte[] spansWithoutBuckets = HistogramMessages.encode(1, Histogram.of(0, 0, 0, 0, 0, new int[0], new long[0],
                new int[0], new long[0], null, CounterResetHint.UNKNOWN));
        byte[] bad = java.util.Arrays.copyOf(spansWithoutBuckets, spansWithoutBuckets.length + 6);
        System.arraycopy(new byte[] {(byte) (11 << 3 | 2), 4, 8, 0, 16, 5}, 0, bad, spansWithoutBuckets.length, 6);
        assertThrows(IllegalArgumentException.class, () -> HistogramMessage.readFloat(bad, 0, bad.length, FloatHistogram.empty()));
    }
}
