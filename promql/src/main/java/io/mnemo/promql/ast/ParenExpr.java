package io.mnemo.promql.ast;

import io.mnemo.promql.value.ValueType;

import java.util.Objects;

/** An expression in parentheses. */
public record ParenExpr(Expr expr, PositionRange positionRange) implements Expr {
    public ParenExpr {
        Objects.requireNonNull(expr);
    }

    @Override
    public ValueType type() { return expr.type(); }

    @Override
    public String toString() { return Printer.format(this); }
}
