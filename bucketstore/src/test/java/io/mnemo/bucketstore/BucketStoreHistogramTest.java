package io.mnemo.bucketstore;

import static io.mnemo.bucketstore.StoreData.TENANT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mnemo.objstore.FilesystemBucket;
import io.mnemo.tsdb.ChunkSeries;
import io.mnemo.tsdb.ChunkSeriesIterator;
import io.mnemo.tsdb.HistogramIterator;
import io.mnemo.tsdb.LabelMatcher;
import io.mnemo.tsdb.Labels;
import io.mnemo.tsdb.SampleIterator;
import io.mnemo.tsdb.Series;
import io.mnemo.tsdb.SeriesSet;
import io.mnemo.tsdb.SeriesSetCodec;
import io.mnemo.tsdb.block.BlockMeta;
import io.mnemo.tsdb.block.BlockWriter;
import io.mnemo.tsdb.chunkenc.ChunkCutter;
import io.mnemo.tsdb.chunkenc.ChunkEncoding;
import io.mnemo.tsdb.chunkenc.ChunkMeta;
import io.mnemo.tsdb.histogram.FloatHistogram;
import io.mnemo.tsdb.histogram.FloatHistogram.CounterResetHint;
import io.mnemo.tsdb.histogram.Histogram;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A block of native histograms in a filesystem bucket, read by the bucket store through ranged
 * reads of its chunk segments: every chunk comes back in its encoding, whether the reads are
 * coalesced (the default policy) or each chunk is longer than the guessed read and fetched again
 * on its own, from the bucket or from the chunks cache; and it ships through the series codec.
 */
class BucketStoreHistogramTest {
    static final long T0 = 1_700_006_400_000L;
    static final long STEP = 5_000;
    static final long RANGE = 7_200_000;
    /** Reads of one range each, guesses far shorter than a histogram chunk, small batches: every fallback path. */
    static final ReadPolicy TIGHT = new ReadPolicy(new RangeCoalescer(-1, 0), 64, 64, 7);

    @TempDir
    static Path dir;
    static List<ChunkSeries> series;
    static BlockMeta meta;
    static long histogramChunks;

    /** A counter histogram at step i, its 40 buckets growing irregularly (chunks of about 1 KiB). */
    static Histogram histogram(int i, int seed) {
        int n = 40;
        long[] deltas = new long[n];
        long prev = 0, count = 0;
        for (int b = 0; b < n; b++) {
            long mix = ((long) i * 0x9E3779B1L + (long) b * 0x85EBCA6BL + (long) seed * 0xC2B2AE35L) * 0x2545F4914F6CDD1DL;
            long v = (long) i * 1000 + b + Math.floorMod(mix >>> 17, 1000);
            deltas[b] = v - prev;
            prev = v;
            count += v;
        }
        return Histogram.of(3, 1e-128, 0, count, i * 2.5, new int[] {-n / 2, n}, deltas, new int[0], new long[0], null,
                CounterResetHint.UNKNOWN);
    }

    @BeforeAll
    static void upload() throws IOException {
        series = new ArrayList<>();
        int n = (int) (RANGE / STEP);
        for (int s = 0; s < 30; s++) {
            ChunkCutter cutter = new ChunkCutter(120);
            for (int i = 0; i < n; i++) {
                long t = T0 + i * STEP;
                switch (s % 3) {
                    case 0 -> cutter.appendHistogram(t, histogram(i, s));
                    case 1 -> cutter.appendFloatHistogram(t, histogram(i, s).toFloat());
                    default -> { // floats, then integer histograms
                        if (i < n / 2) cutter.appendFloat(t, i + s);
                        else cutter.appendHistogram(t, histogram(i, s));
                    }
                }
            }
            series.add(new ChunkSeries(Labels.of("__name__", "nh", "s", String.format("%02d", s)),
                    cutter.finish().toArray(new ChunkMeta[0]), Long.MIN_VALUE, Long.MAX_VALUE));
        }
        meta = new BlockWriter(dir.resolve("local")).write(series, T0, T0 + RANGE).orElseThrow();
        for (ChunkSeries s : series) {
            for (ChunkMeta c : s.chunks()) if (c.chunk().encoding() != ChunkEncoding.XOR) histogramChunks++;
        }
        assertTrue(histogramChunks > 2_000, "histogram chunks: " + histogramChunks);
        try (FilesystemBucket bucket = new FilesystemBucket(dir.resolve("bucket"))) {
            StoreData.upload(bucket, dir.resolve("local").resolve(meta.ulid().toString()));
        }
    }

    BucketStore store(FilesystemBucket bucket, ReadPolicy policy, long cacheBytes, String syncDir) throws IOException {
        BucketStore s = new BucketStore(bucket, dir.resolve(syncDir),
                new BucketStoreConfig(Duration.ZERO, cacheBytes, cacheBytes, Clock.systemUTC()), (t, m) -> true, policy);
        assertEquals(1, s.sync().blocks());
        return s;
    }

    @Test
    void coalescedReadsGiveEveryChunkInItsEncoding() throws IOException {
        readAndCompare(ReadPolicy.DEFAULT, "sync-default");
    }

    @Test
    void chunksLongerThanTheGuessAreReadAgainAndCachedInTheirEncoding() throws IOException {
        readAndCompare(TIGHT, "sync-tight");
    }

    private void readAndCompare(ReadPolicy policy, String syncDir) throws IOException {
        try (FilesystemBucket bucket = new FilesystemBucket(dir.resolve("bucket"));
             BucketStore s = store(bucket, policy, 64L << 20, syncDir)) {
            long from = T0 + 100 * STEP + 1, to = T0 + RANGE - 100 * STEP; // inside chunks: both ends trimmed
            for (int round = 0; round < 2; round++) { // the second from the chunks cache
                try (BlockQuery q = s.query(TENANT, from, to, null)) {
                    assertSame(series, from, to, q.select(true, LabelMatcher.equal("__name__", "nh")), "round " + round);
                }
            }
            assertTrue(s.chunksCacheStats().hits() >= histogramChunks / 2, "the second round came from the cache: " + s.chunksCacheStats());
            // Shipped to a querier as the store-gateway does: frames of the read path's size.
            try (BlockQuery q = s.query(TENANT, from, to, null)) {
                SeriesSetCodec.FrameWriter w = new SeriesSetCodec.FrameWriter(q.select(true, LabelMatcher.equal("__name__", "nh")), 128 << 10);
                List<byte[]> frames = new ArrayList<>();
                for (byte[] f; (f = w.next()) != null; ) frames.add(f);
                assertTrue(frames.size() > 10, "frames: " + frames.size());
                assertSame(series, from, to, SeriesSetCodec.decodeFrames(frames), "decoded frames");
            }
        }
    }

    /** Each series' samples in [from, to], histograms as histograms, integer ones as integer. */
    private static void assertSame(List<ChunkSeries> want, long from, long to, SeriesSet got, String what) {
        for (ChunkSeries w : want) {
            assertTrue(got.next(), what + ": " + w.labels());
            Series g = got.at();
            assertEquals(w.labels(), g.labels());
            SampleIterator e = new ChunkSeriesIterator(w.chunks(), from, to);
            SampleIterator a = g.iterator();
            assertTrue(a instanceof HistogramIterator, what + ": " + a.getClass());
            HistogramIterator eh = (HistogramIterator) e, ah = (HistogramIterator) a;
            int n = 0;
            while (e.next()) {
                assertTrue(a.next(), what + ": sample " + n + " of " + w.labels());
                assertEquals(e.timestamp(), a.timestamp());
                FloatHistogram fe = eh.histogram(), fa = ah.histogram();
                if (fe == null) {
                    assertEquals(null, fa);
                    assertEquals(Double.doubleToRawLongBits(e.value()), Double.doubleToRawLongBits(a.value()));
                } else {
                    assertTrue(fe.equals(fa), what + ": histogram at " + e.timestamp() + " of " + w.labels());
                    assertEquals(eh.integerHistogram() != null, ah.integerHistogram() != null, "integer stays integer");
                }
                n++;
            }
            assertTrue(!a.next(), what + ": no extra sample in " + w.labels());
        }
        assertTrue(!got.next(), what + ": no extra series");
    }
}
