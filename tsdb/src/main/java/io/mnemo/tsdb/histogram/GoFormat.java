package io.mnemo.tsdb.histogram;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;

/**
 * Go's {@code %g} of a float64, for the text form Prometheus gives histograms in messages and
 * test scripts. Kept here (not in promql's GoFloats) because histograms live below promql.
 */
final class GoFormat {
    private GoFormat() {}

    /** Go's {@code %g}: the shortest digits, in exponent form when the exponent is below -4 or at least 6. */
    static String formatG(double v) {
        return format(v, 6);
    }

    /** Go's {@code %v}: like {@code %g} with exponent form from an exponent of 21 on. */
    static String formatV(double v) {
        return format(v, 21);
    }

    /** Go's {@code %f}: six decimals. */
    static String formatF(double v) {
        if (Double.isNaN(v)) return "NaN";
        if (v == Double.POSITIVE_INFINITY) return "+Inf";
        if (v == Double.NEGATIVE_INFINITY) return "-Inf";
        return new BigDecimal(v).setScale(6, RoundingMode.HALF_EVEN).toPlainString();
    }

    private static String format(double v, int maxExponent) {
        if (Double.isNaN(v)) return "NaN";
        if (v == Double.POSITIVE_INFINITY) return "+Inf";
        if (v == Double.NEGATIVE_INFINITY) return "-Inf";
        if (v == 0) return (1 / v < 0) ? "-0" : "0";
        BigDecimal d = shortest(v);
        int exponent = d.precision() - d.scale() - 1;
        if (exponent >= -4 && exponent < maxExponent) return d.toPlainString();
        String digits = d.unscaledValue().abs().toString();
        StringBuilder sb = new StringBuilder();
        if (d.signum() < 0) sb.append('-');
        sb.append(digits.charAt(0));
        if (digits.length() > 1) sb.append('.').append(digits, 1, digits.length());
        sb.append('e').append(exponent < 0 ? '-' : '+');
        int abs = Math.abs(exponent);
        if (abs < 10) sb.append('0');
        return sb.append(abs).toString();
    }

    /** The decimal with the fewest significant digits that parses back to exactly {@code v}. */
    private static BigDecimal shortest(double v) {
        BigDecimal exact = new BigDecimal(v);
        for (int p = 1; p < 17; p++) {
            BigDecimal r = exact.round(new MathContext(p, RoundingMode.HALF_EVEN));
            if (r.doubleValue() == v) return r.stripTrailingZeros();
        }
        return exact.round(new MathContext(17, RoundingMode.HALF_EVEN)).stripTrailingZeros();
    }
}
