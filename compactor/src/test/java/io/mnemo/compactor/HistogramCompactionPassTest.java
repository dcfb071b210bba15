package io.mnemo.compactor;

import static io.mnemo.compactor.TestData.DAY0;
import static io.mnemo.compactor.TestData.H2;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mnemo.bucketstore.BlockOrigin;
import io.mnemo.bucketstore.BlockTransfer;
import io.mnemo.bucketstore.BucketBlockMeta;
import io.mnemo.bucketstore.BucketLayout;
import io.mnemo.bucketstore.bucketindex.BucketIndex;
import io.mnemo.objstore.Bucket;
import io.mnemo.objstore.FilesystemBucket;
import io.mnemo.tsdb.ChunkSeries;
import io.mnemo.tsdb.ChunkSeriesIterator;
import io.mnemo.tsdb.HistogramIterator;
import io.mnemo.tsdb.LabelMatcher;
import io.mnemo.tsdb.Labels;
import io.mnemo.tsdb.Querier;
import io.mnemo.tsdb.SampleIterator;
import io.mnemo.tsdb.SeriesSet;
import io.mnemo.tsdb.block.BlockMeta;
import io.mnemo.tsdb.block.BlockReader;
import io.mnemo.tsdb.block.BlockWriter;
import io.mnemo.tsdb.chunkenc.ChunkCutter;
import io.mnemo.tsdb.chunkenc.ChunkMeta;
import io.mnemo.tsdb.db.BlockSidecar;
import io.mnemo.tsdb.histogram.FloatHistogram;
import io.mnemo.tsdb.histogram.FloatHistogram.CounterResetHint;
import io.mnemo.tsdb.histogram.Histogram;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A compaction pass over blocks of native histograms with the node's streaming merger: both
 * zones' copies of a range (one of them lacking its first chunks, so they overlap without being
 * identical) and the next range become blocks holding every sample once, in its type.
 */
class HistogramCompactionPassTest {
    static final String TENANT = "team-a";
    static final long STEP = 15_000;

    @TempDir
    Path dir;

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

    /** Series s over [from, to): integer histograms, float histograms, or floats then integer histograms. */
    static ChunkSeries series(int s, long from, long to) {
        ChunkCutter cutter = new ChunkCutter(120);
        for (long t = from; t < to; t += STEP) {
            int i = (int) ((t - DAY0) / STEP);
            switch (s % 3) {
                case 0 -> cutter.appendHistogram(t, histogram(i, s));
                case 1 -> cutter.appendFloatHistogram(t, histogram(i, s).toFloat());
                default -> {
                    if (t < from + (to - from) / 2) cutter.appendFloat(t, i + s);
                    else cutter.appendHistogram(t, histogram(i, s));
                }
            }
        }
        return new ChunkSeries(Labels.of("__name__", "nh", "s", Integer.toString(s)), cutter.finish().toArray(new ChunkMeta[0]),
                Long.MIN_VALUE, Long.MAX_VALUE);
    }

    BucketBlockMeta ship(Bucket bucket, String zone, List<ChunkSeries> series, long from, long to) throws IOException {
        Path local = dir.resolve("ingesters").resolve(zone);
        BlockMeta m = new BlockWriter(local).write(series, from, to).orElseThrow();
        Path block = local.resolve(m.ulid().toString());
        Files.write(block.resolve(BlockSidecar.FILE), new BlockSidecar(new BlockOrigin(zone, 0, 100, 90).fields(), false).encode());
        return new BlockTransfer(bucket).upload(TENANT, block);
    }

    /** Per series, its samples as text: "t f bits", "t i histogram" (stored as integer), "t h histogram". */
    static void add(Map<String, List<String>> out, Labels labels, SampleIterator it) {
        List<String> l = out.computeIfAbsent(labels.toString(), k -> new ArrayList<>());
        while (it.next()) {
            FloatHistogram h = it instanceof HistogramIterator hi ? hi.histogram() : null;
            if (h == null) {
                l.add(it.timestamp() + " f " + Double.doubleToRawLongBits(it.value()));
            } else {
                boolean integer = ((HistogramIterator) it).integerHistogram() != null;
                l.add(it.timestamp() + (integer ? " i " : " h ") + h.count() + " " + h.sum() + " " + h.zeroCount()
                        + Arrays.toString(h.positiveIndices()) + Arrays.toString(h.positiveCounts()));
            }
        }
    }

    @Test
    void theStreamingMergerKeepsEverySampleOnceInItsType() throws Exception {
        try (FilesystemBucket bucket = new FilesystemBucket(dir.resolve("bucket"))) {
            Map<String, List<String>> expected = new TreeMap<>();
            List<ChunkSeries> first = new ArrayList<>(), firstLate = new ArrayList<>(), second = new ArrayList<>();
            for (int s = 0; s < 6; s++) {
                ChunkSeries a = series(s, DAY0, DAY0 + H2);
                first.add(a);
                firstLate.add(new ChunkSeries(a.labels(), Arrays.copyOfRange(a.chunks(), 2, a.chunks().length), a.mint(), a.maxt()));
                ChunkSeries b = series(s, DAY0 + H2, DAY0 + 2 * H2);
                second.add(b);
                ChunkMeta[] all = Arrays.copyOf(a.chunks(), a.chunks().length + b.chunks().length);
                System.arraycopy(b.chunks(), 0, all, a.chunks().length, b.chunks().length);
                add(expected, a.labels(), new ChunkSeriesIterator(all, Long.MIN_VALUE, Long.MAX_VALUE));
            }
            long histogramSamples = 0;
            for (BucketBlockMeta m : List.of(ship(bucket, "zone-a", first, DAY0, DAY0 + H2),
                    ship(bucket, "zone-b", firstLate, DAY0, DAY0 + H2),
                    ship(bucket, "zone-a", second, DAY0 + H2, DAY0 + 2 * H2),
                    ship(bucket, "zone-b", second, DAY0 + H2, DAY0 + 2 * H2))) {
                assertTrue(m.block().numHistogramSamples() > 0, m.block().toString());
            }
            for (ChunkSeries s : first) for (ChunkMeta c : s.chunks()) if (c.chunk().encoding() != io.mnemo.tsdb.chunkenc.ChunkEncoding.XOR) histogramSamples += c.chunk().numSamples();
            for (ChunkSeries s : second) for (ChunkMeta c : s.chunks()) if (c.chunk().encoding() != io.mnemo.tsdb.chunkenc.ChunkEncoding.XOR) histogramSamples += c.chunk().numSamples();

            TestData.MutableClock clock = new TestData.MutableClock(Instant.now().plus(Duration.ofHours(1)));
            CompactorMetrics.Counting metrics = new CompactorMetrics.Counting();
            TenantCompaction compaction = new TenantCompaction(bucket, CompactorConfig.defaults(dir.resolve("compactor")),
                    new StreamingBlockMerger(), clock, metrics);
            TenantCompaction.Result r = compaction.run(TENANT);
            assertEquals(0, r.failed());
            assertTrue(r.compacted().size() >= 2, "both ranges' zone copies merged: " + r.compacted());

            Map<String, List<String>> got = new TreeMap<>();
            long metaHistograms = 0;
            BucketIndex index = BucketIndex.read(bucket, TENANT).orElseThrow();
            for (BucketIndex.Block b : index.liveBlocks()) {
                BucketBlockMeta meta = BucketLayout.meta(bucket, TENANT, b.id()).orElseThrow();
                metaHistograms += meta.block().numHistogramSamples();
                Path d = new BlockTransfer(bucket).download(TENANT, meta, dir.resolve("check"));
                try (BlockReader reader = BlockReader.open(d); Querier q = reader.querier(Long.MIN_VALUE, Long.MAX_VALUE)) {
                    SeriesSet set = q.select(true, LabelMatcher.equal("__name__", "nh"));
                    while (set.next()) add(got, set.at().labels(), set.at().iterator());
                }
            }
            for (List<String> l : got.values()) l.sort(java.util.Comparator.comparingLong(x -> Long.parseLong(x.substring(0, x.indexOf(' ')))));
            assertEquals(expected.keySet(), got.keySet());
            for (String k : expected.keySet()) {
                List<String> w = expected.get(k), g = got.get(k);
                assertEquals(w.size(), g.size(), k + ": every sample once");
                for (int i = 0; i < w.size(); i++) assertEquals(w.get(i), g.get(i), k + " sample " + i);
            }
            assertEquals(histogramSamples, metaHistograms, "meta.json counts the histogram samples once");
            assertEquals(0, metrics.compactionFailures.get());
        }
    }
}
