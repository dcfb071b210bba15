package io.mnemo.tsdb.chunkenc;

import io.mnemo.tsdb.ChunkSeriesIterator;
import io.mnemo.tsdb.histogram.FloatHistogram;
import io.mnemo.tsdb.histogram.FloatHistogram.CounterResetHint;
import io.mnemo.tsdb.histogram.Histogram;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ChunkCutterTest {

    /** A counter histogram at step i with 40 buckets, each growing by its index; reset to small counts at {@code resetAt}. */
    private static Histogram histogram(int i, int resetAt) {
        int n = 40;
        long[] deltas = new long[n];
        long base = i >= resetAt ? i - resetAt : i;
        long prev = 0, count = 0;
        for (int b = 0; b < n; b++) {
            long v = base * (b + 1) + b;
            deltas[b] = v - prev;
            prev = v;
            count += v;
        }
        return Histogram.of(3, 0, 0, count, base * 1.5, new int[] {0, n}, deltas, new int[0], new long[0], null,
                CounterResetHint.UNKNOWN);
    }

    @Test
    void cutsByTypeSizeAndResetAndReadsBackEverySample() {
        ChunkCutter cutter = new ChunkCutter(120);
        long t = 0;
        for (int i = 0; i < 150; i++) cutter.appendFloat(++t, i);
        long histStart = t + 1;
        for (int i = 0; i < 300; i++) cutter.appendHistogram(++t, histogram(i, 200));
        long floatHistStart = t + 1;
        for (int i = 0; i < 20; i++) cutter.appendFloatHistogram(++t, histogram(i, 1000).toFloat());
        long floatsAgain = t + 1;
        for (int i = 0; i < 5; i++) cutter.appendFloat(++t, -i);
        List<ChunkMeta> chunks = cutter.finish();

        assertEquals(ChunkEncoding.XOR, chunks.get(0).chunk().encoding());
        assertEquals(120, chunks.get(0).chunk().numSamples());
        assertEquals(30, chunks.get(1).chunk().numSamples());
        int histChunks = 0;
        boolean resetCut = false;
        for (ChunkMeta c : chunks) {
            if (c.chunk().encoding() != ChunkEncoding.HISTOGRAM) continue;
            histChunks++;
            HistogramChunk h = (HistogramChunk) c.chunk();
            if (c.maxTime() < floatHistStart - 1) {
                // every histogram chunk but the last is full or ends just before the reset
                boolean full = h.numSamples() >= ChunkCutter.HISTOGRAM_CHUNK_MIN_SAMPLES
                        && h.length() >= ChunkCutter.HISTOGRAM_CHUNK_BYTES;
                boolean beforeReset = c.maxTime() == histStart + 199;
                assertTrue(full || beforeReset, "chunk " + c + " cut early");
            }
            if (c.minTime() == histStart + 200) {
                resetCut = true;
                assertEquals(CounterResetHeader.COUNTER_RESET, h.counterResetHeader());
            }
        }
        assertTrue(histChunks > 2, "300 histograms of 40 buckets take more than 1 KiB: " + histChunks);
        assertTrue(resetCut, "the counter reset starts a chunk");

        ChunkSeriesIterator it = new ChunkSeriesIterator(chunks.toArray(new ChunkMeta[0]), Long.MIN_VALUE, Long.MAX_VALUE);
        for (long ts = 1; ts <= t; ts++) {
            assertTrue(it.next(), "sample " + ts);
            assertEquals(ts, it.timestamp());
            if (ts < histStart) {
                assertNull(it.histogram());
                assertEquals(ts - 1, it.value());
            } else if (ts < floatHistStart) {
                Histogram expected = histogram((int) (ts - histStart), 200);
                Histogram got = it.integerHistogram();
                assertNotNull(got);
                assertEquals(expected.count(), got.count());
                assertEquals(expected.sum(), got.sum());
                assertEquals(expected.positiveBucket(39), got.positiveBucket(39));
            } else if (ts < floatsAgain) {
                assertNull(it.integerHistogram(), "float histograms stay float");
                FloatHistogram got = it.histogram();
                assertEquals(histogram((int) (ts - floatHistStart), 1000).count(), (long) got.count());
            } else {
                assertNull(it.histogram());
                assertEquals(-(ts - floatsAgain), it.value());
            }
        }
        assertTrue(!it.next());

        // Re-encoding what the iterator reads gives the same chunks.
        List<ChunkMeta> again = ChunkCutter.encode(
                new ChunkSeriesIterator(chunks.toArray(new ChunkMeta[0]), Long.MIN_VALUE, Long.MAX_VALUE), 120);
        assertEquals(chunks.size(), again.size());
        for (int i = 0; i < chunks.size(); i++) {
            assertEquals(chunks.get(i).chunk().encoding(), again.get(i).chunk().encoding());
            assertEquals(java.util.HexFormat.of().formatHex(chunks.get(i).chunk().toByteArray()),
                    java.util.HexFormat.of().formatHex(again.get(i).chunk().toByteArray()), "chunk " + i);
        }
    }
}
