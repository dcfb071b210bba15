package io.mnemo.promql.eval;

import java.util.Arrays;

/** The φ-quantile of a set of values, as the quantile aggregation and quantile_over_time compute it. */
final class Quantiles {
    private Quantiles() {}

    /**
     * Sorts the first n values (NaN first) and interpolates linearly between the two closest
     * ranks. NaN for no values or a NaN q; -Inf for q &lt; 0, +Inf for q &gt; 1.
     */
    static double quantile(double q, double[] values, int n) {
        if (n == 0 || Double.isNaN(q)) return Double.NaN;
        if (q < 0) return Double.NEGATIVE_INFINITY;
        if (q > 1) return Double.POSITIVE_INFINITY;
        sortNaNFirst(values, n);
        double rank = q * (n - 1);
        double lower = Math.max(0, Math.floor(rank));
        double upper = Math.min(n - 1, lower + 1);
        double weight = rank - Math.floor(rank);
        return values[(int) lower] * (1 - weight) + values[(int) upper] * weight;
    }

    /** Sorts ascending with NaNs before all numbers, as Prometheus's value heap orders them. */
    static void sortNaNFirst(double[] values, int n) {
        int nans = 0;
        for (int i = 0; i < n; i++) {
            if (Double.isNaN(values[i])) {
                values[i] = values[nans];
                values[nans++] = Double.NaN;
            }
        }
        Arrays.sort(values, nans, n);
    }
}
