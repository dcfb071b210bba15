package io.mnemo.promql.ast;

import io.mnemo.promql.value.ValueType;
import io.mnemo.tsdb.LabelMatcher;
import io.mnemo.tsdb.Labels;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * An instant vector selector: {@code name{matchers} @ at offset o}. When the metric name was written
 * outside the braces, {@code name} holds it and the matchers end with the {@code __name__} equality
 * matcher for it; {@code name} is empty otherwise.
 *
 * @param offsetMillis offset written in the query, 0 when none (negative offsets look ahead)
 * @param offsetExpr   the offset when written as a duration expression (experimental), else null
 * @param at           the {@code @} modifier, or null
 * @param anchored     the experimental {@code anchored} range modifier
 * @param smoothed     the experimental {@code smoothed} range modifier
 */
public record VectorSelector(String name, List<LabelMatcher> matchers, long offsetMillis, DurationExpr offsetExpr,
                             At at, boolean anchored, boolean smoothed, PositionRange positionRange) implements Expr {
    public VectorSelector {
        Objects.requireNonNull(name);
        matchers = List.copyOf(matchers);
    }

    /** A plain selector for a metric name and extra matchers, without modifiers. */
    public static VectorSelector of(String metricName, LabelMatcher... matchers) {
        List<LabelMatcher> all = new ArrayList<>(List.of(matchers));
        all.add(LabelMatcher.equal(Labels.METRIC_NAME, metricName));
        return new VectorSelector(metricName, all, 0, null, null, false, false, PositionRange.NONE);
    }

    public boolean hasOffset() { return offsetMillis != 0 || offsetExpr != null; }

    public VectorSelector withOffset(long millis, DurationExpr expr, PositionRange newPosition) {
        return new VectorSelector(name, matchers, millis, expr, at, anchored, smoothed, newPosition);
    }

    public VectorSelector withAt(At newAt, PositionRange newPosition) {
        return new VectorSelector(name, matchers, offsetMillis, offsetExpr, newAt, anchored, smoothed, newPosition);
    }

    public VectorSelector withRangeModifiers(boolean newAnchored, boolean newSmoothed, PositionRange newPosition) {
        return new VectorSelector(name, matchers, offsetMillis, offsetExpr, at, newAnchored, newSmoothed, newPosition);
    }

    @Override
    public ValueType type() { return ValueType.VECTOR; }

    @Override
    public String toString() { return Printer.format(this); }
}
