package io.mnemo.promql.ast;

import io.mnemo.promql.value.ValueType;

import java.util.List;

/**
 * A PromQL function signature. {@code variadic} is 0 for a fixed argument list, N &gt; 0 when up
 * to N more arguments of the last type may follow the fixed ones minus the last, and -1 for any
 * number of them.
 */
public record Function(String name, List<ValueType> argTypes, int variadic, ValueType returnType, boolean experimental) {
    public Function {
        argTypes = List.copyOf(argTypes);
    }

    /** Fewest arguments a call may pass. */
    public int minArgs() { return variadic == 0 ? argTypes.size() : argTypes.size() - 1; }

    /** Most arguments a call may pass, or -1 for no limit. */
    public int maxArgs() {
        if (variadic == 0) return argTypes.size();
        if (variadic < 0) return -1;
        return argTypes.size() - 1 + variadic;
    }

    /** Expected type of the i-th argument (variadic tails repeat the last type). */
    public ValueType argType(int i) { return argTypes.get(Math.min(i, argTypes.size() - 1)); }

    @Override
    public String toString() { return name; }
}
