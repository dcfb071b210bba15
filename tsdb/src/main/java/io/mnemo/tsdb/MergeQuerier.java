package io.mnemo.tsdb;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/**
 * Queries several queriers as one: the partitions of a tenant, or a head and its blocks. Series
 * with equal labels are merged into one with duplicate timestamps removed; label names and
 * values are the sorted union.
 */
public final class MergeQuerier implements Querier {
    private final List<Querier> queriers;

    public MergeQuerier(List<? extends Querier> queriers) {
        this.queriers = List.copyOf(queriers);
    }

    /** A queryable whose queriers merge those of the given queryables. */
    public static Queryable of(List<? extends Queryable> queryables) {
        List<Queryable> qs = List.copyOf(queryables);
        return (mint, maxt) -> {
            List<Querier> open = new ArrayList<>(qs.size());
            for (Queryable q : qs) open.add(q.querier(mint, maxt));
            return new MergeQuerier(open);
        };
    }

    /** Merging needs sorted inputs, so the result is sorted whatever {@code sorted} says. */
    @Override
    public SeriesSet select(boolean sorted, LabelMatcher... matchers) {
        if (queriers.size() == 1) return queriers.get(0).select(sorted, matchers);
        List<SeriesSet> sets = new ArrayList<>(queriers.size());
        for (Querier q : queriers) sets.add(q.select(true, matchers));
        return MergeSeriesSet.merge(sets);
    }

    @Override
    public List<String> labelNames(LabelMatcher... matchers) {
        if (queriers.size() == 1) return queriers.get(0).labelNames(matchers);
        TreeSet<String> names = new TreeSet<>();
        for (Querier q : queriers) names.addAll(q.labelNames(matchers));
        return new ArrayList<>(names);
    }

    @Override
    public List<String> labelValues(String name, LabelMatcher... matchers) {
        if (queriers.size() == 1) return queriers.get(0).labelValues(name, matchers);
        TreeSet<String> values = new TreeSet<>();
        for (Querier q : queriers) values.addAll(q.labelValues(name, matchers));
        return new ArrayList<>(values);
    }

    /** Closes every querier, even if some fail; rethrows the first failure. */
    @Override
    public void close() {
        RuntimeException first = null;
        for (Querier q : queriers) {
            try {
                q.close();
            } catch (Exception e) {
                RuntimeException re = e instanceof RuntimeException r ? r : new RuntimeException(e);
                if (first == null) first = re; else first.addSuppressed(re);
            }
        }
        if (first != null) throw first;
    }
}
