package io.mnemo.promql.ast;

import io.mnemo.promql.value.ValueType;

import java.util.Objects;

/**
 * A binary operation. {@code matching} is null unless both sides are instant vectors; set operators
 * always match many-to-many. {@code returnBool} is the {@code bool} modifier of comparisons.
 */
public record BinaryExpr(BinaryOp op, Expr lhs, Expr rhs, VectorMatching matching, boolean returnBool)
        implements Expr {
    public BinaryExpr {
        Objects.requireNonNull(op);
        Objects.requireNonNull(lhs);
        Objects.requireNonNull(rhs);
    }

    @Override
    public ValueType type() {
        return lhs.type() == ValueType.SCALAR && rhs.type() == ValueType.SCALAR ? ValueType.SCALAR : ValueType.VECTOR;
    }

    @Override
    public PositionRange positionRange() { return lhs.positionRange().to(rhs.positionRange()); }

    public BinaryExpr withOperands(Expr newLhs, Expr newRhs) {
        return new BinaryExpr(op, newLhs, newRhs, matching, returnBool);
    }

    @Override
    public String toString() { return Printer.format(this); }
}
