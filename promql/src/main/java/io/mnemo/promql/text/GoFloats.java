package io.mnemo.promql.text;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;

/**
 * Go's float formatting, which Prometheus uses when it prints numbers in queries and messages:
 * the shortest decimal that reads back as the same double.
 */
public final class GoFloats {
    private GoFloats() {}

    /** {@code strconv.FormatFloat(v, 'f', -1, 64)}: never an exponent ({@code 1e-7} is 0.0000001). */
    public static String formatPlain(double v) {
        String special = special(v);
        if (special != null) return special;
        if (v == 0) return (1 / v < 0) ? "-0" : "0";
        return shortest(v).toPlainString();
    }

    /** Go's {@code %v}: plain for exponents in [-4, 21), otherwise {@code 1e+21}, {@code 1.5e-07}. */
    public static String formatV(double v) {
        String special = special(v);
        if (special != null) return special;
        if (v == 0) return (1 / v < 0) ? "-0" : "0";
        BigDecimal d = shortest(v);
        int exponent = d.precision() - d.scale() - 1;
        if (exponent >= -4 && exponent < 21) return d.toPlainString();
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

    /** Go's {@code %f}: six decimals, with Go's spelling of infinities and NaN. */
    public static String formatFixed6(double v) {
        String special = special(v);
        if (special != null) return special;
        return new BigDecimal(v).setScale(6, RoundingMode.HALF_EVEN).toPlainString();
    }

    private static String special(double v) {
        if (Double.isNaN(v)) return "NaN";
        if (v == Double.POSITIVE_INFINITY) return "+Inf";
        if (v == Double.NEGATIVE_INFINITY) return "-Inf";
        return null;
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
