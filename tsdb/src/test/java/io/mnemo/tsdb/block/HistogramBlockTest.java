package io.mnemo.tsdb.block;

import io.mnemo.tsdb.ChunkSeries;
import io.mnemo.tsdb.LabelMatcher;
import io.mnemo.tsdb.Labels;
import io.mnemo.tsdb.NativeHistogramSeries;
import io.mnemo.tsdb.NativeHistogramSeries.Kind;
import io.mnemo.tsdb.Querier;
import io.mnemo.tsdb.chunkenc.Chunk;
import io.mnemo.tsdb.chunkenc.ChunkEncoding;
import io.mnemo.tsdb.chunkenc.ChunkMeta;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static io.mnemo.tsdb.NativeHistogramSeries.assertSameSeries;
import static io.mnemo.tsdb.NativeHistogramSeries.encodings;
import static io.mnemo.tsdb.NativeHistogramSeries.samples;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Blocks holding native histograms: written with each chunk's encoding byte, read back as they were. */
class HistogramBlockTest {
    static final long T0 = 1_700_000_000_000L;
    static final long STEP = 15_000;

    @TempDir
    Path dir;

    /** One series of each kind, sorted by labels. */
    static List<ChunkSeries> fixture(int n) {
        List<ChunkSeries> out = new ArrayList<>();
        int seed = 0;
        for (Kind k : Kind.values()) {
            out.add(NativeHistogramSeries.series(Labels.of("__name__", "m", "kind", k.name()), k, T0, STEP, n, 40, seed++));
        }
        out.sort((a, b) -> Utf8Order.compare(a.labels(), b.labels()));
        return out;
    }

    @Test
    void everyEncodingRoundTripsWithItsBytesAndMetaCountsSamplesByKind() throws IOException {
        List<ChunkSeries> in = fixture(2_000);
        long maxt = T0 + 2_000 * STEP;
        BlockMeta meta = new BlockWriter(dir).write(in, T0, maxt).orElseThrow();

        long floats = 0, histograms = 0, chunks = 0;
        for (ChunkSeries s : in) {
            chunks += s.chunks().length;
            for (ChunkMeta c : s.chunks()) {
                if (c.chunk().encoding() == ChunkEncoding.XOR) floats += c.chunk().numSamples();
                else histograms += c.chunk().numSamples();
            }
        }
        assertTrue(histograms > 2_000 && floats > 2_000, "the fixture has both kinds: " + floats + ", " + histograms);
        assertEquals(floats + histograms, meta.numSamples());
        assertEquals(floats, meta.numFloatSamples());
        assertEquals(histograms, meta.numHistogramSamples());
        assertEquals(chunks, meta.numChunks());
        assertEquals(4, meta.numSeries());
        Path blockDir = dir.resolve(meta.ulid().toString());
        String json = Files.readString(blockDir.resolve(BlockMeta.FILE_NAME));
        assertTrue(json.contains("\"numFloatSamples\": " + floats + ",") && json.contains("\"numHistogramSamples\": " + histograms + ","), json);
        assertEquals(meta, BlockMeta.read(blockDir));

        // The chunks are the same bytes in the same encodings: nothing was re-encoded.
        try (IndexReader index = IndexReader.open(blockDir.resolve("index"));
             ChunkSegmentReader segments = ChunkSegmentReader.open(blockDir.resolve("chunks"))) {
            SeriesEntry e = new SeriesEntry();
            int[] ids = index.allPostings();
            for (int i = 0; i < ids.length; i++) {
                index.series(ids[i], e, true);
                ChunkMeta[] want = in.get(i).chunks();
                assertEquals(in.get(i).labels(), e.labels());
                assertEquals(want.length, e.numChunks());
                for (int c = 0; c < want.length; c++) {
                    Chunk got = segments.readChunk(e.ref(c));
                    assertEquals(want[c].chunk().encoding(), got.encoding());
                    assertTrue(java.util.Arrays.equals(want[c].chunk().toByteArray(), got.toByteArray()), "chunk " + c + " of " + e.labels());
                    assertEquals(want[c].minTime(), e.minTime(c));
                    assertEquals(want[c].maxTime(), e.maxTime(c));
                }
            }
        }

        try (BlockReader b = BlockReader.open(blockDir); Querier q = b.querier(Long.MIN_VALUE, Long.MAX_VALUE)) {
            assertSameSeries(in, Long.MIN_VALUE, Long.MAX_VALUE, q.select(true, LabelMatcher.equal("__name__", "m")));
        }
        long from = T0 + 700 * STEP + 3, to = T0 + 1_300 * STEP - 3;
        try (BlockReader b = BlockReader.open(blockDir); Querier q = b.querier(from, to)) {
            assertSameSeries(in, from, to, q.select(true, LabelMatcher.equal("__name__", "m")));
        }
    }

    static ChunkSeries series(List<ChunkSeries> in, Kind kind) {
        return in.stream().filter(s -> s.labels().get("kind").equals(kind.name())).findFirst().orElseThrow();
    }

    /** A time strictly inside the chunk of a series that holds time t, between two of its samples. */
    static long inside(ChunkSeries s, long t) {
        for (ChunkMeta c : s.chunks()) {
            if (c.minTime() <= t && t <= c.maxTime()) {
                long mid = c.minTime() + (c.maxTime() - c.minTime()) / 2 / STEP * STEP + 1;
                assertTrue(mid > c.minTime() && mid < c.maxTime(), "chunk " + c + " has samples on both sides of " + mid);
                return mid;
            }
        }
        throw new AssertionError("no chunk of " + s.labels() + " holds " + t);
    }

    @Test
    void blockBoundsInsideHistogramChunksKeepOnlyTheSamplesInsideInTheirEncoding() throws IOException {
        List<ChunkSeries> in = fixture(2_000);
        // The lower bound inside a chunk of integer histograms, the upper one inside a chunk of float histograms.
        long mint = inside(series(in, Kind.INTEGER_HISTOGRAMS), T0 + 1_000 * STEP);
        long maxt = inside(series(in, Kind.FLOAT_HISTOGRAMS), T0 + 1_400 * STEP);
        BlockMeta meta = new BlockWriter(dir).write(in, mint, maxt).orElseThrow();
        Path blockDir = dir.resolve(meta.ulid().toString());
        long samples = 0;
        long histograms = 0;
        for (ChunkSeries s : in) {
            List<String> inside = samples(s, mint, maxt - 1);
            samples += inside.size();
            histograms += inside.stream().filter(x -> !x.contains(" f ")).count();
        }
        assertEquals(samples, meta.numSamples());
        assertEquals(histograms, meta.numHistogramSamples());
        assertEquals(samples - histograms, meta.numFloatSamples());
        try (BlockReader b = BlockReader.open(blockDir); Querier q = b.querier(Long.MIN_VALUE, Long.MAX_VALUE)) {
            var set = q.select(true, LabelMatcher.equal("__name__", "m"));
            for (ChunkSeries s : in) {
                assertTrue(set.next());
                ChunkSeries got = (ChunkSeries) set.at();
                for (ChunkMeta c : got.chunks()) {
                    assertTrue(c.minTime() >= mint && c.maxTime() < maxt, "chunk " + c + " within the block");
                }
                // Trimmed chunks keep their samples' encodings: no histogram became a float or changed kind.
                List<ChunkEncoding> kinds = encodings(got.chunks());
                List<ChunkEncoding> original = new ArrayList<>();
                for (ChunkMeta c : s.chunks()) if (c.maxTime() >= mint && c.minTime() < maxt) original.add(c.chunk().encoding());
                assertEquals(original.stream().distinct().toList(), kinds.stream().distinct().toList(), s.labels().toString());
                NativeHistogramSeries.assertSameSamples(samples(s, mint, maxt - 1), samples(got, Long.MIN_VALUE, Long.MAX_VALUE), s.labels().toString());
            }
        }
    }

    @Test
    void aChunkOfAnEncodingThisStoreDoesNotReadFailsTheReadInsteadOfVanishing() throws IOException {
        List<ChunkSeries> in = fixture(200);
        BlockMeta meta = new BlockWriter(dir).write(in, T0, T0 + 200 * STEP).orElseThrow();
        Path blockDir = dir.resolve(meta.ulid().toString());
        long ref;
        try (IndexReader index = IndexReader.open(blockDir.resolve("index"))) {
            SeriesEntry e = new SeriesEntry();
            index.series(index.allPostings()[0], e, true);
            ref = e.ref(0);
        }
        // Give the first chunk encoding 9 (as a newer Prometheus might write), its checksum made right again.
        Path segment = blockDir.resolve("chunks").resolve(ChunkSegmentWriter.segmentName((int) (ref >>> 32) + 1));
        byte[] b = Files.readAllBytes(segment);
        int at = (int) ref;
        int len = 0, shift = 0, p = at;
        while (true) {
            int x = b[p++] & 0xFF;
            len |= (x & 0x7F) << shift;
            shift += 7;
            if ((x & 0x80) == 0) break;
        }
        b[p] = 9;
        java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
        crc.update(b, p, 1 + len);
        java.nio.ByteBuffer.wrap(b, p + 1 + len, 4).putInt((int) crc.getValue());
        Files.write(segment, b);
        try (BlockReader r = BlockReader.open(blockDir); Querier q = r.querier(Long.MIN_VALUE, Long.MAX_VALUE)) {
            var set = q.select(true, LabelMatcher.equal("__name__", "m"));
            java.io.UncheckedIOException e = org.junit.jupiter.api.Assertions.assertThrows(java.io.UncheckedIOException.class, set::next);
            assertTrue(e.getMessage().contains("encoding 9"), e.getMessage());
        }
    }
}
