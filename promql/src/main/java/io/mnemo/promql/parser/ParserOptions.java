package io.mnemo.promql.parser;

/**
 * Switches for the parts of PromQL that Prometheus keeps behind feature flags.
 *
 * @param experimentalFunctions  functions and aggregations of {@code promql-experimental-functions}
 *                               (limitk, limit_ratio, mad_over_time, sort_by_label, info, ...)
 * @param durationExpressions    arithmetic, step(), range(), min_of(), max_of() in ranges and offsets
 *                               ({@code promql-duration-expr})
 * @param extendedRangeSelectors the {@code anchored} and {@code smoothed} modifiers
 * @param binopFillModifiers     {@code fill()}, {@code fill_left()}, {@code fill_right()} on binary operators
 */
public record ParserOptions(boolean experimentalFunctions, boolean durationExpressions,
                            boolean extendedRangeSelectors, boolean binopFillModifiers) {
    /** Stable PromQL only, as Prometheus without feature flags. */
    public static final ParserOptions DEFAULT = new ParserOptions(false, false, false, false);
    /** Everything enabled, as Prometheus's own PromQL test scripts run. */
    public static final ParserOptions ALL = new ParserOptions(true, true, true, true);
}
