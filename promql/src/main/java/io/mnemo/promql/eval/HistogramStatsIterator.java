package io.mnemo.promql.eval;

import io.mnemo.tsdb.HistogramIterator;
import io.mnemo.promql.ast.BinaryExpr;
import io.mnemo.promql.ast.BinaryOp;
import io.mnemo.promql.ast.Call;
import io.mnemo.promql.ast.Expr;
import io.mnemo.promql.ast.Exprs;
import io.mnemo.promql.ast.SubqueryExpr;
import io.mnemo.promql.ast.VectorSelector;
import io.mnemo.tsdb.SampleIterator;
import io.mnemo.tsdb.StaleNaN;
import io.mnemo.tsdb.histogram.FloatHistogram.CounterResetHint;
import io.mnemo.tsdb.histogram.FloatHistogram;

import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;

/**
 * Reads a series for a selector whose histograms only feed histogram_count, histogram_sum or
 * histogram_avg, as Prometheus's HistogramStatsIterator does: the values are the same, but as
 * the engine will not see buckets there to detect counter resets later, each histogram whose
 * counter reset hint is unknown gets "reset" or "not reset" here by comparing it with the
 * histogram read before it. That hint is what sum, avg, sum_over_time and avg_over_time check
 * for conflicting counter resets. The histogram before a fresh seek is read too: Prometheus
 * seeks to a window's start inclusive, and a sample exactly there serves as the previous one.
 */
final class HistogramStatsIterator implements HistogramIterator {
    private final SampleIterator it;
    private final HistogramIterator hit;
    /** The last histogram read, with its hint; null after a seek that moved. */
    private FloatHistogram last;
    private FloatHistogram current;
    private boolean currentRead;
    /** Whether the underlying iterator is on a sample (after a next or seek that found one). */
    private boolean onSample;

    HistogramStatsIterator(SampleIterator it) {
        this.it = it;
        this.hit = it instanceof HistogramIterator h ? h : null;
    }

    /**
     * The vector selectors of an expression that Prometheus reads histogram statistics only for:
     * those with histogram_count, histogram_sum or histogram_avg above them, and no subquery,
     * histogram_quantile(s), histogram_fraction or trim operator between (those need buckets).
     */
    static Set<VectorSelector> selectors(Expr root) {
        Set<VectorSelector> out = Collections.newSetFromMap(new IdentityHashMap<>());
        Exprs.walk(root, (node, path) -> {
            if (node instanceof VectorSelector vs && statsOnly(path)) out.add(vs);
        });
        return out;
    }

    private static boolean statsOnly(List<Expr> path) {
        boolean stats = false;
        for (int i = path.size() - 1; i >= 0; i--) {
            Expr p = path.get(i);
            if (p instanceof SubqueryExpr) return false;
            if (p instanceof BinaryExpr b && (b.op() == BinaryOp.TRIM_UPPER || b.op() == BinaryOp.TRIM_LOWER)) return false;
            if (p instanceof Call c) {
                switch (c.function().name()) {
                    case "histogram_count", "histogram_sum", "histogram_avg" -> stats = true;
                    case "histogram_quantile", "histogram_quantiles", "histogram_fraction" -> { return false; }
                    default -> { }
                }
            }
        }
        return stats;
    }

    @Override
    public boolean next() {
        currentRead = false;
        onSample = it.next();
        return onSample;
    }

    @Override
    public boolean seek(long t) {
        long from = t - 1;
        if (onSample && it.timestamp() < from) {
            // The seek moves: Prometheus forgets the previous histogram then.
            last = null;
            currentRead = false;
        }
        onSample = it.seek(from);
        if (onSample && it.timestamp() == from) {
            histogram();
            next();
        }
        return onSample;
    }

    @Override
    public long timestamp() { return it.timestamp(); }

    @Override
    public double value() { return it.value(); }

    @Override
    public FloatHistogram histogram() {
        if (hit == null) return null;
        if (currentRead) return current;
        currentRead = true;
        current = hit.histogram();
        if (current == null || StaleNaN.is(current.sum())) return current;
        CounterResetHint hint = current.counterResetHint();
        if (hint == CounterResetHint.UNKNOWN && last != null) {
            current = current.copy();
            current.setCounterResetHint(current.detectReset(last) ? CounterResetHint.COUNTER_RESET
                    : CounterResetHint.NOT_COUNTER_RESET);
        }
        last = current;
        return current;
    }
}
