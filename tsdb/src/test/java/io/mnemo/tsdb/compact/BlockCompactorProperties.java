package io.mnemo.tsdb.compact;

import io.mnemo.tsdb.Labels;
import io.mnemo.tsdb.block.BlockMeta;
import io.mnemo.tsdb.block.IndexReader;
import io.mnemo.tsdb.block.SeriesEntry;
import io.mnemo.tsdb.block.Tombstones;
import io.mnemo.tsdb.head.Head;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.Stream;

import static io.mnemo.tsdb.compact.Blocks.T0;
import static io.mnemo.tsdb.compact.Blocks.append;
import static io.mnemo.tsdb.compact.Blocks.assertSameSamples;
import static io.mnemo.tsdb.compact.Blocks.read;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Random inputs (overlapping or not, sparse or dense, values that agree or conflict at equal
 * timestamps, some deleted intervals) compact into exactly the deduplicated union: per series
 * and timestamp the sample of the first input by (min time, ULID) that has it undeleted.
 */
class BlockCompactorProperties {
    private static final long HALF_HOUR = 1_800_000L;

    @Property(tries = 60)
    void compactsIntoTheDeduplicatedUnion(@ForAll @IntRange(min = 1, max = 5) int numBlocks, @ForAll long seed)
            throws IOException {
        Random rnd = new Random(seed);
        Path tmp = Files.createTempDirectory("compaction-property");
        try {
            record Input(Path dir, BlockMeta meta, Blocks.Samples samples, Map<Labels, long[]> deleted) {}
            List<Input> inputs = new ArrayList<>();
            for (int b = 0; b < numBlocks; b++) {
                long mint = T0 + rnd.nextInt(6) * HALF_HOUR;
                long maxt = mint + (1 + rnd.nextInt(4)) * HALF_HOUR;
                Head head = new Head(Head.DEFAULT_CHUNK_RANGE_MS, 1 + rnd.nextInt(200));
                Blocks.Samples samples = new Blocks.Samples();
                long step = new long[] {1_000, 15_000, 60_000}[rnd.nextInt(3)];
                boolean conflicting = rnd.nextBoolean();
                for (int s = 0; s < 4; s++) {
                    if (s > 0 && rnd.nextInt(10) < 3) continue;
                    Labels l = Labels.of("__name__", "m", "s", Integer.toString(s));
                    for (long t = mint + rnd.nextInt(3) * 1000L; t < maxt; t += step) {
                        if (rnd.nextInt(5) == 0) continue;
                        double v = conflicting ? rnd.nextInt(3) : s * 1e9 + t;
                        append(head, l, t, v);
                        samples.put(l, t, v);
                    }
                }
                if (samples.isEmpty()) continue;
                Path dir = Blocks.write(head, tmp.resolve("in-" + b), mint, maxt);
                Map<Labels, long[]> deleted = rnd.nextInt(3) == 0 ? deleteSome(dir, samples.firstKey(), mint, maxt, rnd) : Map.of();
                inputs.add(new Input(dir, BlockMeta.read(dir), samples, deleted));
            }
            if (inputs.isEmpty()) return;

            List<Input> byOrder = new ArrayList<>(inputs);
            byOrder.sort(Comparator.comparingLong((Input i) -> i.meta.minTime()).thenComparing(i -> i.meta.ulid()));
            Blocks.Samples want = new Blocks.Samples();
            for (Input in : byOrder) {
                for (Map.Entry<Labels, TreeMap<Long, Long>> e : in.samples.entrySet()) {
                    long[] del = in.deleted.get(e.getKey());
                    for (Map.Entry<Long, Long> tv : e.getValue().entrySet()) {
                        if (del != null && tv.getKey() >= del[0] && tv.getKey() <= del[1]) continue;
                        want.computeIfAbsent(e.getKey(), k -> new TreeMap<>()).putIfAbsent(tv.getKey(), tv.getValue());
                    }
                }
            }
            want.values().removeIf(Map::isEmpty);

            List<Path> dirs = new ArrayList<>(inputs.stream().map(Input::dir).toList());
            java.util.Collections.shuffle(dirs, rnd);
            Optional<BlockMeta> out = new BlockCompactor(tmp.resolve("out")).compact(dirs);
            if (want.isEmpty()) {
                assertTrue(out.isEmpty(), "no block when every sample is deleted");
                return;
            }
            Path outDir = tmp.resolve("out").resolve(out.orElseThrow().ulid().toString());
            assertSameSamples(want, read(outDir), "compaction of " + inputs.size() + " blocks");
            assertEquals(want.count(), out.get().numSamples());
            assertEquals(want.size(), out.get().numSeries());
        } finally {
            try (Stream<Path> walk = Files.walk(tmp)) {
                walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    /** Deletes one random interval of one series of the block; returns it by labels. */
    private static Map<Labels, long[]> deleteSome(Path block, Labels series, long mint, long maxt, Random rnd) throws IOException {
        long from = mint + (long) (rnd.nextDouble() * (maxt - mint));
        long to = rnd.nextInt(4) == 0 ? Long.MAX_VALUE : from + (long) (rnd.nextDouble() * (maxt - from));
        Map<Integer, long[]> byId = new HashMap<>();
        try (IndexReader index = IndexReader.open(block.resolve("index"))) {
            SeriesEntry e = new SeriesEntry();
            for (int id : index.allPostings()) {
                index.series(id, e, false);
                if (e.labels().equals(series)) byId.put(id, new long[] {from, to});
            }
        }
        Files.delete(block.resolve(Tombstones.FILE_NAME));
        Tombstones.write(block, byId);
        return Map.of(series, new long[] {from, to});
    }
}
