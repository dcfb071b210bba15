package io.mnemo.tsdb.chunkenc;

import io.mnemo.tsdb.StaleNaN;
import io.mnemo.tsdb.chunkenc.HistogramAppender.Outcome;
import io.mnemo.tsdb.histogram.FloatHistogram.CounterResetHint;
import io.mnemo.tsdb.histogram.FloatHistogram;
import io.mnemo.tsdb.histogram.Histogram;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The integer histogram appender's decisions, case by case as Prometheus's
 * {@code TestHistogramChunkAppendable} and {@code TestHistogramChunkAppendableGauge}
 * (tsdb/chunkenc/histogram_test.go) state them; each test names the case it mirrors.
 */
class HistogramAppenderTest {
    private static final long TS = 1234567890L;
    private static final int[] NONE = new int[0];
    private static final long[] EMPTY = new long[0];
    /** Prometheus's spans of the test histogram: buckets 0, 1, 4, 8, 9, 13, 15. */
    private static final int[] SPANS = {0, 2, 2, 1, 3, 2, 3, 1, 1, 1};
    private static final double[] BOUNDS = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20};
    /** The histogram with more buckets of the "more buckets" cases: 7 5 1 3 1 0 2 5 5 0 1. */
    private static final int[] MORE_SPANS = {0, 3, 1, 1, 1, 4, 3, 3};
    private static final long[] MORE_BUCKETS = {7, -2, -4, 2, -2, -1, 2, 3, 0, -5, 1};

    /** Prometheus's {@code eh}: counts 6, 3, 3, 2, 4, 5, 1. */
    static Histogram eh(CounterResetHint hint) {
        return Histogram.of(1, 1e-125, 2, 5, 18.4, SPANS, new long[] {6, -3, 0, -1, 2, 1, -4}, NONE, EMPTY, null, hint);
    }

    /** Prometheus's {@code cbh}: the same buckets as custom buckets. */
    static Histogram cbh(CounterResetHint hint) {
        return Histogram.of(Histogram.CUSTOM_BUCKETS_SCHEMA, 0, 0, 24, 18.4, SPANS, new long[] {6, -3, 0, -1, 2, 1, -4},
                NONE, EMPTY, BOUNDS, hint);
    }

    private static Histogram with(Histogram h, int schema, double zeroThreshold, long zeroCount, long count, double sum,
                                  int[] spans, long[] buckets, double[] custom) {
        return Histogram.of(schema, zeroThreshold, zeroCount, count, sum, spans, buckets, h.negativeSpans(),
                h.negativeBuckets(), custom, h.counterResetHint());
    }

    private static Histogram withBuckets(Histogram h, long count, double sum, int[] spans, long[] buckets) {
        return with(h, h.schema(), h.zeroThreshold(), h.zeroCount(), count, sum, spans, buckets, h.customValuesShared());
    }

    private static HistogramAppender setup(Histogram h) {
        HistogramChunk c = new HistogramChunk();
        HistogramAppender app = c.appender();
        assertSame(app, app.append(TS, h));
        assertEquals(1, c.numSamples());
        return app;
    }

    /** Appends and checks a new chunk was cut with this header, leaving the old chunk untouched. */
    private static HistogramAppender assertNewChunk(HistogramAppender app, Histogram h, CounterResetHeader header,
                                                    CounterResetHint firstHint) {
        byte[] before = app.chunk().toByteArray();
        HistogramAppender next = app.append(TS + 1, h);
        assertArrayEquals(before, app.chunk().toByteArray(), "the previous chunk is untouched");
        assertNotSame(app, next);
        assertEquals(Outcome.NEW_CHUNK, next.outcome());
        assertEquals(header, next.chunk().counterResetHeader());
        assertEquals(1, next.chunk().numSamples());
        HistogramChunkIterator it = next.chunk().iterator();
        assertTrue(it.next());
        assertEquals(firstHint, it.counterResetHint());
        return next;
    }

    private static void assertAppendedInPlace(HistogramAppender app, Histogram h, CounterResetHeader header) {
        int before = app.chunk().length();
        assertSame(app, app.append(TS + 1, h));
        assertEquals(Outcome.APPENDED, app.outcome());
        assertTrue(app.chunk().length() > before);
        assertEquals(header, app.chunk().counterResetHeader());
        assertEquals(2, app.chunk().numSamples());
    }

    private static HistogramAppender assertRecoded(HistogramAppender app, Histogram h, CounterResetHeader header) {
        byte[] before = app.chunk().toByteArray();
        HistogramAppender next = app.append(TS + 1, h);
        assertArrayEquals(before, app.chunk().toByteArray(), "the previous chunk is untouched");
        assertNotSame(app, next);
        assertEquals(Outcome.RECODED, next.outcome());
        assertEquals(header, next.chunk().counterResetHeader());
        assertEquals(2, next.chunk().numSamples());
        return next;
    }

    private static List<Histogram> decode(HistogramChunk c) {
        List<Histogram> out = new ArrayList<>();
        HistogramChunkIterator it = c.iterator();
        while (it.next()) out.add(it.atHistogram(null));
        return out;
    }

    // ---- TestHistogramChunkAppendable ----

    @Test
    void schemaChangeCutsAChunkWithUnknownHeader() { // "Schema change"
        HistogramAppender app = setup(eh(CounterResetHint.UNKNOWN));
        assertEquals(CounterResetHeader.UNKNOWN, app.chunk().counterResetHeader());
        Histogram h2 = with(eh(CounterResetHint.UNKNOWN), 2, 1e-125, 2, 5, 18.4, SPANS, new long[] {6, -3, 0, -1, 2, 1, -4}, null);
        assertEquals(CounterResetHeader.UNKNOWN, app.appendable(h2));
        assertFalse(app.fits());
        assertNewChunk(app, h2, CounterResetHeader.UNKNOWN, CounterResetHint.UNKNOWN);
    }

    @Test
    void zeroThresholdChangeCutsAChunkWithUnknownHeader() { // "Zero threshold change"
        HistogramAppender app = setup(eh(CounterResetHint.UNKNOWN));
        Histogram h2 = with(eh(CounterResetHint.UNKNOWN), 1, 1e-125 + 0.1, 2, 5, 18.4, SPANS, new long[] {6, -3, 0, -1, 2, 1, -4}, null);
        assertEquals(CounterResetHeader.UNKNOWN, app.appendable(h2));
        assertFalse(app.fits());
        assertNewChunk(app, h2, CounterResetHeader.UNKNOWN, CounterResetHint.UNKNOWN);
    }

    @Test
    void moreBucketsRecodeTheChunk() { // "New histogram that has more buckets"
        HistogramAppender app = setup(eh(CounterResetHint.UNKNOWN));
        Histogram h2 = with(eh(CounterResetHint.UNKNOWN), 1, 1e-125, 3, 14, 30, MORE_SPANS, MORE_BUCKETS, null);
        assertEquals(CounterResetHeader.NOT_COUNTER_RESET, app.appendable(h2));
        assertTrue(app.fits());
        assertEquals(HistogramAppender.FORWARD, app.positiveFlags());
        assertEquals(0, app.negativeFlags());
        HistogramAppender next = assertRecoded(app, h2, CounterResetHeader.UNKNOWN);
        // The first sample gained empty buckets: 6 3 0 3 0 0 2 4 5 0 1.
        List<Histogram> got = decode(next.chunk());
        assertArrayEquals(MORE_SPANS, got.get(0).positiveSpans());
        assertArrayEquals(new long[] {6, -3, -3, 3, -3, 0, 2, 2, 1, -5, 1}, got.get(0).positiveBuckets());
        assertEquals(h2.copy(), withHint(got.get(1), CounterResetHint.UNKNOWN));
    }

    @Test
    void aMissingUsedBucketIsACounterReset() { // "New histogram that has a bucket missing"
        HistogramAppender app = setup(eh(CounterResetHint.UNKNOWN));
        Histogram h2 = withBuckets(eh(CounterResetHint.UNKNOWN), 5, 21, new int[] {0, 2, 5, 2, 3, 1, 1, 1},
                new long[] {6, -3, -1, 2, 1, -4});
        assertEquals(CounterResetHeader.COUNTER_RESET, app.appendable(h2));
        assertFalse(app.fits());
        assertNewChunk(app, h2, CounterResetHeader.COUNTER_RESET, CounterResetHint.UNKNOWN);
    }

    @Test
    void missingEmptyBucketsAreAddedBackToTheSample() { // "buckets missing but the buckets missing were empty"
        Histogram emptyBucketH = withBuckets(eh(CounterResetHint.UNKNOWN), 5, 18.4, SPANS, new long[] {6, -6, 1, 1, -2, 1, 1});
        HistogramAppender app = setup(emptyBucketH);
        Histogram h2 = withBuckets(emptyBucketH, 5, 18.4, new int[] {0, 1, 3, 1, 3, 1, 4, 1, 1, 1}, new long[] {7, -5, 1, 0, 1});
        assertEquals(CounterResetHeader.NOT_COUNTER_RESET, app.appendable(h2));
        assertTrue(app.fits());
        assertEquals(HistogramAppender.BACKWARD, app.positiveFlags());
        assertAppendedInPlace(app, h2, CounterResetHeader.UNKNOWN);
        Histogram got = decode(app.chunk()).get(1);
        assertArrayEquals(new long[] {7, -7, 2, 1, -3, 3, 1}, got.positiveBuckets()); // 7 0 2 3 0 3 4
        assertArrayEquals(SPANS, got.positiveSpans());
    }

    @Test
    void newAndMissingEmptyBucketsRecodeWithMergedSpans() { // "new buckets AND buckets missing but ... empty"
        Histogram emptyBucketH = withBuckets(eh(CounterResetHint.UNKNOWN), 5, 18.4, SPANS, new long[] {6, -6, 1, 1, -2, 1, 1});
        HistogramAppender app = setup(emptyBucketH);
        Histogram h2 = withBuckets(emptyBucketH, 5, 18.4, new int[] {0, 1, 3, 1, 3, 1, 4, 1, 1, 2}, new long[] {7, -5, 1, 0, 1, 1});
        assertEquals(CounterResetHeader.NOT_COUNTER_RESET, app.appendable(h2));
        assertEquals(HistogramAppender.FORWARD | HistogramAppender.BACKWARD, app.positiveFlags());
        HistogramAppender next = assertRecoded(app, h2, CounterResetHeader.UNKNOWN);
        Histogram got = decode(next.chunk()).get(1);
        assertArrayEquals(new long[] {7, -7, 2, 1, -3, 3, 1, 1}, got.positiveBuckets()); // 7 0 2 3 0 3 4 5
        assertArrayEquals(new int[] {0, 2, 2, 1, 3, 2, 3, 1, 1, 2}, got.positiveSpans());
    }

    @Test
    void aBucketGoingDownIsACounterReset() { // "counter reset while buckets are same"
        HistogramAppender app = setup(eh(CounterResetHint.UNKNOWN));
        Histogram h2 = withBuckets(eh(CounterResetHint.UNKNOWN), 5, 23, SPANS, new long[] {6, -4, 1, -1, 2, 1, -4});
        assertEquals(CounterResetHeader.COUNTER_RESET, app.appendable(h2));
        assertNewChunk(app, h2, CounterResetHeader.COUNTER_RESET, CounterResetHint.UNKNOWN);
    }

    @Test
    void aResetWhileBucketsAreAddedIsACounterReset() { // "counter reset while new buckets were added"
        HistogramAppender app = setup(eh(CounterResetHint.UNKNOWN));
        Histogram h2 = withBuckets(eh(CounterResetHint.UNKNOWN), 5, 29, MORE_SPANS, new long[] {7, -2, -4, 2, -2, -1, 2, 3, 0, -5, 0});
        assertEquals(CounterResetHeader.COUNTER_RESET, app.appendable(h2));
        assertEquals(0, app.positiveFlags() & HistogramAppender.FORWARD, "no inserts reported on a reset");
        assertNewChunk(app, h2, CounterResetHeader.COUNTER_RESET, CounterResetHint.UNKNOWN);
    }

    @Test
    void aResetOnTheFirstBucketBehindNewOnesIsACounterReset() { // "new buckets ... before the first bucket and reset on first bucket"
        HistogramAppender app = setup(eh(CounterResetHint.UNKNOWN));
        Histogram h2 = withBuckets(eh(CounterResetHint.UNKNOWN), 5, 26, new int[] {-3, 2, 1, 2, 2, 1, 3, 2, 3, 1, 1, 1},
                new long[] {1, 1, 3, -2, 0, -1, 2, 1, -4});
        assertEquals(CounterResetHeader.COUNTER_RESET, app.appendable(h2));
        assertNewChunk(app, h2, CounterResetHeader.COUNTER_RESET, CounterResetHint.UNKNOWN);
    }

    @Test
    void anExplicitCounterResetCutsAChunk() { // "explicit counter reset"
        HistogramAppender app = setup(eh(CounterResetHint.UNKNOWN));
        // Prometheus 3 answers unknown for the first sample of a chunk, whatever its header says.
        assertNewChunk(app, eh(CounterResetHint.COUNTER_RESET), CounterResetHeader.COUNTER_RESET, CounterResetHint.UNKNOWN);
    }

    @Test
    void aChunkStartedAfterAnotherSaysWhetherItsFirstSampleResets() { // "Start new chunk explicitly, ..."
        HistogramAppender prev = setup(eh(CounterResetHint.UNKNOWN));
        // ... a histogram that is appendable to the previous chunk.
        HistogramChunk next = new HistogramChunk();
        HistogramAppender app = next.appender();
        assertSame(app, app.append(TS + 1, eh(CounterResetHint.UNKNOWN), prev));
        assertEquals(CounterResetHeader.NOT_COUNTER_RESET, next.counterResetHeader());
        HistogramChunkIterator it = next.iterator();
        assertTrue(it.next());
        assertEquals(CounterResetHint.UNKNOWN, it.counterResetHint(), "Prometheus still answers unknown for a first sample");
        // ... one that is not (count went down).
        next = new HistogramChunk();
        next.appender().append(TS + 1, withBuckets(eh(CounterResetHint.UNKNOWN), 4, 18.4, SPANS,
                new long[] {6, -3, 0, -1, 2, 1, -4}), prev);
        assertEquals(CounterResetHeader.COUNTER_RESET, next.counterResetHeader());
        // ... one that would need recoding.
        next = new HistogramChunk();
        next.appender().append(TS + 1, with(eh(CounterResetHint.UNKNOWN), 1, 1e-125, 3, 14, 30, MORE_SPANS, MORE_BUCKETS, null), prev);
        assertEquals(CounterResetHeader.NOT_COUNTER_RESET, next.counterResetHeader());
    }

    @Test
    void aSampleWithoutTheChunksEmptyLeadingBucketFits() { // "Start a new chunk with a histogram that has an empty bucket"
        // eh with an empty bucket 10 below its first one.
        Histogram h1 = withBuckets(eh(CounterResetHint.UNKNOWN), 5, 18.4, new int[] {-10, 1, 9, 2, 2, 1, 3, 2, 3, 1, 1, 1},
                new long[] {0, 6, -3, 0, -1, 2, 1, -4});
        HistogramAppender app = setup(h1);
        Histogram h2 = eh(CounterResetHint.UNKNOWN);
        assertEquals(CounterResetHeader.NOT_COUNTER_RESET, app.appendable(h2));
        assertEquals(HistogramAppender.BACKWARD, app.positiveFlags());
        assertAppendedInPlace(app, h2, CounterResetHeader.UNKNOWN);
    }

    @Test
    void customBuckets() { // "Custom buckets, ..."
        // no change
        HistogramAppender app = setup(cbh(CounterResetHint.UNKNOWN));
        assertAppendedInPlace(app, cbh(CounterResetHint.UNKNOWN), CounterResetHeader.UNKNOWN);
        // increase in bucket counts but no change in layout
        app = setup(cbh(CounterResetHint.UNKNOWN));
        assertAppendedInPlace(app, withBuckets(cbh(CounterResetHint.UNKNOWN), 25, 18.4, SPANS, new long[] {6, -3, 0, -1, 2, 1, -3}),
                CounterResetHeader.UNKNOWN);
        // decrease in bucket counts but no change in layout
        app = setup(cbh(CounterResetHint.UNKNOWN));
        assertNewChunk(app, withBuckets(cbh(CounterResetHint.UNKNOWN), 23, 18.4, SPANS, new long[] {6, -3, 0, -1, 2, 1, -5}),
                CounterResetHeader.COUNTER_RESET, CounterResetHint.UNKNOWN);
        // change only in custom bounds
        app = setup(cbh(CounterResetHint.UNKNOWN));
        double[] more = new double[21];
        for (int i = 0; i < 21; i++) more[i] = i + 1;
        Histogram h2 = with(cbh(CounterResetHint.UNKNOWN), Histogram.CUSTOM_BUCKETS_SCHEMA, 0, 0, 24, 18.4, SPANS,
                new long[] {6, -3, 0, -1, 2, 1, -4}, more);
        assertEquals(CounterResetHeader.COUNTER_RESET, app.appendable(h2));
        assertNewChunk(app, h2, CounterResetHeader.COUNTER_RESET, CounterResetHint.UNKNOWN);
        // with more buckets
        app = setup(cbh(CounterResetHint.UNKNOWN));
        h2 = withBuckets(cbh(CounterResetHint.UNKNOWN), 30, 30, MORE_SPANS, MORE_BUCKETS);
        assertEquals(CounterResetHeader.NOT_COUNTER_RESET, app.appendable(h2));
        assertEquals(HistogramAppender.FORWARD, app.positiveFlags());
        HistogramAppender next = assertRecoded(app, h2, CounterResetHeader.UNKNOWN);
        assertArrayEquals(BOUNDS, decode(next.chunk()).get(0).customValuesShared());
    }

    // ---- TestHistogramChunkAppendableGauge ----

    @Test
    void gaugeSchemaOrThresholdChangeCutsAGaugeChunk() { // "Schema change", "Zero threshold change"
        HistogramAppender app = setup(eh(CounterResetHint.GAUGE));
        assertEquals(CounterResetHeader.GAUGE, app.chunk().counterResetHeader());
        Histogram h2 = with(eh(CounterResetHint.GAUGE), 2, 1e-125, 2, 5, 18.4, SPANS, new long[] {6, -3, 0, -1, 2, 1, -4}, null);
        assertFalse(app.appendableGauge(h2));
        assertNewChunk(app, h2, CounterResetHeader.GAUGE, CounterResetHint.GAUGE);
        app = setup(eh(CounterResetHint.GAUGE));
        h2 = with(eh(CounterResetHint.GAUGE), 1, 1e-125 + 0.1, 2, 5, 18.4, SPANS, new long[] {6, -3, 0, -1, 2, 1, -4}, null);
        assertNewChunk(app, h2, CounterResetHeader.GAUGE, CounterResetHint.GAUGE);
    }

    @Test
    void gaugeWithMoreBucketsRecodes() { // "New histogram that has more buckets"
        HistogramAppender app = setup(eh(CounterResetHint.GAUGE));
        Histogram h2 = with(eh(CounterResetHint.GAUGE), 1, 1e-125, 3, 14, 30, MORE_SPANS, MORE_BUCKETS, null);
        assertTrue(app.appendableGauge(h2));
        assertEquals(HistogramAppender.FORWARD, app.positiveFlags());
        assertRecoded(app, h2, CounterResetHeader.GAUGE);
    }

    @Test
    void gaugeWithBucketsMissingKeepsTheChunk() { // "New histogram that has buckets missing"
        HistogramAppender app = setup(eh(CounterResetHint.GAUGE));
        Histogram h2 = withBuckets(eh(CounterResetHint.GAUGE), 1, 17.4, new int[] {0, 2, 2, 1, 3, 1, 4, 1, 1, 1},
                new long[] {6, -3, 0, -1, 3, -4}); // 6 3 3 2 5 1: buckets going down is fine for a gauge
        assertTrue(app.appendableGauge(h2));
        assertEquals(HistogramAppender.BACKWARD, app.positiveFlags());
        assertAppendedInPlace(app, h2, CounterResetHeader.GAUGE);
        Histogram got = decode(app.chunk()).get(1);
        assertArrayEquals(SPANS, got.positiveSpans());
        assertArrayEquals(new long[] {6, -3, 0, -1, -2, 5, -4}, got.positiveBuckets()); // 6 3 3 2 0 5 1
        assertEquals(CounterResetHint.GAUGE, withHint(got, CounterResetHint.GAUGE).counterResetHint());
    }

    @Test
    void gaugeWithBucketsMissingAndNewOnesRecodesToTheMergedSpans() { // "buckets missing and new buckets"
        HistogramAppender app = setup(eh(CounterResetHint.GAUGE));
        // buckets 0, 1, 4, 8, 13, 15 and a new 10
        Histogram h2 = withBuckets(eh(CounterResetHint.GAUGE), 1, 17.4, new int[] {0, 2, 2, 1, 3, 1, 1, 1, 2, 1, 1, 1},
                new long[] {6, -3, 0, -1, 3, 0, -4});
        assertTrue(app.appendableGauge(h2));
        assertEquals(HistogramAppender.FORWARD | HistogramAppender.BACKWARD, app.positiveFlags());
        HistogramAppender next = assertRecoded(app, h2, CounterResetHeader.GAUGE);
        List<Histogram> got = decode(next.chunk());
        int[] merged = {0, 2, 2, 1, 3, 3, 2, 1, 1, 1}; // 0 1 | 4 | 8 9 10 | 13 | 15
        assertArrayEquals(merged, got.get(0).positiveSpans());
        assertArrayEquals(merged, got.get(1).positiveSpans());
    }

    @Test
    void aCounterAfterGaugesCutsAChunkThatSaysNoReset() {
        HistogramAppender app = setup(eh(CounterResetHint.GAUGE));
        assertNewChunk(app, eh(CounterResetHint.UNKNOWN), CounterResetHeader.NOT_COUNTER_RESET, CounterResetHint.UNKNOWN);
        app = setup(eh(CounterResetHint.UNKNOWN));
        assertNewChunk(app, eh(CounterResetHint.GAUGE), CounterResetHeader.GAUGE, CounterResetHint.GAUGE);
    }

    // ---- stale markers ----

    @Test
    void staleMarkersAppendButOnlyStaleMarkersFollowThem() {
        HistogramAppender app = setup(eh(CounterResetHint.UNKNOWN));
        assertSame(app, app.append(TS + 1, Histogram.staleMarker()));
        assertSame(app, app.append(TS + 2, Histogram.staleMarker()));
        HistogramAppender next = app.append(TS + 3, eh(CounterResetHint.UNKNOWN));
        assertEquals(Outcome.NEW_CHUNK, next.outcome());
        assertEquals(CounterResetHeader.UNKNOWN, next.chunk().counterResetHeader());
        List<Histogram> got = decode(app.chunk());
        assertEquals(3, got.size());
        assertTrue(got.get(1).isStale());
        assertTrue(got.get(2).isStale());
        assertEquals(0, got.get(1).positiveBucketCount());
        assertEquals(StaleNaN.BITS, Double.doubleToRawLongBits(got.get(2).sum()));
    }

    @Test
    void aFullChunkRefusesMoreSamples() {
        HistogramChunk c = new HistogramChunk();
        HistogramAppender app = c.appender();
        Histogram h = eh(CounterResetHint.UNKNOWN);
        for (int i = 0; i < HistogramChunkBytes.MAX_SAMPLES; i++) app = app.append(i, h);
        HistogramAppender full = app;
        assertThrows(IllegalStateException.class, () -> full.append(1 << 20, h));
    }

    @Test
    void floatConversionOfDecodedSamples() {
        HistogramAppender app = setup(eh(CounterResetHint.UNKNOWN));
        HistogramChunkIterator it = app.chunk().iterator();
        assertTrue(it.next());
        FloatHistogram f = it.atFloatHistogram(null);
        assertEquals(eh(CounterResetHint.UNKNOWN).toFloat().copy().compact().toString(), f.copy().compact().toString());
    }

    private static Histogram withHint(Histogram h, CounterResetHint hint) {
        return Histogram.of(h.schema(), h.zeroThreshold(), h.zeroCount(), h.count(), h.sum(), h.positiveSpans(),
                h.positiveBuckets(), h.negativeSpans(), h.negativeBuckets(), h.customValuesShared(), hint);
    }
}
