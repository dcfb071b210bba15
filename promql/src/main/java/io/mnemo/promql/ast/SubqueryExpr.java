package io.mnemo.promql.ast;

import io.mnemo.promql.value.ValueType;

import java.util.Objects;

/**
 * A subquery {@code expr[range:step] @ at offset o}. A step of 0 means the engine's default
 * resolution. Each duration is either a literal (the millis field) or an experimental duration
 * expression (the expr field, else null).
 */
public record SubqueryExpr(Expr expr, long rangeMillis, DurationExpr rangeExpr, long stepMillis,
                           DurationExpr stepExpr, long offsetMillis, DurationExpr offsetExpr, At at,
                           PositionRange positionRange) implements Expr {
    public SubqueryExpr {
        Objects.requireNonNull(expr);
    }

    public boolean hasOffset() { return offsetMillis != 0 || offsetExpr != null; }

    public SubqueryExpr withExpr(Expr newExpr) {
        return new SubqueryExpr(newExpr, rangeMillis, rangeExpr, stepMillis, stepExpr, offsetMillis, offsetExpr, at,
                positionRange);
    }

    public SubqueryExpr withOffset(long millis, DurationExpr newOffsetExpr, PositionRange newPosition) {
        return new SubqueryExpr(expr, rangeMillis, rangeExpr, stepMillis, stepExpr, millis, newOffsetExpr, at,
                newPosition);
    }

    public SubqueryExpr withAt(At newAt, PositionRange newPosition) {
        return new SubqueryExpr(expr, rangeMillis, rangeExpr, stepMillis, stepExpr, offsetMillis, offsetExpr, newAt,
                newPosition);
    }

    @Override
    public ValueType type() { return ValueType.MATRIX; }

    @Override
    public String toString() { return Printer.format(this); }
}
