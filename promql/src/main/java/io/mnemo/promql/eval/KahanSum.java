package io.mnemo.promql.eval;

/**
 * Kahan-Babuska-Neumaier compensated summation, as Prometheus sums floats: the running sum and
 * its compensation are kept apart and only added at the end.
 */
final class KahanSum {
    double sum;
    double c;

    KahanSum() {}

    KahanSum(double sum, double c) {
        this.sum = sum;
        this.c = c;
    }

    void add(double inc) {
        double t = sum + inc;
        if (Double.isInfinite(t)) {
            c = 0;
        } else if (Math.abs(sum) >= Math.abs(inc)) {
            c += (sum - t) + inc;
        } else {
            c += (inc - t) + sum;
        }
        sum = t;
    }

    double value() { return sum + c; }
}
