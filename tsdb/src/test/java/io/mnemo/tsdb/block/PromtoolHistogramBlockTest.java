package io.mnemo.tsdb.block;

import io.mnemo.tsdb.ChunkSeries;
import io.mnemo.tsdb.ChunkSeriesIterator;
import io.mnemo.tsdb.Labels;
import io.mnemo.tsdb.NativeHistogramSeries;
import io.mnemo.tsdb.NativeHistogramSeries.Kind;
import io.mnemo.tsdb.chunkenc.ChunkMeta;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static io.mnemo.tsdb.block.TestData.assertSameLines;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A block with native histograms (integer and float histogram chunks, and a series that changes
 * type) checked with Debian's promtool 2.42. Its {@code tsdb list} reads the meta.json counts,
 * {@code tsdb analyze --extended} reads every chunk of every series (a chunk it cannot read fails
 * it), and {@code tsdb dump} in 2.42 prints float samples only: each series' floats up to its
 * first histogram sample, where its loop ({@code for it.Next() == chunkenc.ValFloat}) stops.
 * Later promtools print histograms too.
 */
class PromtoolHistogramBlockTest {
    static final long T0 = 1_700_000_000_000L;
    static final long STEP = 15_000;
    static final long RANGE = 7_200_000;
    static final int PER_KIND = 5;

    @TempDir
    static Path tmp;
    static Promtool promtool;
    static List<ChunkSeries> series;
    static BlockMeta meta;
    static Path db;

    @BeforeAll
    static void writeBlock() throws Exception {
        promtool = Promtool.findOrSkip(tmp);
        series = new ArrayList<>();
        for (int i = 0; i < PER_KIND; i++) {
            for (Kind k : Kind.values()) {
                series.add(NativeHistogramSeries.series(Labels.of("__name__", "nh", "i", Integer.toString(i), "kind", k.name()),
                        k, T0, STEP, (int) (RANGE / STEP), 40, i));
            }
        }
        db = tmp.resolve("db");
        // Small segments, so that chunks of every encoding are read across several segment files.
        meta = new BlockWriter(db, 64 * 1024).write(series, T0, T0 + RANGE).orElseThrow();
        try (var files = Files.list(db.resolve(meta.ulid().toString()).resolve("chunks"))) {
            assertTrue(files.count() > 3, "several chunk segments");
        }
        assertTrue(meta.numHistogramSamples() > meta.numFloatSamples(), meta.toString());
    }

    @Test
    void listReadsTheSampleCountsOfTheMeta() throws Exception {
        String out = promtool.run("tsdb", "list", db.toString());
        String row = out.lines().filter(l -> l.startsWith(meta.ulid().toString())).findFirst().orElseThrow(() -> new AssertionError(out));
        String[] f = row.trim().split("\\s+");
        // ULID, MIN TIME, MAX TIME, DURATION, NUM SAMPLES, NUM CHUNKS, NUM SERIES, SIZE
        assertEquals(Long.toString(meta.numSamples()), f[4], row);
        assertEquals(Long.toString(meta.numChunks()), f[5], row);
        assertEquals(Long.toString(series.size()), f[6], row);
    }

    @Test
    void analyzeReadsEveryChunkOfEveryEncoding() throws Exception {
        String out = promtool.run("tsdb", "analyze", "--extended", db.toString(), meta.ulid().toString());
        assertTrue(out.contains("Block ID: " + meta.ulid()), out);
        assertTrue(out.contains("\nSeries: " + series.size() + "\n"), out);
        assertTrue(out.contains("Compaction analysis:"), "the chunk pass ran over every chunk: " + out);
    }

    @Test
    void dumpPrintsEachSeriesFloatsUpToItsFirstHistogram() throws Exception {
        List<String> want = new ArrayList<>();
        long histogramSeries = 0;
        for (ChunkSeries s : series) {
            ChunkSeriesIterator it = new ChunkSeriesIterator(s.chunks(), Long.MIN_VALUE, Long.MAX_VALUE);
            boolean sawHistogram = false;
            while (it.next()) {
                if (it.isHistogram()) {
                    sawHistogram = true;
                    break;
                }
                want.add(s.labels() + " " + Promtool.canonical(it.value()) + " " + it.timestamp());
            }
            if (sawHistogram) histogramSeries++;
        }
        want.sort(null);
        assertEquals(3 * PER_KIND, histogramSeries, "every kind but floats has histograms");
        assertSameLines(want, promtool.dump(db, Long.MIN_VALUE, Long.MAX_VALUE), "promtool 2.42 dump");
        long floatsOfChangingSeries = want.stream().filter(l -> l.contains("kind=\"CHANGING\"")).count();
        assertTrue(floatsOfChangingSeries > 0, "the changing series' floats before its histograms are printed");
        for (ChunkSeries s : series) {
            for (ChunkMeta c : s.chunks()) assertTrue(c.maxTime() < T0 + RANGE);
        }
    }
}
