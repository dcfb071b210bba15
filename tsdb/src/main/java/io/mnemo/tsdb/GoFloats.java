package io.mnemo.tsdb;

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
        return exponentForm(d, exponent);
    }

    /**
     * Go's {@code %g} (and {@code %v}) of a float64: the shortest digits, in exponent form when the
     * exponent is below -4 or at least 6 ({@code 1e+06}, {@code 1.5e-07}), plain otherwise.
     */
    public static String formatG(double v) {
        String special = special(v);
        if (special != null) return special;
        if (v == 0) return (1 / v < 0) ? "-0" : "0";
        BigDecimal d = shortest(v);
        int exponent = d.precision() - d.scale() - 1;
        if (exponent >= -4 && exponent < 6) return d.toPlainString();
        return exponentForm(d, exponent);
    }

    /**
     * Go's {@code %.<precision>g}: rounded to that many significant digits, trailing zeros dropped,
     * in exponent form when the exponent is below -4 or at least the precision.
     */
    public static String formatG(double v, int precision) {
        String special = special(v);
        if (special != null) return special;
        if (v == 0) return (1 / v < 0) ? "-0" : "0";
        BigDecimal d = new BigDecimal(v).round(new MathContext(precision, RoundingMode.HALF_EVEN)).stripTrailingZeros();
        int digits = d.precision();
        int exponent = d.precision() - d.scale() - 1;
        int eprec = precision;
        if (eprec > digits && digits >= exponent + 1) eprec = digits;
        if (exponent >= -4 && exponent < eprec) return d.toPlainString();
        return exponentForm(d, exponent);
    }

    /** OpenMetrics' float text: Go's {@code %g}, with ".0" added when it has neither '.' nor 'e'. */
    public static String formatOpenMetrics(double v) {
        String s = formatG(v);
        if (Double.isNaN(v) || Double.isInfinite(v) || s.contains(".") || s.contains("e")) return s;
        return s + ".0";
    }

    /**
     * Go's {@code strconv.ParseFloat(s, 64)}: decimal or hexadecimal floats, {@code Inf},
     * {@code Infinity} and {@code NaN} in any case, with an optional sign.
     *
     * @throws NumberFormatException when the text is not such a number
     */
    public static double parseFloat(String s) {
        String body = s;
        boolean negative = false;
        if (!body.isEmpty() && (body.charAt(0) == '+' || body.charAt(0) == '-')) {
            negative = body.charAt(0) == '-';
            body = body.substring(1);
        }
        String lower = body.toLowerCase(java.util.Locale.ROOT);
        if (lower.equals("inf") || lower.equals("infinity")) return negative ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY;
        if (lower.equals("nan")) return Double.NaN;
        boolean decimal = lower.matches("(\\d+\\.?\\d*|\\.\\d+)(e[+-]?\\d+)?");
        boolean hex = lower.matches("0x([0-9a-f]+\\.?[0-9a-f]*|\\.[0-9a-f]+)p[+-]?\\d+");
        if (!decimal && !hex) throw new NumberFormatException("invalid syntax: " + s);
        double v = Double.parseDouble(body);
        return negative ? -v : v;
    }

    /** Go's {@code %f}: six decimals, with Go's spelling of infinities and NaN. */
    public static String formatFixed6(double v) {
        String special = special(v);
        if (special != null) return special;
        return new BigDecimal(v).setScale(6, RoundingMode.HALF_EVEN).toPlainString();
    }

    /** Go's exponent form of a decimal: its digits as d.ddd, then e, a sign and at least two exponent digits. */
    private static String exponentForm(BigDecimal d, int exponent) {
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
