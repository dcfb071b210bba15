package io.mnemo.bench.tsdb;

import io.mnemo.tsdb.chunkenc.ChunkCutter;
import io.mnemo.tsdb.chunkenc.ChunkMeta;
import io.mnemo.tsdb.histogram.FloatHistogram.CounterResetHint;
import io.mnemo.tsdb.histogram.FloatHistogram;
import io.mnemo.tsdb.histogram.Histogram;

import java.util.Random;
import java.util.TreeMap;

/**
 * Bytes per native histogram sample in chunks, for latency histograms scraped every 15 s: each
 * series observes log-normal values around a median that drifts slowly, into exponential buckets
 * of schema 3 (18 to 32 populated buckets after 2 h); variants observe 1, 10, 100 or 1000 values per
 * scrape.
 * Samples are appended to histogram chunks (encoding 2) and, as floats, to float histogram
 * chunks (encoding 3), cut as heads cut them ({@link ChunkCutter}: once a chunk has at least 10
 * samples and 1024 bytes, Prometheus 3's TargetBytesPerHistogramChunk, without its time-range
 * prediction, or at a counter reset); the encoded chunk bytes,
 * headers included, are divided by the samples. For scale it also prints what the same
 * observations cost as a classic histogram: 20 {@code le} buckets, {@code _count} and
 * {@code _sum} as 22 float series in XOR chunks of 120 samples, per histogram sample.
 *
 * <p>Our encodings are Prometheus's byte for byte (PrometheusHistogramChunksIT re-encodes
 * Prometheus 2.42's chunks to their bytes), so the native figures are Prometheus's too.
 *
 * <pre>java -cp ... io.mnemo.bench.tsdb.HistogramChunkCompression [series] [samples per series]</pre>
 */
public final class HistogramChunkCompression {
    private static final int SCHEMA = 3;
    private static final int[] OBSERVATIONS_PER_SCRAPE = {1, 10, 100, 1000};
    /** Classic bucket bounds, seconds: Prometheus client defaults extended to 20. */
    private static final double[] CLASSIC = {0.001, 0.0025, 0.005, 0.0075, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25,
            0.5, 0.75, 1, 2.5, 5, 7.5, 10, 25, 50, 100};

    public static void main(String[] args) {
        int numSeries = args.length > 0 ? Integer.parseInt(args[0]) : 1_000;
        int samples = args.length > 1 ? Integer.parseInt(args[1]) : 480;
        long[] intBytes = new long[4];
        long[] floatBytes = new long[4];
        long[] classicBytes = new long[4];
        long[] count = new long[4];
        long[] buckets = new long[4];
        for (int s = 0; s < numSeries; s++) {
            int variant = s % 4;
            Series series = new Series(s, OBSERVATIONS_PER_SCRAPE[variant]);
            ChunkCutter ints = new ChunkCutter(120);
            ChunkCutter floats = new ChunkCutter(120);
            ChunkCutter[] classic = new ChunkCutter[CLASSIC.length + 2];
            for (int k = 0; k < classic.length; k++) classic[k] = new ChunkCutter(120);
            long t = 1_700_000_000_000L + s;
            for (int i = 0; i < samples; i++, t += 15_000) {
                Histogram h = series.scrape();
                buckets[variant] += h.positiveBucketCount();
                ints.appendHistogram(t, h);
                floats.appendFloatHistogram(t, h.toFloat());
                double[] classicValues = series.classic();
                for (int k = 0; k < classic.length; k++) classic[k].appendFloat(t, classicValues[k]);
                count[variant]++;
            }
            intBytes[variant] += bytes(ints);
            floatBytes[variant] += bytes(floats);
            for (ChunkCutter c : classic) classicBytes[variant] += bytes(c);
        }
        System.out.printf("%-34s %10s %12s %14s %16s%n", "observations per 15 s scrape", "buckets", "hist B/smp",
                "float B/smp", "classic(22) B/smp");
        long ib = 0, fb = 0, cb = 0, n = 0;
        for (int v = 0; v < 4; v++) {
            System.out.printf("%-34d %10.1f %12.2f %14.2f %16.2f%n", OBSERVATIONS_PER_SCRAPE[v], (double) buckets[v] / count[v],
                    (double) intBytes[v] / count[v], (double) floatBytes[v] / count[v], (double) classicBytes[v] / count[v]);
            ib += intBytes[v];
            fb += floatBytes[v];
            cb += classicBytes[v];
            n += count[v];
        }
        System.out.printf("%-34s %10s %12.2f %14.2f %16.2f  (%,d samples)%n", "all", "", (double) ib / n, (double) fb / n,
                (double) cb / n, n);
    }

    private static long bytes(ChunkCutter cutter) {
        long n = 0;
        for (ChunkMeta c : cutter.finish()) n += c.chunk().length();
        return n;
    }

    /** One histogram series: cumulative bucket counts of log-normal observations around a drifting median. */
    private static final class Series {
        private final Random random;
        private final int perScrape;
        private final TreeMap<Integer, Long> positive = new TreeMap<>();
        private final long[] classic = new long[CLASSIC.length + 1];
        private double median;
        private long count;
        private double sum;

        Series(int seed, int perScrape) {
            this.random = new Random(seed);
            this.perScrape = perScrape;
            this.median = 0.02 + random.nextDouble() * 0.2;
        }

        Histogram scrape() {
            median *= Math.exp(random.nextGaussian() * 0.01); // slowly
            for (int i = 0; i < perScrape; i++) {
                double v = median * Math.exp(random.nextGaussian() * 0.3);
                positive.merge((int) Math.ceil(Math.log(v) / Math.log(2) * (1 << SCHEMA)), 1L, Long::sum);
                int k = 0;
                while (k < CLASSIC.length && v > CLASSIC[k]) k++;
                classic[k]++;
                count++;
                sum += v;
            }
            int[] idx = new int[positive.size()];
            long[] deltas = new long[positive.size()];
            int i = 0;
            long prev = 0;
            for (var e : positive.entrySet()) {
                idx[i] = e.getKey();
                deltas[i++] = e.getValue() - prev;
                prev = e.getValue();
            }
            return Histogram.of(SCHEMA, Math.scalb(1.0, -128), 0, count, sum, FloatHistogram.spansOf(idx), deltas,
                    new int[0], new long[0], null, CounterResetHint.UNKNOWN);
        }

        /** The same observations as a classic histogram: cumulative le buckets (+Inf included), count, sum. */
        double[] classic() {
            double[] out = new double[CLASSIC.length + 2];
            long cumulative = 0;
            for (int k = 0; k <= CLASSIC.length; k++) out[k] = cumulative += classic[k];
            out[CLASSIC.length + 1] = sum;
            return out; // the +Inf bucket is _count
        }
    }
}
