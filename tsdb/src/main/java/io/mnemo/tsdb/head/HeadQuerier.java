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
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Reads a {@link Head} over [mint, maxt]. A select resolves the matchers through the postings
 * and takes snapshots of the chunks right away, so its series do not change with later appends.
 * A series with out-of-order samples reads its in-order and out-of-order chunks merged in time
 * order (a timestamp in both is returned once).
 */
final class HeadQuerier implements Querier {
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
        if (!overlapsHead()) return SeriesSet.EMPTY;
        int[] refs = PostingsForMatchers.of(head.postings(), matchers);
        MemSeries[] series = new MemSeries[refs.length];
        for (int i = 0; i < refs.length; i++) series[i] = head.series(refs[i]);
        if (sorted) LabelOrder.sort(series, head.symbols());
        List<Series> out = new ArrayList<>(series.length);
        for (MemSeries s : series) {
            ChunkMeta[] chunks = s.chunksWithSamplesIn(mint, maxt);
            ChunkMeta[][] ooo = s.outOfOrderChunksIn(mint, maxt);
            if (ooo != null) {
                Series merged = new OutOfOrderSeries(s.labels(), chunks, ooo, mint, maxt);
                if (merged.iterator().next()) out.add(merged);
            } else if (chunks != null) {
                out.add(new ChunkSeries(s.labels(), chunks, mint, maxt));
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
        if (!overlapsHead()) return List.of();
        if (matchers.length == 0) return head.postings().labelNames();
        Set<String> names = new HashSet<>();
        for (int ref : PostingsForMatchers.of(head.postings(), matchers)) {
            MemSeries s = head.series(ref);
            if (!inRange(s)) continue;
            Labels l = s.labels();
            for (int i = 0; i < l.size(); i++) names.add(l.name(i));
        }
        return sortedList(names);
    }

    /** Same scope rules as {@link #labelNames}. */
    @Override
    public List<String> labelValues(String name, LabelMatcher... matchers) {
        if (!overlapsHead()) return List.of();
        if (matchers.length == 0) return head.postings().labelValues(name);
        Set<String> values = new HashSet<>();
        for (int ref : PostingsForMatchers.of(head.postings(), matchers)) {
            MemSeries s = head.series(ref);
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
