package io.mnemo.tsdb.head;

import static io.mnemo.tsdb.LabelMatcher.equal;
import static org.junit.jupiter.api.Assertions.*;

import io.mnemo.tsdb.ChunkSeriesIterator;
import io.mnemo.tsdb.HistogramIterator;
import io.mnemo.tsdb.Labels;
import io.mnemo.tsdb.Querier;
import io.mnemo.tsdb.SampleIterator;
import io.mnemo.tsdb.SeriesSet;
import io.mnemo.tsdb.StaleNaN;
import io.mnemo.tsdb.chunkenc.ChunkCutter;
import io.mnemo.tsdb.chunkenc.ChunkEncoding;
import io.mnemo.tsdb.chunkenc.ChunkMeta;
import io.mnemo.tsdb.chunkenc.CounterResetHeader;
import io.mnemo.tsdb.chunkenc.HistogramChunk;
import io.mnemo.tsdb.histogram.FloatHistogram;
import io.mnemo.tsdb.histogram.FloatHistogram.CounterResetHint;
import io.mnemo.tsdb.histogram.Histogram;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Native histograms in the head: appends, chunk cuts, type changes, refusals, selects, truncation. */
class HistogramHeadTest {
    static final long RANGE = 7_200_000L;
    static final long STEP = 15_000;

    /**
     * A counter histogram of {@code buckets} consecutive positive buckets (schema 3) at step k:
     * bucket i holds (k + 1) * (i % 5 + 1), so every count grows with k.
     */
    static Histogram counter(int k, int buckets) {
        long[] deltas = new long[buckets];
        long previous = 0;
        long count = 3L * (k + 1); // zero bucket
        for (int i = 0; i < buckets; i++) {
            long c = (long) (k + 1) * (i % 5 + 1);
            deltas[i] = c - previous;
            previous = c;
            count += c;
        }
        return Histogram.of(3, 1e-128, 3L * (k + 1), count, 1.5 * count, new int[] {-10, buckets}, deltas,
                new int[0], new long[0], null, CounterResetHint.UNKNOWN);
    }

    static FloatHistogram gauge(int k) {
        return FloatHistogram.of(0, 0.001, 1, 1 + k + 2.5, 10.25 * k, new int[] {0, 2}, new double[] {k, 2.5},
                new int[0], new double[0], null, CounterResetHint.GAUGE);
    }

    static int series(Head head, String name) {
        return head.getOrCreateSeries(Labels.of("__name__", name, "job", "api"));
    }

    /** The samples a select gives, as "t:float" or "t:histogram". */
    static List<Object> select(Head head, String name) {
        List<Object> out = new ArrayList<>();
        try (Querier q = head.querier(Long.MIN_VALUE, Long.MAX_VALUE)) {
            SeriesSet set = q.select(false, equal("__name__", name));
            assertTrue(set.next(), name + " selected");
            SampleIterator it = set.at().iterator();
            assertInstanceOf(HistogramIterator.class, it);
            while (it.next()) {
                FloatHistogram h = ((HistogramIterator) it).histogram();
                out.add(h != null ? h : it.value());
            }
            assertFalse(set.next());
        }
        return out;
    }

    static List<ChunkEncoding> encodings(MemSeries s) {
        List<ChunkEncoding> out = new ArrayList<>();
        for (ChunkMeta c : s.chunks()) out.add(c.chunk().encoding());
        return out;
    }

    @Test
    void integerHistogramsAreStoredInHistogramChunksCutAtOneKibibyteAndSelectedBack() {
        Head head = new Head(RANGE, 120);
        int ref = series(head, "h");
        int n = 400;
        for (int k = 0; k < n; k++) assertEquals(AppendResult.OK, head.appendHistogram(ref, k * STEP, counter(k, 60)));
        assertEquals(n, head.appended());

        MemSeries s = head.series(ref);
        List<ChunkMeta> chunks = s.chunks();
        assertTrue(chunks.size() > 3, "several chunks: " + chunks.size());
        int samples = 0;
        for (int i = 0; i < chunks.size(); i++) {
            ChunkMeta c = chunks.get(i);
            assertEquals(ChunkEncoding.HISTOGRAM, c.chunk().encoding());
            samples += c.chunk().numSamples();
            boolean crossesRange = i + 1 < chunks.size() && chunks.get(i + 1).minTime() / RANGE != c.minTime() / RANGE;
            if (i + 1 < chunks.size() && !crossesRange) {
                // Cut as Prometheus cuts: the first sample after the chunk reached 1 KiB with >= 10 samples.
                assertTrue(ChunkCutter.isFullHistogramChunk(c.chunk()), "chunk " + i + " full: " + c.chunk());
                assertTrue(c.chunk().length() < 2 * ChunkCutter.HISTOGRAM_CHUNK_BYTES, "chunk " + i + " " + c.chunk());
            }
            if (i > 0 && !crossesRange) {
                assertEquals(CounterResetHeader.NOT_COUNTER_RESET, ((HistogramChunk) c.chunk()).counterResetHeader());
            }
        }
        assertEquals(n, samples);

        List<Object> got = select(head, "h");
        assertEquals(n, got.size());
        for (int k = 0; k < n; k++) {
            FloatHistogram h = (FloatHistogram) got.get(k);
            assertTrue(counter(k, 60).toFloat().equalsHistogram(h), "sample " + k + ": " + h);
        }
    }

    @Test
    void sampleTypeChangesCutChunksOfTheNewEncoding() {
        Head head = new Head(RANGE, 120);
        int ref = series(head, "m");
        long t = 0;
        for (int i = 0; i < 5; i++) assertEquals(AppendResult.OK, head.append(ref, t += STEP, i));
        for (int i = 0; i < 5; i++) assertEquals(AppendResult.OK, head.appendHistogram(ref, t += STEP, counter(i, 8)));
        for (int i = 0; i < 5; i++) assertEquals(AppendResult.OK, head.appendFloatHistogram(ref, t += STEP, gauge(i)));
        for (int i = 0; i < 5; i++) assertEquals(AppendResult.OK, head.appendHistogram(ref, t += STEP, counter(i, 8)));
        for (int i = 0; i < 5; i++) assertEquals(AppendResult.OK, head.append(ref, t += STEP, 100 + i));

        assertEquals(List.of(ChunkEncoding.XOR, ChunkEncoding.HISTOGRAM, ChunkEncoding.FLOAT_HISTOGRAM,
                ChunkEncoding.HISTOGRAM, ChunkEncoding.XOR), encodings(head.series(ref)));
        List<Object> got = select(head, "m");
        assertEquals(25, got.size());
        assertEquals(4.0, got.get(4));
        assertTrue(counter(0, 8).toFloat().equalsHistogram((FloatHistogram) got.get(5)));
        assertTrue(gauge(4).equalsHistogram((FloatHistogram) got.get(14)));
        assertEquals(104.0, got.get(24));
    }

    @Test
    void counterResetStartsAChunkThatSaysSo() {
        Head head = new Head(RANGE, 120);
        int ref = series(head, "h");
        for (int k = 0; k < 20; k++) head.appendHistogram(ref, k * STEP, counter(k, 8));
        head.appendHistogram(ref, 20 * STEP, counter(0, 8)); // every count went down
        List<ChunkMeta> chunks = head.series(ref).chunks();
        assertEquals(2, chunks.size());
        assertEquals(20 * STEP, chunks.get(1).minTime());
        assertEquals(CounterResetHeader.COUNTER_RESET, ((HistogramChunk) chunks.get(1).chunk()).counterResetHeader());
    }

    @Test
    void staleMarkersOfHistogramSeriesStayHistograms() {
        Head head = new Head(RANGE, 120);
        int ref = series(head, "h");
        int fref = series(head, "fh");
        head.appendHistogram(ref, STEP, counter(1, 8));
        assertEquals(AppendResult.OK, head.append(ref, 2 * STEP, StaleNaN.VALUE), "a float stale marker");
        assertEquals(AppendResult.OK, head.appendHistogram(ref, 3 * STEP, counter(2, 8)));
        assertEquals(AppendResult.OK, head.appendHistogram(ref, 4 * STEP, Histogram.staleMarker()));
        head.appendFloatHistogram(fref, STEP, gauge(1));
        assertEquals(AppendResult.OK, head.append(fref, 2 * STEP, StaleNaN.VALUE));

        // Markers go to histogram chunks; the sample after one starts a new chunk, as Prometheus's appender does.
        assertEquals(List.of(ChunkEncoding.HISTOGRAM, ChunkEncoding.HISTOGRAM), encodings(head.series(ref)));
        // A marker (no gauge hint) after gauge samples starts a chunk of its own, as in Prometheus.
        assertEquals(List.of(ChunkEncoding.FLOAT_HISTOGRAM, ChunkEncoding.FLOAT_HISTOGRAM), encodings(head.series(fref)));
        List<Object> got = select(head, "h");
        assertEquals(4, got.size());
        assertTrue(StaleNaN.is(((FloatHistogram) got.get(1)).sum()));
        assertTrue(StaleNaN.is(((FloatHistogram) got.get(3)).sum()));
        assertTrue(StaleNaN.is(((FloatHistogram) select(head, "fh").get(1)).sum()));
    }

    @Test
    void repeatsAreAcceptedSilentlyAndOtherValuesAtTheNewestTimestampAreDuplicates() {
        Head head = new Head(RANGE, 120);
        int ref = series(head, "h");
        Histogram h = counter(3, 8);
        assertEquals(AppendResult.OK, head.appendHistogram(ref, 1000, h));
        Histogram hinted = Histogram.of(3, 1e-128, h.zeroCount(), h.count(), h.sum(), h.positiveSpans(),
                h.positiveBuckets(), new int[0], new long[0], null, CounterResetHint.NOT_COUNTER_RESET);
        assertEquals(AppendResult.OK, head.appendHistogram(ref, 1000, hinted), "the hint does not make another value");
        assertEquals(AppendResult.DUPLICATE, head.appendHistogram(ref, 1000, counter(4, 8)));
        assertEquals(AppendResult.DUPLICATE, head.appendFloatHistogram(ref, 1000, h.toFloat()), "another kind");
        assertEquals(AppendResult.DUPLICATE, head.append(ref, 1000, 1.0), "a float where a histogram is");
        assertEquals(1, head.appended());
        assertEquals(3, head.duplicates());

        int fref = series(head, "f");
        head.append(fref, 1000, 1.0);
        assertEquals(AppendResult.DUPLICATE, head.appendHistogram(fref, 1000, h), "a histogram where a float is");
        int gref = series(head, "g");
        head.appendFloatHistogram(gref, 1000, gauge(2));
        assertEquals(AppendResult.OK, head.appendFloatHistogram(gref, 1000, gauge(2)));
        assertEquals(AppendResult.DUPLICATE, head.appendFloatHistogram(gref, 1000, gauge(3)));
        assertEquals(List.of(1.0), select(head, "f"));
        assertEquals(1, select(head, "g").size());
    }

    @Test
    void outOfOrderHistogramsAreRefusedAndCountedWithoutAWindow() {
        Head head = new Head(RANGE, 120);
        int ref = series(head, "h");
        head.appendHistogram(ref, 10 * STEP, counter(10, 8));
        head.beginAppend();
        assertEquals(AppendResult.OUT_OF_ORDER, head.appendHistogram(ref, 9 * STEP, counter(9, 8)));
        assertEquals(AppendResult.OUT_OF_ORDER, head.appendFloatHistogram(ref, 9 * STEP, gauge(9)));
        assertEquals(2, head.outOfOrder());
        head.setMinValidTime(5 * STEP);
        assertEquals(AppendResult.OUT_OF_BOUNDS, head.appendHistogram(ref, 4 * STEP, counter(4, 8)));
        assertEquals(1, head.outOfBounds());
        assertEquals(1, select(head, "h").size());
    }

    /** A head with a window whose series "h" has in-order histograms from step 200 and the out-of-order steps given. */
    static Head outOfOrderHead(int[] outOfOrderSteps) {
        Head head = new Head(RANGE, 120);
        head.setOutOfOrderTimeWindow(RANGE);
        head.beginAppend();
        int ref = series(head, "h");
        for (int k = 200; k < 300; k++) assertEquals(AppendResult.OK, head.appendHistogram(ref, k * STEP, counter(k, 60)));
        head.beginAppend();
        for (int k : outOfOrderSteps) {
            assertEquals(AppendResult.OK_OUT_OF_ORDER, head.appendHistogram(ref, k * STEP, counter(k, 60)), "step " + k);
        }
        return head;
    }

    static int[] descending(int from, int to) {
        int[] out = new int[from - to];
        for (int i = 0; i < out.length; i++) out[i] = from - 1 - i;
        return out;
    }

    @Test
    void outOfOrderHistogramsWithinTheWindowAreStoredMergedAndReadBack() {
        Head head = outOfOrderHead(descending(200, 100)); // 100 out of order: several buffer merges
        int ref = head.seriesRef(Labels.of("__name__", "h", "job", "api"));
        assertEquals(100, head.outOfOrderAppended());
        assertEquals(AppendResult.OK, head.appendHistogram(ref, 150 * STEP, counter(150, 60)), "a repeat");
        assertEquals(AppendResult.DUPLICATE, head.appendHistogram(ref, 150 * STEP, counter(151, 60)));
        assertEquals(AppendResult.DUPLICATE, head.append(ref, 150 * STEP, 1.0), "a float where a histogram is");
        assertEquals(AppendResult.OK, head.appendHistogram(ref, 250 * STEP, counter(250, 60)), "a repeat of an in-order one");
        int g = series(head, "g");
        head.appendFloatHistogram(g, 300 * STEP, gauge(300));
        head.beginAppend();
        assertEquals(AppendResult.OK_OUT_OF_ORDER, head.appendFloatHistogram(g, 299 * STEP, gauge(299)));
        assertEquals(AppendResult.OK_OUT_OF_ORDER, head.append(g, 298 * STEP, 7.0), "floats and histograms mix");

        List<Object> got = select(head, "h");
        assertEquals(200, got.size());
        for (int k = 100; k < 300; k++) {
            assertTrue(counter(k, 60).toFloat().equalsHistogram((FloatHistogram) got.get(k - 100)), "step " + k);
        }
        List<Object> gs = select(head, "g");
        assertEquals(7.0, gs.get(0));
        assertTrue(gauge(299).equalsHistogram((FloatHistogram) gs.get(1)));

        // Blocks take them re-encoded, integer histograms in histogram chunks cut at 1 KiB.
        List<ChunkMeta> block = head.series(ref).chunksForBlock(0, RANGE - 1, true);
        int n = 0;
        for (ChunkMeta c : block) {
            assertEquals(ChunkEncoding.HISTOGRAM, c.chunk().encoding());
            n += c.chunk().numSamples();
        }
        assertEquals(100, n);
        assertTrue(block.size() > 1);
        assertEquals(ChunkEncoding.FLOAT_HISTOGRAM,
                head.series(g).chunksForBlock(0, RANGE - 1, true).get(1).chunk().encoding());

        head.beginAppend();
        assertEquals(AppendResult.TOO_OLD, head.appendHistogram(ref, 300 * STEP - RANGE - 1, counter(1, 60)));
        assertEquals(1, head.tooOld());
    }

    @Test
    void outOfOrderHistogramsTruncateAndRestore() {
        int[] steps = descending(200, 120);
        Head head = outOfOrderHead(steps);
        // Restored from a write-behind log into a head that has the in-order part: the same samples.
        Head restored = new Head(RANGE, 120);
        int ref = series(restored, "h");
        for (int k = 200; k < 300; k++) restored.appendHistogram(ref, k * STEP, counter(k, 60));
        for (int k : steps) assertTrue(restored.restoreOutOfOrderHistogram(ref, k * STEP, counter(k, 60)));
        assertFalse(restored.restoreOutOfOrderHistogram(ref, 150 * STEP, counter(150, 60)), "held already");
        assertEquals(select(head, "h").toString(), select(restored, "h").toString());

        head.truncate(160 * STEP + 1); // straddles an out-of-order chunk
        List<Object> got = select(head, "h");
        assertEquals(139, got.size());
        assertTrue(counter(161, 60).toFloat().equalsHistogram((FloatHistogram) got.get(0)));
    }

    @Test
    void invalidHistogramsAreRefusedAndCounted() {
        Head head = new Head(RANGE, 120);
        int ref = series(head, "h");
        Histogram bad = Histogram.of(3, 0, 0, 1, 1, new int[] {0, 2}, new long[] {5, 1}, new int[0], new long[0], null,
                CounterResetHint.UNKNOWN); // count 1 < 11 in the buckets
        assertEquals(AppendResult.INVALID_HISTOGRAM, head.appendHistogram(ref, 1000, bad));
        FloatHistogram badSchema = FloatHistogram.of(9, 0, 0, 0, 0, new int[0], new double[0], new int[0], new double[0],
                null, CounterResetHint.UNKNOWN);
        assertEquals(AppendResult.INVALID_HISTOGRAM, head.appendFloatHistogram(ref, 1000, badSchema));
        assertEquals(2, head.invalidHistograms());
        assertEquals(0, head.appended());
        assertFalse(head.series(ref).hasSamples());
        assertEquals(AppendResult.OK, head.appendHistogram(ref, 1000, counter(1, 4)), "the series still takes valid ones");
    }

    @Test
    void truncationDropsHistogramChunksAndKeepsTheEncodingsOfTheRest() {
        Head head = new Head(RANGE, 120);
        int ref = series(head, "m");
        long t = 0;
        for (int i = 0; i < 150; i++) head.append(ref, t += STEP, i);         // XOR, XOR
        for (int i = 0; i < 200; i++) head.appendHistogram(ref, t += STEP, counter(i, 60));
        for (int i = 0; i < 30; i++) head.append(ref, t += STEP, i);          // XOR, open
        MemSeries s = head.series(ref);
        List<ChunkMeta> before = s.chunks();
        assertEquals(ChunkEncoding.XOR, before.get(0).chunk().encoding());
        assertEquals(ChunkEncoding.HISTOGRAM, before.get(2).chunk().encoding());

        head.truncate(before.get(3).minTime()); // drops both XOR chunks and the first histogram chunk
        List<ChunkMeta> after = s.chunks();
        assertEquals(before.size() - 3, after.size());
        for (int i = 0; i < after.size(); i++) {
            assertEquals(before.get(i + 3).chunk().encoding(), after.get(i).chunk().encoding());
            assertArrayEquals(before.get(i + 3).chunk().toByteArray(), after.get(i).chunk().toByteArray());
        }
        head.truncate(t - 10 * STEP); // only the open float chunk is left
        assertEquals(List.of(ChunkEncoding.XOR), encodings(s));
        assertNull(s.closedChunkEncodings(), "a float-only series keeps no encodings");
    }

    @Test
    void blocksTakeHistogramsMergedWithOutOfOrderFloatsReEncoded() {
        Head head = new Head(RANGE, 120);
        head.setOutOfOrderTimeWindow(RANGE);
        head.beginAppend();
        int ref = series(head, "m");
        for (int k = 0; k < 50; k++) head.appendHistogram(ref, (k + 10) * STEP, counter(k, 20));
        head.beginAppend();
        for (int k = 0; k < 10; k++) assertEquals(AppendResult.OK_OUT_OF_ORDER, head.append(ref, k * STEP, k));
        List<ChunkMeta> chunks = head.series(ref).chunksForBlock(0, RANGE - 1, false);
        assertEquals(ChunkEncoding.XOR, chunks.get(0).chunk().encoding());
        assertEquals(9 * STEP, chunks.get(0).maxTime());
        int histograms = 0;
        for (ChunkMeta c : chunks.subList(1, chunks.size())) {
            assertEquals(ChunkEncoding.HISTOGRAM, c.chunk().encoding(), "integer histograms stay integer");
            histograms += c.chunk().numSamples();
        }
        assertEquals(50, histograms);
        ChunkSeriesIterator it = new ChunkSeriesIterator(chunks.toArray(new ChunkMeta[0]), 0, RANGE - 1);
        for (int k = 0; k < 60; k++) {
            assertTrue(it.next());
            assertEquals(k * STEP, it.timestamp());
            if (k >= 10) assertTrue(counter(k - 10, 20).equalsIgnoringHint(it.integerHistogram()), "sample " + k);
        }
        assertFalse(it.next());
        // An out-of-order float where an in-order histogram is: another value.
        assertEquals(AppendResult.DUPLICATE, head.append(ref, 20 * STEP, 1.0));
    }
}
