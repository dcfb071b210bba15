package io.mnemo.promql.ast;

import io.mnemo.promql.value.ValueType;

import java.util.Objects;

/** A string literal, unquoted. */
public record StringLiteral(String value, PositionRange positionRange) implements Expr {
    public StringLiteral {
        Objects.requireNonNull(value);
    }

    @Override
    public ValueType type() { return ValueType.STRING; }

    @Override
    public String toString() { return Printer.format(this); }
}
