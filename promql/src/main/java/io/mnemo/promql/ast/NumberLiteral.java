package io.mnemo.promql.ast;

import io.mnemo.promql.value.ValueType;

/**
 * A number. {@code duration} is set when it was written as a duration ({@code 5m}); its value
 * is then in seconds and it prints back as a duration.
 */
public record NumberLiteral(double value, boolean duration, PositionRange positionRange) implements Expr {
    public NumberLiteral(double value) { this(value, false, PositionRange.NONE); }

    @Override
    public ValueType type() { return ValueType.SCALAR; }

    @Override
    public String toString() { return Printer.format(this); }
}
