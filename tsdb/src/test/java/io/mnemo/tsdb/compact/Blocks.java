package io.mnemo.tsdb.compact;

import io.mnemo.tsdb.LabelMatcher;
import io.mnemo.tsdb.Labels;
import io.mnemo.tsdb.Querier;
import io.mnemo.tsdb.Queryable;
import io.mnemo.tsdb.SampleIterator;
import io.mnemo.tsdb.SeriesSet;
import io.mnemo.tsdb.block.BlockMeta;
import io.mnemo.tsdb.block.BlockReader;
import io.mnemo.tsdb.block.BlockWriter;
import io.mnemo.tsdb.block.ChunkSegmentReader;
import io.mnemo.tsdb.block.IndexReader;
import io.mnemo.tsdb.block.SeriesEntry;
import io.mnemo.tsdb.head.AppendResult;
import io.mnemo.tsdb.head.Head;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/** Making blocks from heads and reading back what a block holds, for the compactor's tests. */
final class Blocks {
    static final long T0 = 1_699_999_200_000L; // two-hour aligned
    static final long H2 = 7_200_000L;
    static final long STEP = 15_000L;

    private Blocks() {}

    /** Every sample of a series: time → raw value bits. */
    static final class Samples extends TreeMap<Labels, TreeMap<Long, Long>> {
        void put(Labels l, long t, double v) {
            computeIfAbsent(l, k -> new TreeMap<>()).put(t, Double.doubleToRawLongBits(v));
        }

        /** Adds the other's samples whose (series, time) this does not hold yet. */
        void addAbsent(Samples other) {
            for (Map.Entry<Labels, TreeMap<Long, Long>> e : other.entrySet()) {
                TreeMap<Long, Long> mine = computeIfAbsent(e.getKey(), k -> new TreeMap<>());
                e.getValue().forEach(mine::putIfAbsent);
            }
        }

        long count() {
            return values().stream().mapToLong(Map::size).sum();
        }
    }

    static void append(Head head, Labels l, long t, double v) {
        AppendResult r = head.append(head.getOrCreateSeries(l), t, v);
        assertTrue(r == AppendResult.OK, "append " + l + " @" + t + ": " + r);
    }

    /** Cuts [mint, maxt) of the head as a block under {@code db}; returns its directory. */
    static Path write(Head head, Path db, long mint, long maxt) throws IOException {
        BlockMeta meta = new BlockWriter(db).write(head, mint, maxt).orElseThrow();
        return db.resolve(meta.ulid().toString());
    }

    /** Everything a queryable holds, all time. */
    static Samples read(Queryable q) {
        Samples out = new Samples();
        try (Querier querier = q.querier(Long.MIN_VALUE, Long.MAX_VALUE)) {
            SeriesSet ss = querier.select(true, LabelMatcher.regex(Labels.METRIC_NAME, ".+"));
            while (ss.next()) {
                if (out.containsKey(ss.at().labels())) fail("series twice: " + ss.at().labels());
                TreeMap<Long, Long> samples = new TreeMap<>();
                SampleIterator it = ss.at().iterator();
                long last = Long.MIN_VALUE;
                while (it.next()) {
                    if (it.timestamp() <= last) fail(ss.at().labels() + ": timestamp " + it.timestamp() + " not after " + last);
                    last = it.timestamp();
                    samples.put(it.timestamp(), Double.doubleToRawLongBits(it.value()));
                }
                out.put(ss.at().labels(), samples);
            }
        }
        return out;
    }

    /** Everything a block directory holds (it must have no deletions). */
    static Samples read(Path blockDir) throws IOException {
        try (BlockReader r = BlockReader.open(blockDir)) {
            return read(r);
        }
    }

    /** Equality of two sample sets, failing with the first difference rather than both in full. */
    static void assertSameSamples(Samples want, Samples got, String what) {
        if (want.equals(got)) return;
        for (Labels l : want.keySet()) {
            if (!got.containsKey(l)) fail(what + ": missing series " + l + " (" + got.size() + " of " + want.size() + " series)");
            TreeMap<Long, Long> w = want.get(l);
            TreeMap<Long, Long> g = got.get(l);
            if (w.equals(g)) continue;
            for (Map.Entry<Long, Long> e : w.entrySet()) {
                Long v = g.get(e.getKey());
                if (v == null) fail(what + ": " + l + " lacks the sample at " + e.getKey());
                if (!v.equals(e.getValue())) {
                    fail(what + ": " + l + " at " + e.getKey() + " has " + Double.longBitsToDouble(v) + ", expected "
                            + Double.longBitsToDouble(e.getValue()));
                }
            }
            for (Long t : g.keySet()) if (!w.containsKey(t)) fail(what + ": " + l + " has an extra sample at " + t);
        }
        for (Labels l : got.keySet()) if (!want.containsKey(l)) fail(what + ": unexpected series " + l);
    }

    /** Per series (in index order) each of its chunks: its encoding byte, then its bytes. */
    static TreeMap<Labels, List<byte[]>> chunks(Path blockDir) throws IOException {
        TreeMap<Labels, List<byte[]>> out = new TreeMap<>();
        try (IndexReader index = IndexReader.open(blockDir.resolve("index"));
             ChunkSegmentReader chunks = ChunkSegmentReader.open(blockDir.resolve("chunks"))) {
            SeriesEntry e = new SeriesEntry();
            byte[] buf = new byte[1 << 16];
            for (int id : index.allPostings()) {
                index.series(id, e, true);
                List<byte[]> list = new ArrayList<>();
                for (int i = 0; i < e.numChunks(); i++) list.add(Arrays.copyOf(buf, chunks.copyChunk(e.ref(i), buf)));
                out.put(e.labels(), list);
            }
        }
        return out;
    }

    /** The number of samples a chunk's header counts (a chunk as {@link #chunks} gives it). */
    static int numSamples(byte[] chunk) {
        return ((chunk[1] & 0xFF) << 8) | (chunk[2] & 0xFF);
    }
}
