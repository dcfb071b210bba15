package io.mnemo.promql.value;

/** The result of evaluating a PromQL expression. */
public sealed interface Value permits Scalar, StringValue, Vector, Matrix {
    ValueType type();
}
