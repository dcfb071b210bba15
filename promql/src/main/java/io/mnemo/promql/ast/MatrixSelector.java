package io.mnemo.promql.ast;

import io.mnemo.promql.value.ValueType;

import java.util.Objects;

/**
 * A range vector selector {@code selector[range]}. Offset and {@code @} written after the range are
 * kept on the inner {@link VectorSelector}, as Prometheus does.
 *
 * @param rangeMillis the range, when written as a number or duration literal
 * @param rangeExpr   the range when written as a duration expression (experimental), else null
 */
public record MatrixSelector(VectorSelector vectorSelector, long rangeMillis, DurationExpr rangeExpr,
                             PositionRange positionRange) implements Expr {
    public MatrixSelector {
        Objects.requireNonNull(vectorSelector);
    }

    public MatrixSelector withVectorSelector(VectorSelector vs, PositionRange newPosition) {
        return new MatrixSelector(vs, rangeMillis, rangeExpr, newPosition);
    }

    @Override
    public ValueType type() { return ValueType.MATRIX; }

    @Override
    public String toString() { return Printer.format(this); }
}
