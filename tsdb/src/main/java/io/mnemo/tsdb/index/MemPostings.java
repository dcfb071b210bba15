package io.mnemo.tsdb.index;

import io.mnemo.tsdb.Labels;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Predicate;

/**
 * The in-memory inverted index of a head: for every label pair, the ascending refs of the
 * series that carry it, plus the list of all refs. Values are kept sorted per label name, so
 * label values come out in order and a literal regex prefix is one range scan. Matchers resolve
 * through {@link PostingsForMatchers}, as a block's do.
 *
 * <p>Not thread-safe: owned by the head's thread.
 */
public final class MemPostings implements IndexPostingsReader {
    private final Map<String, TreeMap<String, IntList>> byName = new HashMap<>();
    private final IntList all = new IntList(1024);

    /** Indexes a series under each of its label pairs; refs are best added in increasing order. */
    public void add(int ref, Labels labels) {
        all.addSorted(ref);
        for (int i = 0; i < labels.size(); i++) {
            byName.computeIfAbsent(labels.name(i), n -> new TreeMap<>())
                    .computeIfAbsent(labels.value(i), v -> new IntList())
                    .addSorted(ref);
        }
    }

    /** Removes a series from the index (label pairs left without series disappear). */
    public void delete(int ref, Labels labels) {
        all.removeSorted(ref);
        for (int i = 0; i < labels.size(); i++) {
            TreeMap<String, IntList> values = byName.get(labels.name(i));
            if (values == null) continue;
            IntList l = values.get(labels.value(i));
            if (l == null) continue;
            l.removeSorted(ref);
            if (l.size() == 0) values.remove(labels.value(i));
            if (values.isEmpty()) byName.remove(labels.name(i));
        }
    }

    /**
     * Removes many series at once ({@code labels.get(i)} being those of {@code refs[i]}): every
     * postings list they are in is rewritten once, not once per series, which keeps truncating
     * a head with churn linear.
     */
    public void delete(int[] refs, List<Labels> labels) {
        if (refs.length == 0) return;
        // A membership test per posting: a bitmap over the range of the dead refs when they are
        // dense in it (a head's series are created in runs), else binary search in them sorted.
        int min = Integer.MAX_VALUE;
        int max = Integer.MIN_VALUE;
        for (int ref : refs) {
            min = Math.min(min, ref);
            max = Math.max(max, ref);
        }
        long words = (((long) max - min) >>> 6) + 1;
        long[] bitmap = null;
        int[] sorted = null;
        if (words <= 4L * refs.length) {
            bitmap = new long[(int) words];
            for (int ref : refs) bitmap[(ref - min) >>> 6] |= 1L << (ref - min);
        } else {
            sorted = refs.clone();
            Arrays.sort(sorted);
        }
        Set<IntList> done = Collections.newSetFromMap(new IdentityHashMap<>());
        done.add(all);
        for (Labels l : labels) {
            for (int i = 0; i < l.size(); i++) {
                TreeMap<String, IntList> values = byName.get(l.name(i));
                IntList list = values == null ? null : values.get(l.value(i));
                if (list == null || !done.add(list)) continue;
                removeFrom(list, bitmap, min, sorted);
                if (list.size() == 0) values.remove(l.value(i));
                if (values.isEmpty()) byName.remove(l.name(i));
            }
        }
        removeFrom(all, bitmap, min, sorted);
    }

    private static void removeFrom(IntList list, long[] bitmap, int base, int[] sorted) {
        if (bitmap != null) list.removeAll(bitmap, base);
        else list.removeAll(sorted);
    }

    @Override
    public int[] postings(String name, String value) {
        TreeMap<String, IntList> values = byName.get(name);
        IntList l = values == null ? null : values.get(value);
        return l == null ? Postings.EMPTY : l.toArray();
    }

    @Override
    public int[] allPostings() { return all.toArray(); }

    public int numSeries() { return all.size(); }

    @Override
    public List<String> labelNames() {
        List<String> names = new ArrayList<>(byName.keySet());
        names.sort(null);
        return names;
    }

    @Override
    public List<String> labelValues(String name) {
        TreeMap<String, IntList> values = byName.get(name);
        return values == null ? List.of() : new ArrayList<>(values.keySet());
    }

    @Override
    public int[] postingsForValues(String name, String prefix, String except, Predicate<String> accept) {
        TreeMap<String, IntList> values = byName.get(name);
        if (values == null) return Postings.EMPTY;
        List<int[]> lists = new ArrayList<>();
        for (Map.Entry<String, IntList> e : (prefix.isEmpty() ? values : values.tailMap(prefix, true)).entrySet()) {
            String v = e.getKey();
            if (!v.startsWith(prefix)) break;
            if (v.equals(except)) continue;
            if (accept == null || accept.test(v)) lists.add(e.getValue().toArray());
        }
        return Postings.union(lists);
    }
}
