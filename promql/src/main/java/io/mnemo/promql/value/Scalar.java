package io.mnemo.promql.value;

/** A single number at an evaluation timestamp (milliseconds). */
public record Scalar(long timestamp, double value) implements Value {
    @Override
    public ValueType type() { return ValueType.SCALAR; }
}
