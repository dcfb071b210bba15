package io.mnemo.tsdb.head;

import io.mnemo.tsdb.LabelMatcher;
import io.mnemo.tsdb.Labels;
import io.mnemo.tsdb.Querier;
import io.mnemo.tsdb.SeriesSet;
import io.mnemo.tsdb.index.PostingsForMatchers;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.locks.Lock;

/**
 * Reads a {@link Head} over [mint, maxt], from any thread. A select resolves the matchers
 * through the postings and then copies out what each series holds in the range
 * ({@link HeadSelection}: references and numbers, no object per series), a batch of
 * {@link #SNAPSHOT_BATCH} series at a time under the head's read lock, so that appends wait for
 * one batch at most; sorting happens outside the lock, and each series is built only when the
 * set is read. Its series do not change with later appends. A series with out-of-order samples
 * reads its in-order and out-of-order chunks merged in time order (a timestamp in both is
 * returned once).
 */
final class HeadQuerier implements Querier {
    /** Series copied out per hold of the read lock: well under a millisecond. */
    static final int SNAPSHOT_BATCH = 1024;
    /** Series a selection has room for at first: postings may list far more than the range holds. */
    private static final int INITIAL_SELECTION = 4096;

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
        HeadSelection selection = new HeadSelection(Math.min(refs.length, INITIAL_SELECTION), mint, maxt);
        for (int from = 0; from < refs.length; from += SNAPSHOT_BATCH) {
            int to = Math.min(refs.length, from + SNAPSHOT_BATCH);
            lock.lock();
            try {
                SymbolTable symbols = head.symbols();
                for (int i = from; i < to; i++) selection.add(head.seriesForReading(refs[i]), symbols);
            } finally {
                lock.unlock();
            }
        }
        return selection.seriesSet(sorted);
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

    private static List<String> sortedList(Set<String> set) {
        List<String> out = new ArrayList<>(set);
        out.sort(null);
        return out;
    }
}
