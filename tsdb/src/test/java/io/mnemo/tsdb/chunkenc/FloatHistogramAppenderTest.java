package io.mnemo.tsdb.chunkenc;

import io.mnemo.tsdb.chunkenc.HistogramAppender.Outcome;
import io.mnemo.tsdb.histogram.FloatHistogram.CounterResetHint;
import io.mnemo.tsdb.histogram.FloatHistogram;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The float histogram appender's decisions as Prometheus's {@code TestFloatHistogramChunkAppendable}
 * and {@code TestFloatHistogramChunkAppendableGauge} (tsdb/chunkenc/float_histogram_test.go)
 * state them, with the float encoding's own headers: a chunk cut without a detected reset says
 * UNKNOWN, one started after another says NOT_COUNTER_RESET unless it resets.
 */
class FloatHistogramAppenderTest {
    private static final long TS = 1234567890L;
    private static final int[] NONE = new int[0];
    private static final double[] EMPTY = new double[0];
    private static final int[] SPANS = {0, 2, 2, 1, 3, 2, 3, 1, 1, 1};
    private static final double[] COUNTS = {6, 3, 3, 2, 4, 5, 1};
    private static final int[] MORE_SPANS = {0, 3, 1, 1, 1, 4, 3, 3};
    private static final double[] MORE_COUNTS = {7, 5, 1, 3, 1, 0, 2, 5, 5, 0, 1};

    private static FloatHistogram eh(CounterResetHint hint) {
        return FloatHistogram.of(1, 1e-125, 2, 5, 18.4, SPANS, COUNTS, NONE, EMPTY, null, hint);
    }

    private static FloatHistogram with(int schema, double zt, double zc, double count, int[] spans, double[] counts, CounterResetHint hint) {
        return FloatHistogram.of(schema, zt, zc, count, 18.4, spans, counts, NONE, EMPTY, null, hint);
    }

    private static FloatHistogramAppender setup(FloatHistogram h) {
        FloatHistogramAppender app = new FloatHistogramChunk().appender();
        assertSame(app, app.append(TS, h));
        return app;
    }

    private static void assertNewChunk(FloatHistogramAppender app, FloatHistogram h, CounterResetHeader header) {
        byte[] before = app.chunk().toByteArray();
        FloatHistogramAppender next = app.append(TS + 1, h);
        assertArrayEquals(before, app.chunk().toByteArray(), "the previous chunk is untouched");
        assertEquals(Outcome.NEW_CHUNK, next.outcome());
        assertEquals(header, next.chunk().counterResetHeader());
        assertEquals(1, next.chunk().numSamples());
    }

    private static List<FloatHistogram> decode(FloatHistogramChunk c) {
        List<FloatHistogram> out = new ArrayList<>();
        FloatHistogramChunkIterator it = c.iterator();
        while (it.next()) out.add(it.atFloatHistogram(null));
        return out;
    }

    @Test
    void schemaOrThresholdChangeCutsAChunkWithUnknownHeader() { // "Schema change", "Zero threshold change"
        FloatHistogramAppender app = setup(eh(CounterResetHint.UNKNOWN));
        FloatHistogram h2 = with(2, 1e-125, 2, 5, SPANS, COUNTS, CounterResetHint.UNKNOWN);
        app.appendable(h2);
        assertFalse(app.fits());
        assertFalse(app.counterReset());
        assertNewChunk(app, h2, CounterResetHeader.UNKNOWN);
        assertNewChunk(app, with(1, 1e-125 + 0.1, 2, 5, SPANS, COUNTS, CounterResetHint.UNKNOWN), CounterResetHeader.UNKNOWN);
    }

    @Test
    void moreBucketsRecodeTheChunk() { // "New histogram that has more buckets"
        FloatHistogramAppender app = setup(eh(CounterResetHint.UNKNOWN));
        FloatHistogram h2 = with(1, 1e-125, 3, 14, MORE_SPANS, MORE_COUNTS, CounterResetHint.UNKNOWN);
        app.appendable(h2);
        assertTrue(app.fits());
        assertEquals(HistogramAppender.FORWARD, app.positiveFlags());
        FloatHistogramAppender next = app.append(TS + 1, h2);
        assertNotSame(app, next);
        assertEquals(Outcome.RECODED, next.outcome());
        List<FloatHistogram> got = decode(next.chunk());
        assertArrayEquals(new double[] {6, 3, 0, 3, 0, 0, 2, 4, 5, 0, 1}, got.get(0).positiveCounts());
        assertArrayEquals(MORE_COUNTS, got.get(1).positiveCounts());
    }

    @Test
    void countersThatGoDownCutAChunkWithCounterResetHeader() { // "bucket missing", "counter reset while buckets are same"
        FloatHistogramAppender app = setup(eh(CounterResetHint.UNKNOWN));
        assertNewChunk(app, with(1, 1e-125, 2, 5, new int[] {0, 2, 5, 2, 3, 1, 1, 1}, new double[] {6, 3, 2, 4, 5, 1},
                CounterResetHint.UNKNOWN), CounterResetHeader.COUNTER_RESET);
        assertNewChunk(app, with(1, 1e-125, 2, 5, SPANS, new double[] {6, 2, 3, 2, 4, 5, 1}, CounterResetHint.UNKNOWN),
                CounterResetHeader.COUNTER_RESET);
        assertNewChunk(app, with(1, 1e-125, 2, 4, SPANS, COUNTS, CounterResetHint.UNKNOWN), CounterResetHeader.COUNTER_RESET);
        assertNewChunk(app, eh(CounterResetHint.COUNTER_RESET), CounterResetHeader.COUNTER_RESET);
    }

    @Test
    void missingEmptyBucketsAreAddedBackToTheSample() { // "buckets missing but the buckets missing were empty"
        FloatHistogramAppender app = setup(with(1, 1e-125, 2, 5, SPANS, new double[] {6, 0, 1, 2, 0, 1, 2}, CounterResetHint.UNKNOWN));
        FloatHistogram h2 = with(1, 1e-125, 2, 5, new int[] {0, 1, 3, 1, 3, 1, 4, 1, 1, 1}, new double[] {7, 2, 3, 3, 4},
                CounterResetHint.UNKNOWN);
        assertSame(app, app.append(TS + 1, h2));
        assertArrayEquals(new double[] {7, 0, 2, 3, 0, 3, 4}, decode(app.chunk()).get(1).positiveCounts());
    }

    @Test
    void aChunkStartedAfterAnotherSaysWhetherItsFirstSampleResets() { // "Start new chunk explicitly, ..."
        FloatHistogramAppender prev = setup(eh(CounterResetHint.UNKNOWN));
        FloatHistogramChunk next = new FloatHistogramChunk();
        next.appender().append(TS + 1, eh(CounterResetHint.UNKNOWN), prev);
        assertEquals(CounterResetHeader.NOT_COUNTER_RESET, next.counterResetHeader());
        next = new FloatHistogramChunk();
        next.appender().append(TS + 1, with(1, 1e-125, 2, 4, SPANS, COUNTS, CounterResetHint.UNKNOWN), prev);
        assertEquals(CounterResetHeader.COUNTER_RESET, next.counterResetHeader());
        next = new FloatHistogramChunk();
        next.appender().append(TS + 1, with(1, 1e-125, 3, 14, MORE_SPANS, MORE_COUNTS, CounterResetHint.UNKNOWN), prev);
        assertEquals(CounterResetHeader.NOT_COUNTER_RESET, next.counterResetHeader());
    }

    @Test
    void gauges() { // TestFloatHistogramChunkAppendableGauge
        FloatHistogramAppender app = setup(eh(CounterResetHint.GAUGE));
        assertEquals(CounterResetHeader.GAUGE, app.chunk().counterResetHeader());
        assertNewChunk(app, with(2, 1e-125, 2, 5, SPANS, COUNTS, CounterResetHint.GAUGE), CounterResetHeader.GAUGE);
        // Buckets going down and disappearing stay in the chunk.
        FloatHistogram h2 = with(1, 1e-125, 2, 1, new int[] {0, 2, 2, 1, 3, 1, 4, 1, 1, 1}, new double[] {6, 3, 3, 2, 5, 1},
                CounterResetHint.GAUGE);
        assertTrue(app.appendableGauge(h2));
        assertEquals(HistogramAppender.BACKWARD, app.positiveFlags());
        assertSame(app, app.append(TS + 1, h2));
        assertArrayEquals(new double[] {6, 3, 3, 2, 0, 5, 1}, decode(app.chunk()).get(1).positiveCounts());
        // A counter after gauges: a new chunk that does not know about a reset (unlike integer chunks).
        assertNewChunk(app, eh(CounterResetHint.UNKNOWN), CounterResetHeader.UNKNOWN);
    }
}
