package io.mnemo.actors.querier;

import io.mnemo.promql.Engine;
import io.mnemo.promql.value.Vector;
import io.mnemo.tsdb.ChunkSeries;
import io.mnemo.tsdb.ChunkSeriesIterator;
import io.mnemo.tsdb.HistogramIterator;
import io.mnemo.tsdb.LabelMatcher;
import io.mnemo.tsdb.Labels;
import io.mnemo.tsdb.MergeSeriesSet;
import io.mnemo.tsdb.Querier;
import io.mnemo.tsdb.SampleIterator;
import io.mnemo.tsdb.SeriesSet;
import io.mnemo.tsdb.SeriesSetCodec;
import io.mnemo.tsdb.chunkenc.ChunkCutter;
import io.mnemo.tsdb.chunkenc.ChunkMeta;
import io.mnemo.tsdb.histogram.FloatHistogram.CounterResetHint;
import io.mnemo.tsdb.histogram.Histogram;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Native histograms on the querier's side of the read path: frames of histogram chunks are
 * counted against the chunk-bytes limit by their size, and the merge of two zones' ingesters
 * (overlapping copies) with a store-gateway's older block gives the engine iterators that are
 * {@link HistogramIterator}s, so PromQL sees histograms, not zeros.
 */
class HistogramAnswersTest {
    static final long T0 = 1_700_000_000_000L;
    static final long STEP = 15_000;
    static final int N = 2_000;

    /** An integer counter histogram at step i: 30 buckets growing irregularly, count and sum known. */
    static Histogram histogram(int i, int seed) {
        int n = 30;
        long[] deltas = new long[n];
        long prev = 0, count = 0;
        for (int b = 0; b < n; b++) {
            long mix = ((long) i * 0x9E3779B1L + (long) b * 0x85EBCA6BL + (long) seed * 0xC2B2AE35L) * 0x2545F4914F6CDD1DL;
            long v = (long) i * 1000 + b + Math.floorMod(mix >>> 17, 1000);
            deltas[b] = v - prev;
            prev = v;
            count += v;
        }
        return Histogram.of(3, 1e-128, 0, count, i * 2.5, new int[] {0, n}, deltas, new int[0], new long[0], null,
                CounterResetHint.UNKNOWN);
    }

    /** Samples [from, to) of series s: integer histograms (s even) or float histograms. */
    static ChunkSeries series(int s, int from, int to) {
        ChunkCutter cutter = new ChunkCutter(120);
        for (int i = from; i < to; i++) {
            if (s % 2 == 0) cutter.appendHistogram(T0 + i * STEP, histogram(i, s));
            else cutter.appendFloatHistogram(T0 + i * STEP, histogram(i, s).toFloat());
        }
        return new ChunkSeries(Labels.of("__name__", "nh", "s", Integer.toString(s)), cutter.finish().toArray(new ChunkMeta[0]),
                Long.MIN_VALUE, Long.MAX_VALUE);
    }

    /** A store's answer as the querier collects it: the frames a FrameWriter makes of the series. */
    static Answer.OfSeries answer(List<ChunkSeries> series, QueryLimiter limiter) {
        Answer.OfSeries a = new Answer.OfSeries(limiter, true);
        SeriesSetCodec.FrameWriter w = new SeriesSetCodec.FrameWriter(SeriesSet.of(new ArrayList<>(series)), 128 << 10);
        for (byte[] f; (f = w.next()) != null; ) a.frame(f);
        return a;
    }

    static long chunkBytes(List<ChunkSeries> series) {
        long n = 0;
        for (ChunkSeries s : series) for (ChunkMeta c : s.chunks()) n += c.chunk().length();
        return n;
    }

    @Test
    void histogramChunkBytesCountAgainstTheLimitAndTheMergeGivesTheEngineHistograms() {
        // Store-gateway: the first half; zone a: the second half; zone b: the second half without its first chunk.
        List<ChunkSeries> gateway = new ArrayList<>(), zoneA = new ArrayList<>(), zoneB = new ArrayList<>();
        for (int s = 0; s < 4; s++) {
            gateway.add(series(s, 0, N / 2));
            ChunkSeries a = series(s, N / 2, N);
            zoneA.add(a);
            zoneB.add(new ChunkSeries(a.labels(), Arrays.copyOfRange(a.chunks(), 1, a.chunks().length), a.mint(), a.maxt()));
        }
        long bytesA = chunkBytes(zoneA);
        assertTrue(bytesA > 256 << 10, "answers of several frames: " + bytesA);
        answer(zoneA, new QueryLimiter(0, bytesA, 0)); // exactly at the limit
        assertThrows(QueryLimitExceededException.class, () -> answer(zoneA, new QueryLimiter(0, bytesA - 1, 0)),
                "histogram chunks count by their bytes");

        Supplier<SeriesSet> merged = () -> MergeSeriesSet.merge(List.of(
                answer(zoneA, new QueryLimiter(0, 0, 0)).series(),
                answer(zoneB, new QueryLimiter(0, 0, 0)).series(),
                answer(gateway, new QueryLimiter(0, 0, 0)).series()));
        SeriesSet set = merged.get();
        int n = 0;
        while (set.next()) {
            SampleIterator it = set.at().iterator();
            assertInstanceOf(HistogramIterator.class, it, "the engine's iterator gives histograms");
            ChunkSeries whole = series(n, 0, N);
            SampleIterator want = new ChunkSeriesIterator(whole.chunks(), Long.MIN_VALUE, Long.MAX_VALUE);
            int k = 0;
            while (want.next()) {
                assertTrue(it.next(), "sample " + k);
                assertEquals(want.timestamp(), it.timestamp());
                // equal but for the counter reset hint, which a chunk's first sample has as "unknown"
                assertTrue(((HistogramIterator) want).histogram().equalsHistogram(((HistogramIterator) it).histogram()), "sample " + k);
                k++;
            }
            assertTrue(!it.next());
            n++;
        }
        assertEquals(4, n);

        Engine engine = new Engine();
        long t = T0 + (N - 10) * STEP;
        Vector v = (Vector) engine.instantQuery((mint, maxt) -> new Querier() {
            public SeriesSet select(boolean sorted, LabelMatcher... matchers) { return merged.get(); }
            public List<String> labelNames(LabelMatcher... matchers) { return List.of(); }
            public List<String> labelValues(String name, LabelMatcher... matchers) { return List.of(); }
        }, "histogram_count(nh)", t);
        assertEquals(4, v.size());
        for (int i = 0; i < 4; i++) {
            int s = Integer.parseInt(v.labels(i).get("s"));
            assertEquals(histogram(N - 10, s).toFloat().count(), v.value(i), "histogram_count of series " + s);
        }
    }
}
