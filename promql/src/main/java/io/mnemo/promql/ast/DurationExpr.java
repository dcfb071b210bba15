package io.mnemo.promql.ast;

import io.mnemo.promql.value.ValueType;

import java.util.Objects;

/**
 * An experimental duration expression in a range, step or offset: arithmetic over durations and
 * numbers (in seconds), {@code step()}, {@code range()}, {@code min_of(a, b)}, {@code max_of(a, b)}.
 * A unary minus has a null {@code lhs}; {@code wrapped} records parentheses so it prints back.
 */
public record DurationExpr(Op op, Expr lhs, Expr rhs, boolean wrapped, PositionRange positionRange) implements Expr {
    public enum Op {
        ADD("+"), SUB("-"), MUL("*"), DIV("/"), MOD("%"), POW("^"),
        STEP("step"), RANGE("range"), MIN_OF("min_of"), MAX_OF("max_of");

        private final String text;

        Op(String text) { this.text = text; }

        public String text() { return text; }
    }

    public DurationExpr {
        Objects.requireNonNull(op);
    }

    public DurationExpr wrap(PositionRange newPosition) { return new DurationExpr(op, lhs, rhs, true, newPosition); }

    @Override
    public ValueType type() { return ValueType.SCALAR; }

    @Override
    public String toString() { return Printer.format(this); }
}
