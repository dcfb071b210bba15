package io.mnemo.tsdb.compact;

import io.mnemo.tsdb.ChunkSeries;
import io.mnemo.tsdb.LabelMatcher;
import io.mnemo.tsdb.Labels;
import io.mnemo.tsdb.NativeHistogramSeries;
import io.mnemo.tsdb.NativeHistogramSeries.Kind;
import io.mnemo.tsdb.Querier;
import io.mnemo.tsdb.block.BlockMeta;
import io.mnemo.tsdb.block.BlockReader;
import io.mnemo.tsdb.block.BlockWriter;
import io.mnemo.tsdb.chunkenc.ChunkEncoding;
import io.mnemo.tsdb.chunkenc.ChunkMeta;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Compaction of blocks holding native histograms: chunks copied as they are where nothing overlaps, merged keeping types where it does. */
class HistogramCompactionTest {
    static final long T0 = 1_700_000_000_000L;
    static final long STEP = 15_000;
    static final long H2 = 7_200_000;

    @TempDir
    Path tmp;

    static List<ChunkSeries> series(int perKind, long t0, int n, int seed) {
        List<ChunkSeries> out = new ArrayList<>();
        for (int i = 0; i < perKind; i++) {
            for (Kind k : Kind.values()) {
                out.add(NativeHistogramSeries.series(Labels.of("__name__", "m", "i", Integer.toString(i), "kind", k.name()),
                        k, t0, STEP, n, 40, seed + i));
            }
        }
        out.sort((a, b) -> a.labels().compareTo(b.labels()));
        return out;
    }

    private Path block(Path dir, List<ChunkSeries> s, long mint, long maxt) throws IOException {
        BlockMeta m = new BlockWriter(dir).write(s, mint, maxt).orElseThrow();
        return dir.resolve(m.ulid().toString());
    }

    @Test
    void adjacentBlocksAreCopiedByteForByteInEveryEncoding() throws IOException {
        // Two consecutive two-hour blocks of the same series: no chunk overlaps, so none is decoded.
        List<ChunkSeries> first = series(5, T0, 480, 0);
        List<ChunkSeries> second = series(5, T0 + H2, 480, 100);
        Path a = block(tmp.resolve("in"), first, T0, T0 + H2);
        Path b = block(tmp.resolve("in"), second, T0 + H2, T0 + 2 * H2);
        BlockMeta out = new BlockCompactor(tmp.resolve("out")).compact(List.of(a, b)).orElseThrow();
        Path outDir = tmp.resolve("out").resolve(out.ulid().toString());
        BlockMeta ma = BlockMeta.read(a), mb = BlockMeta.read(b);
        assertEquals(ma.numSamples() + mb.numSamples(), out.numSamples());
        assertEquals(ma.numFloatSamples() + mb.numFloatSamples(), out.numFloatSamples());
        assertEquals(ma.numHistogramSamples() + mb.numHistogramSamples(), out.numHistogramSamples());
        assertTrue(out.numHistogramSamples() > 0 && out.numFloatSamples() > 0, out.toString());
        assertEquals(ma.numChunks() + mb.numChunks(), out.numChunks());

        TreeMap<Labels, List<byte[]>> got = Blocks.chunks(outDir);
        TreeMap<Labels, List<byte[]>> inA = Blocks.chunks(a);
        TreeMap<Labels, List<byte[]>> inB = Blocks.chunks(b);
        for (Map.Entry<Labels, List<byte[]>> e : got.entrySet()) {
            List<byte[]> want = new ArrayList<>(inA.get(e.getKey()));
            want.addAll(inB.get(e.getKey()));
            assertEquals(want.size(), e.getValue().size(), e.getKey().toString());
            for (int i = 0; i < want.size(); i++) {
                assertArrayEquals(want.get(i), e.getValue().get(i), "chunk " + i + " of " + e.getKey() + ", encoding byte first");
            }
        }
        List<ChunkSeries> all = new ArrayList<>();
        for (int i = 0; i < first.size(); i++) {
            ChunkMeta[] cs = Arrays.copyOf(first.get(i).chunks(), first.get(i).chunks().length + second.get(i).chunks().length);
            System.arraycopy(second.get(i).chunks(), 0, cs, first.get(i).chunks().length, second.get(i).chunks().length);
            all.add(new ChunkSeries(first.get(i).labels(), cs, Long.MIN_VALUE, Long.MAX_VALUE));
        }
        try (BlockReader r = BlockReader.open(outDir); Querier q = r.querier(Long.MIN_VALUE, Long.MAX_VALUE)) {
            NativeHistogramSeries.assertSameSeries(all, Long.MIN_VALUE, Long.MAX_VALUE, q.select(true, LabelMatcher.equal("__name__", "m")));
        }
    }

    @Test
    void overlappingBlocksAreMergedKeepingEachSamplesType() throws IOException {
        // Two copies of a range (two zones), the second missing its first samples: they overlap without
        // being byte-identical, so the samples are merged once each and encoded anew.
        List<ChunkSeries> full = series(4, T0, 480, 0);
        List<ChunkSeries> later = new ArrayList<>();
        for (ChunkSeries s : full) later.add(new ChunkSeries(s.labels(), Arrays.copyOfRange(s.chunks(), 1, s.chunks().length), s.mint(), s.maxt()));
        Path a = block(tmp.resolve("in"), full, T0, T0 + H2);
        Path b = block(tmp.resolve("in"), later, T0, T0 + H2);
        BlockMeta out = new BlockCompactor(tmp.resolve("out")).compact(List.of(a, b)).orElseThrow();
        Path outDir = tmp.resolve("out").resolve(out.ulid().toString());
        BlockMeta ma = BlockMeta.read(a);
        assertEquals(ma.numSamples(), out.numSamples(), "each sample once");
        assertEquals(ma.numFloatSamples(), out.numFloatSamples());
        assertEquals(ma.numHistogramSamples(), out.numHistogramSamples());
        try (BlockReader r = BlockReader.open(outDir); Querier q = r.querier(Long.MIN_VALUE, Long.MAX_VALUE)) {
            NativeHistogramSeries.assertSameSeries(full, Long.MIN_VALUE, Long.MAX_VALUE, q.select(true, LabelMatcher.equal("__name__", "m")));
        }
        try (BlockReader r = BlockReader.open(outDir); Querier q = r.querier(Long.MIN_VALUE, Long.MAX_VALUE)) {
            var set = q.select(true, LabelMatcher.equal("kind", Kind.INTEGER_HISTOGRAMS.name()));
            while (set.next()) {
                for (ChunkMeta c : ((ChunkSeries) set.at()).chunks()) {
                    assertEquals(ChunkEncoding.HISTOGRAM, c.chunk().encoding(), "integer histograms stay integer when merged");
                }
            }
        }
    }
}
