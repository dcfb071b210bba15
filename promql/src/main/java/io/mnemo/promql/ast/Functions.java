package io.mnemo.promql.ast;

import io.mnemo.promql.value.ValueType;

import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

import static io.mnemo.promql.value.ValueType.MATRIX;
import static io.mnemo.promql.value.ValueType.SCALAR;
import static io.mnemo.promql.value.ValueType.STRING;
import static io.mnemo.promql.value.ValueType.VECTOR;

/** The function table of Prometheus 3.x: every documented function with its signature. */
public final class Functions {
    private static final Map<String, Function> TABLE;

    static {
        Map<String, Function> t = new TreeMap<>();
        // Element-wise math on an instant vector.
        for (String n : List.of("abs", "ceil", "exp", "floor", "ln", "log2", "log10", "sqrt", "sgn",
                "acos", "acosh", "asin", "asinh", "atan", "atanh", "cos", "cosh", "sin", "sinh", "tan", "tanh",
                "deg", "rad", "absent", "timestamp", "sort", "sort_desc",
                "histogram_avg", "histogram_count", "histogram_sum", "histogram_stddev", "histogram_stdvar")) {
            add(t, n, List.of(VECTOR), 0, VECTOR, false);
        }
        // Calendar functions take an optional vector and default to vector(time()).
        for (String n : List.of("day_of_month", "day_of_week", "day_of_year", "days_in_month", "hour", "minute",
                "month", "year")) {
            add(t, n, List.of(VECTOR), 1, VECTOR, false);
        }
        // Functions over a range vector.
        for (String n : List.of("absent_over_time", "avg_over_time", "changes", "count_over_time", "delta", "deriv",
                "first_over_time", "idelta", "increase", "irate", "last_over_time", "max_over_time",
                "min_over_time", "present_over_time", "rate", "resets", "stddev_over_time", "stdvar_over_time",
                "sum_over_time")) {
            add(t, n, List.of(MATRIX), 0, VECTOR, false);
        }
        for (String n : List.of("mad_over_time", "ts_of_first_over_time", "ts_of_last_over_time",
                "ts_of_max_over_time", "ts_of_min_over_time")) {
            add(t, n, List.of(MATRIX), 0, VECTOR, true);
        }
        add(t, "clamp", List.of(VECTOR, SCALAR, SCALAR), 0, VECTOR, false);
        add(t, "clamp_max", List.of(VECTOR, SCALAR), 0, VECTOR, false);
        add(t, "clamp_min", List.of(VECTOR, SCALAR), 0, VECTOR, false);
        add(t, "round", List.of(VECTOR, SCALAR), 1, VECTOR, false);
        add(t, "histogram_fraction", List.of(SCALAR, SCALAR, VECTOR), 0, VECTOR, false);
        add(t, "histogram_quantile", List.of(SCALAR, VECTOR), 0, VECTOR, false);
        add(t, "histogram_quantiles", List.of(VECTOR, STRING, SCALAR, SCALAR), 9, VECTOR, true);
        add(t, "double_exponential_smoothing", List.of(MATRIX, SCALAR, SCALAR), 0, VECTOR, true);
        add(t, "predict_linear", List.of(MATRIX, SCALAR), 0, VECTOR, false);
        add(t, "quantile_over_time", List.of(SCALAR, MATRIX), 0, VECTOR, false);
        add(t, "label_replace", List.of(VECTOR, STRING, STRING, STRING, STRING), 0, VECTOR, false);
        add(t, "label_join", List.of(VECTOR, STRING, STRING, STRING), -1, VECTOR, false);
        add(t, "sort_by_label", List.of(VECTOR, STRING), -1, VECTOR, true);
        add(t, "sort_by_label_desc", List.of(VECTOR, STRING), -1, VECTOR, true);
        add(t, "info", List.of(VECTOR, VECTOR), 1, VECTOR, true);
        add(t, "start_timestamp", List.of(VECTOR), 0, VECTOR, true);
        add(t, "scalar", List.of(VECTOR), 0, SCALAR, false);
        add(t, "vector", List.of(SCALAR), 0, VECTOR, false);
        add(t, "pi", List.of(), 0, SCALAR, false);
        add(t, "time", List.of(), 0, SCALAR, false);
        // Query-context functions (promql-experimental-functions).
        for (String n : List.of("start", "end", "step", "range")) add(t, n, List.of(), 0, SCALAR, true);
        add(t, "max_of", List.of(SCALAR, SCALAR), 0, SCALAR, true);
        add(t, "min_of", List.of(SCALAR, SCALAR), 0, SCALAR, true);
        TABLE = Collections.unmodifiableMap(t);
    }

    private Functions() {}

    private static void add(Map<String, Function> t, String name, List<ValueType> args, int variadic,
                            ValueType ret, boolean experimental) {
        t.put(name, new Function(name, args, variadic, ret, experimental));
    }

    /** The function of that exact (case-sensitive) name. */
    public static Optional<Function> get(String name) { return Optional.ofNullable(TABLE.get(name)); }

    /** Every function, by name. */
    public static Map<String, Function> all() { return TABLE; }
}
