package io.mnemo.promql.value;

import java.util.Objects;

/** A string at an evaluation timestamp (milliseconds). */
public record StringValue(long timestamp, String value) implements Value {
    public StringValue {
        Objects.requireNonNull(value);
    }

    @Override
    public ValueType type() { return ValueType.STRING; }
}
