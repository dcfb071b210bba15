package io.mnemo.tsdb.index;

import io.mnemo.tsdb.LabelMatcher;
import io.mnemo.tsdb.Labels;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Set;
import java.util.TreeMap;

/**
 * The in-memory inverted index of a head: for every label pair, the ascending refs of the
 * series that carry it, plus the list of all refs. Values are kept sorted per label name, so
 * label values come out in order and a literal regex prefix is one range scan.
 *
 * <p>Not thread-safe: owned by the head's thread.
 */
public final class MemPostings {
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

    /** Refs of the series with {@code name="value"}. */
    public int[] get(String name, String value) {
        TreeMap<String, IntList> values = byName.get(name);
        IntList l = values == null ? null : values.get(value);
        return l == null ? Postings.EMPTY : l.toArray();
    }

    /** Refs of every series. */
    public int[] all() { return all.toArray(); }

    public int numSeries() { return all.size(); }

    /** Sorted label names in use. */
    public List<String> labelNames() {
        List<String> names = new ArrayList<>(byName.keySet());
        names.sort(null);
        return names;
    }

    /** Sorted values in use for a label name. */
    public List<String> labelValues(String name) {
        TreeMap<String, IntList> values = byName.get(name);
        return values == null ? List.of() : new ArrayList<>(values.keySet());
    }

    /**
     * Refs of the series that all matchers select, with Prometheus's semantics: an absent label
     * has the empty value, so a matcher that matches "" also selects series without the label.
     * Each matcher either narrows the result to series having a matching value (when it does not
     * match "") or removes the series having a non-matching value (when it does); with no
     * narrowing matcher the result starts from all series.
     */
    public int[] postingsForMatchers(LabelMatcher... matchers) {
        List<int[]> include = new ArrayList<>();
        List<int[]> exclude = new ArrayList<>();
        for (LabelMatcher m : matchers) {
            if (m.matchesEmpty()) {
                exclude.add(postingsForValues(m, false));
            } else {
                int[] p = postingsForValues(m, true);
                if (p.length == 0) return Postings.EMPTY;
                include.add(p);
            }
        }
        int[] result = include.isEmpty() ? all.toArray() : Postings.intersect(include);
        if (!exclude.isEmpty() && result.length > 0) result = Postings.subtract(result, Postings.union(exclude));
        return result;
    }

    /** Union of the postings of the values of m's label for which {@code m.matches(v) == want}. */
    private int[] postingsForValues(LabelMatcher m, boolean want) {
        TreeMap<String, IntList> values = byName.get(m.name());
        if (values == null) return Postings.EMPTY;
        boolean negated = m.type() == LabelMatcher.Type.NOT_EQUAL || m.type() == LabelMatcher.Type.NOT_REGEX;
        // m.matches(v) == want  <=>  positive form of m (= or =~) matches v == (want != negated)
        boolean wantPositive = want != negated;
        List<int[]> lists = new ArrayList<>();
        boolean regex = m.type() == LabelMatcher.Type.REGEX || m.type() == LabelMatcher.Type.NOT_REGEX;
        if (!regex) {
            if (wantPositive) {
                IntList l = values.get(m.value());
                return l == null ? Postings.EMPTY : l.toArray();
            }
            for (Map.Entry<String, IntList> e : values.entrySet()) {
                if (!e.getKey().equals(m.value())) lists.add(e.getValue().toArray());
            }
            return Postings.union(lists);
        }
        RegexShape shape = RegexShape.of(m.value());
        if (wantPositive) {
            switch (shape.kind()) {
                case LITERALS -> {
                    for (String lit : shape.literals()) {
                        IntList l = values.get(lit);
                        if (l != null) lists.add(l.toArray());
                    }
                }
                case PREFIX -> {
                    for (Map.Entry<String, IntList> e : withPrefix(values, shape.prefix()).entrySet()) {
                        if (!e.getKey().startsWith(shape.prefix())) break;
                        if (shape.prefixMatches(e.getKey())) lists.add(e.getValue().toArray());
                    }
                }
                case GENERAL -> {
                    for (Map.Entry<String, IntList> e : withPrefix(values, shape.prefix()).entrySet()) {
                        if (!e.getKey().startsWith(shape.prefix())) break;
                        if (m.matches(e.getKey()) == want) lists.add(e.getValue().toArray());
                    }
                }
            }
        } else {
            if (shape.kind() == RegexShape.Kind.PREFIX && shape.prefix().isEmpty() && !shape.nonEmptySuffix()) {
                return Postings.EMPTY; // .* matches every value
            }
            for (Map.Entry<String, IntList> e : values.entrySet()) {
                String v = e.getKey();
                boolean positive = switch (shape.kind()) {
                    case LITERALS -> shape.isLiteral(v);
                    case PREFIX -> shape.prefixMatches(v);
                    case GENERAL -> v.startsWith(shape.prefix()) && m.matches(v) != negated;
                };
                if (!positive) lists.add(e.getValue().toArray());
            }
        }
        return Postings.union(lists);
    }

    private static NavigableMap<String, IntList> withPrefix(TreeMap<String, IntList> values, String prefix) {
        return prefix.isEmpty() ? values : values.tailMap(prefix, true);
    }
}
