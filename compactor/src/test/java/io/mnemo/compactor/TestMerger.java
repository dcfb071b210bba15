package io.mnemo.compactor;

import io.mnemo.tsdb.LabelMatcher;
import io.mnemo.tsdb.Labels;
import io.mnemo.tsdb.Querier;
import io.mnemo.tsdb.SampleIterator;
import io.mnemo.tsdb.SeriesSet;
import io.mnemo.tsdb.block.BlockMeta;
import io.mnemo.tsdb.block.BlockReader;
import io.mnemo.tsdb.block.BlockWriter;
import io.mnemo.tsdb.block.Ulid;
import io.mnemo.tsdb.head.Head;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real merger for the tests, the simple way (memory grows with the samples): every sample of the
 * inputs read with BlockReader, one per series and timestamp (the first input's wins), appended
 * to a Head in time order and written by BlockWriter, then its meta given the compaction level and
 * sources a compactor's result has.
 */
final class TestMerger implements BlockMerger {
    final AtomicInteger merges = new AtomicInteger();

    @Override
    public Optional<BlockMeta> merge(List<Path> blocks, Path outDir) throws IOException {
        merges.incrementAndGet();
        Map<Labels, TreeMap<Long, Double>> all = new TreeMap<>(Labels::compareTo);
        long mint = Long.MAX_VALUE;
        long maxt = Long.MIN_VALUE;
        int level = 0;
        TreeSet<Ulid> sources = new TreeSet<>();
        for (Path b : blocks) {
            try (BlockReader r = BlockReader.open(b); Querier q = r.querier(Long.MIN_VALUE, Long.MAX_VALUE)) {
                mint = Math.min(mint, r.meta().minTime());
                maxt = Math.max(maxt, r.meta().maxTime());
                level = Math.max(level, r.meta().compactionLevel());
                sources.addAll(r.meta().sources());
                SeriesSet set = q.select(true, LabelMatcher.regex("__name__", ".+"));
                while (set.next()) {
                    TreeMap<Long, Double> samples = all.computeIfAbsent(set.at().labels(), l -> new TreeMap<>());
                    for (SampleIterator it = set.at().iterator(); it.next(); ) samples.putIfAbsent(it.timestamp(), it.value());
                }
            }
        }
        if (all.isEmpty()) return Optional.empty();
        Head head = new Head();
        for (Map.Entry<Labels, TreeMap<Long, Double>> e : all.entrySet()) {
            int ref = head.getOrCreateSeries(e.getKey());
            for (Map.Entry<Long, Double> s : e.getValue().entrySet()) head.append(ref, s.getKey(), s.getValue());
        }
        BlockMeta written = new BlockWriter(outDir).write(head, mint, maxt).orElseThrow();
        BlockMeta meta = new BlockMeta(written.ulid(), mint, maxt, written.numSamples(), written.numSeries(), written.numChunks(),
                level + 1, new ArrayList<>(sources));
        Files.writeString(outDir.resolve(written.ulid().toString()).resolve(BlockMeta.FILE_NAME), meta.toJson(), StandardCharsets.UTF_8);
        return Optional.of(meta);
    }
}
