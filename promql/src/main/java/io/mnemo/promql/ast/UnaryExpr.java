package io.mnemo.promql.ast;

import io.mnemo.promql.value.ValueType;

import java.util.Objects;

/** Unary plus or minus applied to an expression (negated number literals are folded by the parser). */
public record UnaryExpr(BinaryOp op, Expr expr, PositionRange positionRange) implements Expr {
    public UnaryExpr {
        Objects.requireNonNull(expr);
        if (op != BinaryOp.ADD && op != BinaryOp.SUB) {
            throw new IllegalArgumentException("only + and - operators allowed for unary expressions");
        }
    }

    @Override
    public ValueType type() { return expr.type(); }

    @Override
    public String toString() { return Printer.format(this); }
}
