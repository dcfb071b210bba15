package io.mnemo.promql.eval;

/** Go's math functions where Java's differ in special cases or are missing. */
final class GoMath {
    private GoMath() {}

    /** Go's {@code math.Pow}: 1 for {@code pow(1, y)} and {@code pow(-1, ±Inf)} whatever Java says. */
    static double pow(double x, double y) {
        if (y == 0 || x == 1) return 1;
        if (x == -1 && Double.isInfinite(y)) return 1;
        return Math.pow(x, y);
    }

    static double asinh(double x) {
        if (Double.isNaN(x) || Double.isInfinite(x) || x == 0) return x;
        double a = Math.abs(x);
        double r = a > 1e8 ? Math.log(a) + Math.log(2) : Math.log1p(a + a * a / (1 + Math.sqrt(1 + a * a)));
        return x < 0 ? -r : r;
    }

    static double acosh(double x) {
        if (x < 1 || Double.isNaN(x)) return Double.NaN;
        if (x == 1) return 0;
        if (x > 1e8) return Math.log(x) + Math.log(2);
        double t = x - 1;
        return Math.log1p(t + Math.sqrt(2 * t + t * t));
    }

    static double atanh(double x) {
        if (x < -1 || x > 1 || Double.isNaN(x)) return Double.NaN;
        if (x == 1) return Double.POSITIVE_INFINITY;
        if (x == -1) return Double.NEGATIVE_INFINITY;
        if (x == 0) return x;
        double a = Math.abs(x);
        double r = 0.5 * Math.log1p(2 * a / (1 - a));
        return x < 0 ? -r : r;
    }
}
