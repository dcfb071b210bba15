package io.mnemo.tsdb;

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
        current = count == 1 ? parts[0] : new MergedSeries(min, parts);
        return true;
    }

    @Override
    public Series at() {
        if (current == null) throw new IllegalStateException("no current series");
        return current;
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
