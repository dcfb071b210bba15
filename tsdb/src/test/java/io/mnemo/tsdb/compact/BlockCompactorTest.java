package io.mnemo.tsdb.compact;

import io.mnemo.tsdb.Labels;
import io.mnemo.tsdb.StaleNaN;
import io.mnemo.tsdb.block.BlockMeta;
import io.mnemo.tsdb.block.IndexReader;
import io.mnemo.tsdb.block.SeriesEntry;
import io.mnemo.tsdb.block.Tombstones;
import io.mnemo.tsdb.block.Ulid;
import io.mnemo.tsdb.head.Head;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Stream;

import static io.mnemo.tsdb.compact.Blocks.H2;
import static io.mnemo.tsdb.compact.Blocks.STEP;
import static io.mnemo.tsdb.compact.Blocks.T0;
import static io.mnemo.tsdb.compact.Blocks.append;
import static io.mnemo.tsdb.compact.Blocks.assertSameSamples;
import static io.mnemo.tsdb.compact.Blocks.read;
import static io.mnemo.tsdb.compact.Blocks.write;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BlockCompactorTest {
    @TempDir
    Path tmp;

    static Labels series(int s) {
        Labels.Builder b = new Labels.Builder()
                .set(Labels.METRIC_NAME, "metric_" + (s % 9))
                .set("job", "job-" + (s % 4))
                .set("instance", "host-" + s + ".example:9100");
        if (s % 3 == 0) b.set("env", s % 2 == 0 ? "prod" : "dev");
        if (s % 10 == 0) b.set("zone", "zöne-" + (s % 7));
        return b.build();
    }

    /** A value that depends only on the series and the time, so overlapping inputs agree. */
    static double value(int s, long t) {
        return s % 2 == 0 ? (t - T0) / 1000.0 + s : Math.sin(t / 1e6 + s) * 100;
    }

    /**
     * A day of series in one head: most at 15 s (three chunks per two hours: 200 + 200 + 80
     * samples, so a chunk re-encoded by the compactor, at most 120 samples, would show), every
     * tenth at 60 s (one); a series is absent from the two-hour blocks where (7s + b) % 5 == 0.
     */
    static Head day(int numSeries) {
        Head head = new Head(Head.DEFAULT_CHUNK_RANGE_MS, 200);
        for (int s = 0; s < numSeries; s++) {
            long step = s % 10 == 0 ? 60_000 : STEP;
            for (int b = 0; b < 12; b++) {
                if ((7 * s + b) % 5 == 0) continue;
                int n = 0;
                for (long t = T0 + b * H2 + (s % 13) * 1000; t < T0 + (b + 1) * H2; t += step, n++) {
                    append(head, series(s), t, s % 4 == 1 && n % 50 == 49 ? StaleNaN.VALUE : value(s, t));
                }
            }
        }
        return head;
    }

    @Test
    void twelveTwoHourBlocksBecomeOneDayWithEveryChunkCopied() throws IOException {
        Head head = day(200);
        List<Path> inputs = new ArrayList<>();
        long chunks = 0;
        long samples = 0;
        for (int b = 0; b < 12; b++) {
            Path block = write(head, tmp.resolve("in"), T0 + b * H2, T0 + (b + 1) * H2);
            inputs.add(block);
            BlockMeta m = BlockMeta.read(block);
            chunks += m.numChunks();
            samples += m.numSamples();
        }
        assertTrue(chunks > 12 * 200 * 2, "several chunks per series and block: " + chunks);

        BlockMeta out = new BlockCompactor(tmp.resolve("out")).compact(inputs).orElseThrow();
        Path outDir = tmp.resolve("out").resolve(out.ulid().toString());

        assertSameSamples(read(head), read(outDir), "compacted day");
        assertEquals(chunks, out.numChunks(), "chunks are copied, not re-encoded or merged");
        assertEquals(samples, out.numSamples());
        assertEquals(200, out.numSeries());
        assertEquals(T0, out.minTime());
        assertEquals(T0 + 12 * H2, out.maxTime());
        assertEquals(2, out.compactionLevel());
        List<BlockMeta> metas = new ArrayList<>();
        for (Path p : inputs) metas.add(BlockMeta.read(p));
        assertEquals(metas.stream().map(BlockMeta::ulid).sorted().toList(), out.sources());
        assertEquals(metas.stream().map(m -> new BlockMeta.Parent(m.ulid(), m.minTime(), m.maxTime())).toList(),
                out.parents());
        assertEquals(out, BlockMeta.read(outDir), "meta.json as returned");
        try (Stream<Path> files = Files.list(tmp.resolve("out"))) {
            assertEquals(List.of(outDir), files.toList(), "nothing but the block, no temporary directory");
        }
    }

    @Test
    void levelIsOneAboveTheHighestInputAndSourcesAreTheUnion() throws IOException {
        Head head = day(20);
        Path a = write(head, tmp.resolve("in"), T0, T0 + H2);
        Path b = write(head, tmp.resolve("in"), T0 + H2, T0 + 2 * H2);
        Path c = write(head, tmp.resolve("in"), T0 + 2 * H2, T0 + 3 * H2);
        BlockMeta ab = new BlockCompactor(tmp.resolve("l2")).compact(List.of(b, a)).orElseThrow();
        Path abDir = tmp.resolve("l2").resolve(ab.ulid().toString());
        BlockMeta abc = new BlockCompactor(tmp.resolve("l3")).compact(List.of(c, abDir)).orElseThrow();
        assertEquals(3, abc.compactionLevel());
        List<Ulid> sources = new ArrayList<>(List.of(BlockMeta.read(a).ulid(), BlockMeta.read(b).ulid(), BlockMeta.read(c).ulid()));
        sources.sort(null);
        assertEquals(sources, abc.sources());
        assertEquals(List.of(new BlockMeta.Parent(ab.ulid(), T0, T0 + 2 * H2), new BlockMeta.Parent(BlockMeta.read(c).ulid(), T0 + 2 * H2, T0 + 3 * H2)),
                abc.parents(), "parents in time order whatever the order given");
    }

    /**
     * The zones' two identical copies of a block and an out-of-order block overlapping half of it
     * with other series, other timestamps and some equal ones: every sample once.
     */
    @Test
    void overlappingBlocksMergeIntoTheirUnionWithoutDuplicates() throws IOException {
        Head a = new Head();
        for (int s = 0; s < 60; s++) {
            for (long t = T0 + s * 100; t < T0 + H2; t += STEP) append(a, series(s), t, value(s, t));
        }
        Head b = new Head();
        for (int s = 30; s < 90; s++) {
            long offset = s % 2 == 0 ? s * 100 : 5_000 + s * 100; // even: A's timestamps; odd: between them
            for (long t = T0 + H2 / 2 + offset; t < T0 + H2 + H2 / 2; t += STEP) append(b, series(s), t, value(s, t));
        }
        Path copy1 = write(a, tmp.resolve("zone-a"), T0, T0 + H2);
        Path copy2 = write(a, tmp.resolve("zone-b"), T0, T0 + H2);
        Path ooo = write(b, tmp.resolve("ooo"), T0 + H2 / 2, T0 + H2 + H2 / 2);

        BlockMeta out = new BlockCompactor(tmp.resolve("out")).compact(List.of(copy1, ooo, copy2)).orElseThrow();
        Path outDir = tmp.resolve("out").resolve(out.ulid().toString());

        Blocks.Samples want = read(a);
        want.addAbsent(read(b));
        Blocks.Samples got = read(outDir);
        assertSameSamples(want, got, "vertical compaction");
        assertEquals(want.count(), out.numSamples());
        assertEquals(90, out.numSeries());
        assertEquals(T0, out.minTime());
        assertEquals(T0 + H2 + H2 / 2, out.maxTime());

        TreeMap<Labels, List<byte[]>> chunks = Blocks.chunks(outDir);
        TreeMap<Labels, List<byte[]>> copied = Blocks.chunks(copy1);
        for (Map.Entry<Labels, List<byte[]>> e : chunks.entrySet()) {
            for (byte[] c : e.getValue()) {
                assertTrue(Blocks.numSamples(c) <= SeriesMerger.SAMPLES_PER_CHUNK, e.getKey() + ": chunk of " + Blocks.numSamples(c));
            }
        }
        for (int s = 0; s < 30; s++) { // only in the two copies: their chunks copied once, byte for byte
            List<byte[]> want1 = copied.get(series(s));
            List<byte[]> got1 = chunks.get(series(s));
            assertEquals(want1.size(), got1.size(), series(s) + ": chunks");
            for (int i = 0; i < want1.size(); i++) assertArrayEquals(want1.get(i), got1.get(i), series(s) + ": chunk " + i);
        }
    }

    @Test
    void identicalCopiesCompactToOneCopyOfTheirChunks() throws IOException {
        Head head = day(30);
        Path copy1 = write(head, tmp.resolve("zone-a"), T0, T0 + 2 * H2);
        Path copy2 = write(head, tmp.resolve("zone-b"), T0, T0 + 2 * H2);
        BlockMeta out = new BlockCompactor(tmp.resolve("out")).compact(List.of(copy1, copy2)).orElseThrow();
        BlockMeta one = BlockMeta.read(copy1);
        assertEquals(one.numChunks(), out.numChunks());
        assertEquals(one.numSamples(), out.numSamples());
        assertSameSamples(read(copy1), read(tmp.resolve("out").resolve(out.ulid().toString())), "deduplicated copies");
    }

    /**
     * Two inputs with different values at the same timestamps: the sample of the input first by
     * (min time, ULID) wins, whatever order the inputs are given in.
     */
    @Test
    void atEqualTimestampsTheFirstInputByMinTimeThenUlidWins() throws IOException {
        Labels l = series(1);
        Head early = new Head();
        Head late = new Head();
        Head same = new Head();
        for (int i = 0; i < 300; i++) {
            long t = T0 + i * STEP;
            append(early, l, t, 1);
            append(late, l, t, 2);
            append(same, l, t, 3);
        }
        append(late, l, T0 + H2 + 1000, 2); // only here: kept
        Path earlyBlock = write(early, tmp.resolve("early"), T0 - H2, T0 + H2); // starts first
        Path lateBlock = write(late, tmp.resolve("late"), T0, T0 + 2 * H2);
        Path sameBlock = write(same, tmp.resolve("same"), T0, T0 + 2 * H2); // same min time as late, later ULID

        for (List<Path> in : List.of(List.of(earlyBlock, lateBlock, sameBlock), List.of(sameBlock, lateBlock, earlyBlock))) {
            Path outDb = tmp.resolve("out-" + in.get(0).getParent().getFileName());
            BlockMeta out = new BlockCompactor(outDb).compact(in).orElseThrow();
            TreeMap<Long, Long> got = read(outDb.resolve(out.ulid().toString())).get(l);
            assertEquals(301, got.size());
            for (int i = 0; i < 300; i++) assertEquals(1.0, Double.longBitsToDouble(got.get(T0 + i * STEP)), "at " + i + " of " + in);
            assertEquals(2.0, Double.longBitsToDouble(got.get(T0 + H2 + 1000)));
        }

        // Without the earliest, the tie between equal min times goes to the smaller ULID.
        boolean lateFirst = BlockMeta.read(lateBlock).ulid().compareTo(BlockMeta.read(sameBlock).ulid()) < 0;
        BlockMeta out = new BlockCompactor(tmp.resolve("tie")).compact(List.of(sameBlock, lateBlock)).orElseThrow();
        TreeMap<Long, Long> got = read(tmp.resolve("tie").resolve(out.ulid().toString())).get(l);
        for (int i = 0; i < 300; i++) assertEquals(lateFirst ? 2.0 : 3.0, Double.longBitsToDouble(got.get(T0 + i * STEP)));
    }

    @Test
    void deletedSamplesAreDroppedAndTheOutputHasNoTombstones() throws IOException {
        Head head = new Head();
        for (int s = 0; s < 20; s++) {
            for (long t = T0; t < T0 + H2; t += STEP) append(head, series(s), t, value(s, t));
        }
        Path block = write(head, tmp.resolve("in"), T0, T0 + H2);
        Map<Labels, Integer> ids = seriesIds(block);
        Map<Integer, long[]> deleted = new HashMap<>();
        deleted.put(ids.get(series(0)), new long[] {Long.MIN_VALUE, Long.MAX_VALUE});           // all of it
        deleted.put(ids.get(series(1)), new long[] {T0 + 600_000, T0 + 3_000_000});               // across chunks
        deleted.put(ids.get(series(2)), new long[] {T0, T0 + 15_000, T0 + H2 - STEP, T0 + H2});  // both ends
        deleted.put(ids.get(series(3)), new long[] {T0 + 2 * H2, T0 + 3 * H2});                   // after it: no effect
        deleted.put(ids.get(series(4)), new long[] {T0 + 7_500, T0 + 14_999});                   // between samples
        Files.delete(block.resolve(Tombstones.FILE_NAME));
        Tombstones.write(block, deleted);

        BlockMeta out = new BlockCompactor(tmp.resolve("out")).compact(List.of(block)).orElseThrow();
        Path outDir = tmp.resolve("out").resolve(out.ulid().toString());

        Blocks.Samples want = read(head);
        want.remove(series(0));
        want.get(series(1)).subMap(T0 + 600_000, true, T0 + 3_000_000, true).clear();
        want.get(series(2)).subMap(T0, true, T0 + 15_000, true).clear();
        want.get(series(2)).subMap(T0 + H2 - STEP, true, T0 + H2, true).clear();
        assertSameSamples(want, read(outDir), "after deletions"); // BlockReader refuses blocks with deletions
        assertTrue(Tombstones.read(outDir).isEmpty());
        assertEquals(19, out.numSeries());
        assertEquals(want.count(), out.numSamples());
    }

    @Test
    void noBlockWhenEverySampleIsDeleted() throws IOException {
        Head head = new Head();
        for (int s = 0; s < 3; s++) append(head, series(s), T0 + s, s);
        Path block = write(head, tmp.resolve("in"), T0, T0 + H2);
        Map<Integer, long[]> deleted = new HashMap<>();
        for (int id : seriesIds(block).values()) deleted.put(id, new long[] {T0, T0 + 10});
        Files.delete(block.resolve(Tombstones.FILE_NAME));
        Tombstones.write(block, deleted);

        Optional<BlockMeta> out = new BlockCompactor(tmp.resolve("out")).compact(List.of(block));
        assertFalse(out.isPresent());
        try (Stream<Path> files = Files.list(tmp.resolve("out"))) {
            assertEquals(List.of(), files.toList(), "no block and no temporary directory left");
        }
    }

    @Test
    void aBlockCompactedAloneKeepsItsSamples() throws IOException {
        Head head = day(50);
        Path block = write(head, tmp.resolve("in"), T0, T0 + 12 * H2);
        BlockMeta out = new BlockCompactor(tmp.resolve("out"), 64 * 1024).compact(List.of(block)).orElseThrow();
        assertSameSamples(read(block), read(tmp.resolve("out").resolve(out.ulid().toString())), "one input");
        assertEquals(BlockMeta.read(block).numChunks(), out.numChunks());
    }

    private static Map<Labels, Integer> seriesIds(Path block) throws IOException {
        Map<Labels, Integer> ids = new HashMap<>();
        try (IndexReader index = IndexReader.open(block.resolve("index"))) {
            SeriesEntry e = new SeriesEntry();
            for (int id : index.allPostings()) {
                index.series(id, e, false);
                ids.put(e.labels(), id);
            }
        }
        return ids;
    }

}
