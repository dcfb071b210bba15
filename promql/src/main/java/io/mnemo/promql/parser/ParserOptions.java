package io.mnemo.promql.parser;

/**
 * Switches for the parts of PromQL that Prometheus keeps behind feature flags, and the deepest
 * nesting the parser accepts.
 *
 * @param experimentalFunctions  functions and aggregations of {@code promql-experimental-functions}
 *                               (limitk, limit_ratio, mad_over_time, sort_by_label, info, ...)
 * @param durationExpressions    arithmetic, step(), range(), min_of(), max_of() in ranges and offsets
 *                               ({@code promql-duration-expr})
 * @param extendedRangeSelectors the {@code anchored} and {@code smoothed} modifiers
 * @param binopFillModifiers     {@code fill()}, {@code fill_left()}, {@code fill_right()} on binary operators
 * @param maxDepth               deepest expression accepted, in nodes from the root to the deepest leaf
 *                               (a chain of n binary operators is n deep); deeper is a parse error.
 *                               Prometheus has no such limit; every recursive walk of a tree (type
 *                               check, printing, evaluation) is bounded by it, so a query thread with
 *                               {@link io.mnemo.promql.Engine#threadStackSize(int)} bytes of stack
 *                               cannot overflow
 */
public record ParserOptions(boolean experimentalFunctions, boolean durationExpressions,
                            boolean extendedRangeSelectors, boolean binopFillModifiers, int maxDepth) {
    /** Mnemo's default of {@code mnemo.querier.max-expression-depth}. */
    public static final int DEFAULT_MAX_DEPTH = 1000;
    /** Stable PromQL only, as Prometheus without feature flags. */
    public static final ParserOptions DEFAULT = new ParserOptions(false, false, false, false, DEFAULT_MAX_DEPTH);
    /** Everything enabled, as Prometheus's own PromQL test scripts run. */
    public static final ParserOptions ALL = new ParserOptions(true, true, true, true, DEFAULT_MAX_DEPTH);

    public ParserOptions {
        if (maxDepth <= 0) throw new IllegalArgumentException("max expression depth must be positive");
    }

    public ParserOptions withMaxDepth(int depth) {
        return new ParserOptions(experimentalFunctions, durationExpressions, extendedRangeSelectors, binopFillModifiers,
                depth);
    }
}
