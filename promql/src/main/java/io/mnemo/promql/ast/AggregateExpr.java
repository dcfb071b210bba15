package io.mnemo.promql.ast;

import io.mnemo.promql.value.ValueType;

import java.util.List;
import java.util.Objects;

/**
 * An aggregation {@code op by|without (grouping) ([param, ] expr)}. {@code param} is null for
 * operators without one. An empty {@code by ()} is the same as no grouping.
 */
public record AggregateExpr(AggregateOp op, Expr expr, Expr param, List<String> grouping, boolean without,
                            PositionRange positionRange) implements Expr {
    public AggregateExpr {
        Objects.requireNonNull(op);
        Objects.requireNonNull(expr);
        grouping = List.copyOf(grouping);
    }

    public AggregateExpr withOperands(Expr newExpr, Expr newParam) {
        return new AggregateExpr(op, newExpr, newParam, grouping, without, positionRange);
    }

    @Override
    public ValueType type() { return ValueType.VECTOR; }

    @Override
    public String toString() { return Printer.format(this); }
}
