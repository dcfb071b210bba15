package io.mnemo.tsdb;

import io.mnemo.tsdb.chunkenc.ChunkCutter;
import io.mnemo.tsdb.chunkenc.ChunkEncoding;
import io.mnemo.tsdb.chunkenc.ChunkMeta;
import io.mnemo.tsdb.histogram.FloatHistogram;
import io.mnemo.tsdb.histogram.FloatHistogram.CounterResetHint;
import io.mnemo.tsdb.histogram.Histogram;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Series of native histograms for the storage tests, made into chunks by {@link ChunkCutter} as
 * a head would, and their samples as comparable text.
 */
public final class NativeHistogramSeries {
    /** What the samples of a series are. */
    public enum Kind { FLOATS, INTEGER_HISTOGRAMS, FLOAT_HISTOGRAMS, CHANGING }

    private NativeHistogramSeries() {}

    /**
     * An integer counter histogram at step i with {@code buckets} positive buckets, each growing
     * by 1 to 1,999 a step, irregularly, so that a chunk of 40-bucket histograms reaches 1 KiB
     * after a dozen samples; salted by {@code seed}. Never a counter reset.
     */
    public static Histogram histogram(int i, int buckets, int seed) {
        long[] deltas = new long[buckets];
        long prev = 0, count = 0;
        for (int b = 0; b < buckets; b++) {
            long mix = ((long) i * 0x9E3779B1L + (long) b * 0x85EBCA6BL + (long) seed * 0xC2B2AE35L) * 0x2545F4914F6CDD1DL;
            long v = (long) i * 1000 + b + Math.floorMod(mix >>> 17, 1000);
            deltas[b] = v - prev;
            prev = v;
            count += v;
        }
        long zero = i + seed;
        return Histogram.of(3, 1e-128, zero, count + zero, i * 1.5 + seed, new int[] {-buckets / 2, buckets}, deltas,
                new int[0], new long[0], null, CounterResetHint.UNKNOWN);
    }

    /**
     * A series of {@code n} samples from {@code t0} every {@code step} ms, in chunks: floats,
     * integer histograms, float histograms, or a series that changes type (floats, then integer
     * histograms, then float histograms, then floats), as a chunk-backed series over all time.
     */
    public static ChunkSeries series(Labels labels, Kind kind, long t0, long step, int n, int buckets, int seed) {
        ChunkCutter cutter = new ChunkCutter(120);
        for (int i = 0; i < n; i++) {
            long t = t0 + i * step;
            Kind k = kind != Kind.CHANGING ? kind : switch (4 * i / n) {
                case 0, 3 -> Kind.FLOATS;
                case 1 -> Kind.INTEGER_HISTOGRAMS;
                default -> Kind.FLOAT_HISTOGRAMS;
            };
            switch (k) {
                case FLOATS -> cutter.appendFloat(t, i * 0.5 + seed);
                case INTEGER_HISTOGRAMS -> cutter.appendHistogram(t, histogram(i, buckets, seed));
                default -> cutter.appendFloatHistogram(t, histogram(i, buckets, seed).toFloat());
            }
        }
        return new ChunkSeries(labels, cutter.finish().toArray(new ChunkMeta[0]), Long.MIN_VALUE, Long.MAX_VALUE);
    }

    /**
     * The samples of an iterator as text, one per sample: "t f bits" for a float, "t i histogram"
     * for a sample stored as an integer histogram, "t h histogram" for a float histogram.
     */
    public static List<String> samples(SampleIterator it) {
        List<String> out = new ArrayList<>();
        while (it.next()) {
            if (it instanceof HistogramIterator h && h.histogram() != null) {
                out.add(it.timestamp() + (h.integerHistogram() != null ? " i " : " h ") + text(h.histogram()));
            } else {
                out.add(it.timestamp() + " f " + Long.toHexString(Double.doubleToRawLongBits(it.value())));
            }
        }
        return out;
    }

    /** Every field of a histogram but its hint (Prometheus's text form formats bucket bounds, which is slow). */
    static String text(FloatHistogram h) {
        return h.schema() + " " + h.zeroThreshold() + " " + h.zeroCount() + " " + h.count() + " " + h.sum()
                + Arrays.toString(h.positiveIndices()) + Arrays.toString(h.positiveCounts())
                + Arrays.toString(h.negativeIndices()) + Arrays.toString(h.negativeCounts());
    }

    /** The samples of a series within [mint, maxt]. */
    public static List<String> samples(ChunkSeries s, long mint, long maxt) {
        return samples(new ChunkSeriesIterator(s.chunks(), mint, maxt));
    }

    /** The encodings of a series' chunks, in order. */
    public static List<ChunkEncoding> encodings(ChunkMeta[] chunks) {
        List<ChunkEncoding> out = new ArrayList<>();
        for (ChunkMeta c : chunks) out.add(c.chunk().encoding());
        return out;
    }

    /** Asserts equal sample lists, naming the first difference (a whole list would be megabytes of message). */
    public static void assertSameSamples(List<String> want, List<String> got, String what) {
        for (int i = 0; i < Math.min(want.size(), got.size()); i++) {
            if (!want.get(i).equals(got.get(i))) {
                throw new AssertionError(what + ": sample " + i + " is <" + cut(got.get(i)) + ">, expected <" + cut(want.get(i)) + ">");
            }
        }
        assertEquals(want.size(), got.size(), what + ": number of samples");
    }

    private static String cut(String s) {
        return s.length() > 300 ? s.substring(0, 300) + "..." : s;
    }

    /** Asserts a series set gives exactly these series' samples in [mint, maxt], in order. */
    public static void assertSameSeries(List<ChunkSeries> expected, long mint, long maxt, SeriesSet actual) {
        for (ChunkSeries e : expected) {
            List<String> want = samples(e, mint, maxt);
            if (want.isEmpty()) continue;
            assertTrue(actual.next(), "series " + e.labels());
            Series a = actual.at();
            assertEquals(e.labels(), a.labels());
            SampleIterator it = a.iterator();
            assertTrue(it instanceof HistogramIterator, "the iterator of " + a.labels() + " gives histograms: " + it.getClass());
            assertSameSamples(want, samples(it), "samples of " + e.labels());
        }
        assertFalse(actual.next(), "no extra series");
    }
}
