package io.mnemo.tsdb.head;

import io.mnemo.tsdb.ChunkSeries;
import io.mnemo.tsdb.ChunkSeriesIterator;
import io.mnemo.tsdb.LabelMatcher;
import io.mnemo.tsdb.Labels;
import io.mnemo.tsdb.MergeSampleIterator;
import io.mnemo.tsdb.Querier;
import io.mnemo.tsdb.SampleIterator;
import io.mnemo.tsdb.Series;
import io.mnemo.tsdb.SeriesSet;
import io.mnemo.tsdb.chunkenc.ChunkMeta;
import io.mnemo.tsdb.index.PostingsForMatchers;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.locks.Lock;

/**
 * Reads a {@link Head} over [mint, maxt], from any thread. A select resolves the matchers
 * through the postings and then copies out the series' labels and chunk snapshots, a batch of
 * {@link #SNAPSHOT_BATCH} series at a time under the head's read lock, so that appends wait for
 * one batch at most; sorting and building the series happen outside the lock. Its series do not
 * change with later appends. A series with out-of-order samples reads its in-order and
 * out-of-order chunks merged in time order (a timestamp in both is returned once).
 */
final class HeadQuerier implements Querier {
    /** Series copied out per hold of the read lock: well under a millisecond. */
    static final int SNAPSHOT_BATCH = 1024;

    private final Head head;
    private final long mint;
    private final long maxt;

    HeadQuerier(Head head, long mint, long maxt) {
        this.head = head;
        this.mint = mint;
        this.maxt = maxt;
    }

    @Override
    public SeriesSet select(boolean sorted, LabelMatcher... matchers) {
        Lock lock = head.readLock();
        int[] refs;
        lock.lock();
        try {
            if (!overlapsHead()) return SeriesSet.EMPTY;
            refs = PostingsForMatchers.of(head.postings(), matchers);
        } finally {
            lock.unlock();
        }
        // Copied out under the lock: each series' symbol ids, their strings, its chunks.
        int[][] ids = new int[refs.length][];
        ChunkMeta[][] chunks = new ChunkMeta[refs.length][];
        ChunkMeta[][][] outOfOrder = new ChunkMeta[refs.length][][];
        String[] strings = new String[0];
        int n = 0;
        for (int from = 0; from < refs.length; from += SNAPSHOT_BATCH) {
            int to = Math.min(refs.length, from + SNAPSHOT_BATCH);
            lock.lock();
            try {
                SymbolTable symbols = head.symbols();
                if (strings.length < symbols.idLimit()) strings = Arrays.copyOf(strings, symbols.idLimit());
                for (int i = from; i < to; i++) {
                    MemSeries s = head.seriesForReading(refs[i]);
                    ChunkMeta[] inOrder = s.chunksWithSamplesIn(mint, maxt);
                    ChunkMeta[][] ooo = s.outOfOrderChunksIn(mint, maxt);
                    if (inOrder == null && ooo == null) continue;
                    int[] key = PackedLabels.ids(s.packedLabels());
                    for (int id : key) if (strings[id] == null) strings[id] = symbols.symbol(id);
                    ids[n] = key;
                    chunks[n] = inOrder;
                    outOfOrder[n] = ooo;
                    n++;
                }
            } finally {
                lock.unlock();
            }
        }
        Labels[] labels = new Labels[n];
        for (int i = 0; i < n; i++) {
            String[] kv = new String[ids[i].length];
            for (int k = 0; k < kv.length; k++) kv[k] = strings[ids[i][k]];
            labels[i] = Labels.wrapSorted(kv);
        }
        int[] order = sorted ? LabelOrder.order(labels, ids, n, strings) : null;
        List<Series> out = new ArrayList<>(n);
        for (int j = 0; j < n; j++) {
            int i = order == null ? j : order[j];
            if (outOfOrder[i] != null) {
                Series merged = new OutOfOrderSeries(labels[i], chunks[i], outOfOrder[i], mint, maxt);
                if (merged.iterator().next()) out.add(merged);
            } else {
                out.add(new ChunkSeries(labels[i], chunks[i], mint, maxt));
            }
        }
        return SeriesSet.of(out);
    }

    /**
     * Without matchers, the names of all series in the head (as Prometheus does, not filtered by
     * time beyond the head's own range); with matchers, those of the matching series that have
     * samples overlapping the range.
     */
    @Override
    public List<String> labelNames(LabelMatcher... matchers) {
        Lock lock = head.readLock();
        lock.lock();
        try {
            return labelNamesLocked(matchers);
        } finally {
            lock.unlock();
        }
    }

    private List<String> labelNamesLocked(LabelMatcher... matchers) {
        if (!overlapsHead()) return List.of();
        if (matchers.length == 0) return head.postings().labelNames();
        Set<String> names = new HashSet<>();
        for (int ref : PostingsForMatchers.of(head.postings(), matchers)) {
            MemSeries s = head.seriesForReading(ref);
            if (!inRange(s)) continue;
            Labels l = s.labels();
            for (int i = 0; i < l.size(); i++) names.add(l.name(i));
        }
        return sortedList(names);
    }

    /** Same scope rules as {@link #labelNames}. */
    @Override
    public List<String> labelValues(String name, LabelMatcher... matchers) {
        Lock lock = head.readLock();
        lock.lock();
        try {
            return labelValuesLocked(name, matchers);
        } finally {
            lock.unlock();
        }
    }

    private List<String> labelValuesLocked(String name, LabelMatcher... matchers) {
        if (!overlapsHead()) return List.of();
        if (matchers.length == 0) return head.postings().labelValues(name);
        Set<String> values = new HashSet<>();
        for (int ref : PostingsForMatchers.of(head.postings(), matchers)) {
            MemSeries s = head.seriesForReading(ref);
            if (!inRange(s)) continue;
            String v = s.labels().get(name);
            if (!v.isEmpty()) values.add(v);
        }
        return sortedList(values);
    }

    private boolean overlapsHead() {
        return head.minTime() <= maxt && Math.max(head.maxTime(), head.outOfOrderMaxTime()) >= mint;
    }

    private boolean inRange(MemSeries s) {
        return (s.minTime() <= maxt && s.maxTime() >= mint)
                || (s.outOfOrderMinTime() <= maxt && s.outOfOrderMaxTime() >= mint);
    }

    /** A series with out-of-order samples: its in-order chunks and both out-of-order sources, merged. */
    private record OutOfOrderSeries(Labels labels, ChunkMeta[] inOrder, ChunkMeta[][] outOfOrder, long mint, long maxt)
            implements Series {
        @Override
        public SampleIterator iterator() {
            return new MergeSampleIterator(
                    inOrder == null ? SampleIterator.EMPTY : new ChunkSeriesIterator(inOrder, mint, maxt),
                    new ChunkSeriesIterator(outOfOrder[0], mint, maxt),
                    new ChunkSeriesIterator(outOfOrder[1], mint, maxt));
        }
    }

    private static List<String> sortedList(Set<String> set) {
        List<String> out = new ArrayList<>(set);
        out.sort(null);
        return out;
    }
}
