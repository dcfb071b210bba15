package io.mnemo.tsdb;

import io.mnemo.tsdb.chunkenc.ChunkMeta;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * Merges series sets that are each sorted by labels into one sorted set. Series with equal
 * labels in several sets become one series whose samples are merged with duplicate timestamps
 * removed ({@link MergeSampleIterator}).
 */
public final class MergeSeriesSet implements SeriesSet {
    private final SeriesSet[] sets;
    private final Series[] heads;       // current series of each set; null when exhausted
    private final boolean[] taken;      // heads[i] went into the current series
    private boolean started;
    private Series current;

    private MergeSeriesSet(SeriesSet[] sets) {
        this.sets = sets;
        this.heads = new Series[sets.length];
        this.taken = new boolean[sets.length];
    }

    /** @param sets each sorted by labels */
    public static SeriesSet merge(List<? extends SeriesSet> sets) {
        if (sets.isEmpty()) return SeriesSet.EMPTY;
        if (sets.size() == 1) return sets.get(0);
        return new MergeSeriesSet(sets.toArray(new SeriesSet[0]));
    }

    @Override
    public boolean next() {
        for (int i = 0; i < sets.length; i++) {
            if (!started || taken[i]) heads[i] = sets[i].next() ? sets[i].at() : null;
            taken[i] = false;
        }
        started = true;
        Labels min = null;
        int count = 0;
        for (Series s : heads) {
            if (s == null) continue;
            int c = min == null ? -1 : s.labels().compareTo(min);
            if (c < 0) { min = s.labels(); count = 1; }
            else if (c == 0) count++;
        }
        if (min == null) {
            current = null;
            return false;
        }
        Series[] parts = new Series[count];
        int n = 0;
        for (int i = 0; i < heads.length; i++) {
            if (heads[i] != null && heads[i].labels().equals(min)) {
                parts[n++] = heads[i];
                taken[i] = true;
            }
        }
        current = count == 1 ? parts[0] : join(min, parts);
        return true;
    }

    @Override
    public Series at() {
        if (current == null) throw new IllegalStateException("no current series");
        return current;
    }

    /**
     * Chunk series with the same bounds whose chunks do not overlap in time (a series in
     * consecutive blocks) become one chunk series with their chunks in time order: nothing is
     * decoded, and a frame writer sends the chunks as they are instead of re-encoding every sample.
     * Parts that overlap (two zones' copies of a block, out-of-order blocks) are merged sample by
     * sample, duplicates dropped.
     */
    private static Series join(Labels labels, Series[] parts) {
        ChunkSeries[] chunked = new ChunkSeries[parts.length];
        int total = 0;
        for (int i = 0; i < parts.length; i++) {
            if (!(parts[i] instanceof ChunkSeries c) || c.chunks().length == 0) return new MergedSeries(labels, parts);
            if (i > 0 && (c.mint() != chunked[0].mint() || c.maxt() != chunked[0].maxt())) return new MergedSeries(labels, parts);
            chunked[i] = c;
            total += c.chunks().length;
        }
        Arrays.sort(chunked, Comparator.comparingLong(c -> c.chunks()[0].minTime()));
        ChunkMeta[] all = new ChunkMeta[total];
        int n = 0;
        for (int i = 0; i < chunked.length; i++) {
            ChunkMeta[] cs = chunked[i].chunks();
            if (i > 0 && cs[0].minTime() <= all[n - 1].maxTime()) return new MergedSeries(labels, parts);
            System.arraycopy(cs, 0, all, n, cs.length);
            n += cs.length;
        }
        return new ChunkSeries(labels, all, chunked[0].mint(), chunked[0].maxt());
    }

    private record MergedSeries(Labels labels, Series[] parts) implements Series {
        @Override
        public SampleIterator iterator() {
            SampleIterator[] its = new SampleIterator[parts.length];
            for (int i = 0; i < parts.length; i++) its[i] = parts[i].iterator();
            return new MergeSampleIterator(its);
        }
    }
}
