package io.mnemo.promql.eval;

import io.mnemo.tsdb.Labels;
import io.mnemo.tsdb.histogram.FloatHistogram;

import java.util.Arrays;

/**
 * The samples of an instant vector at one evaluation step, as parallel arrays reused from step
 * to step. {@code sig} carries a per-series number for the operation at hand (the series' match
 * signature in binary operations, its group in aggregations).
 */
final class StepVector {
    int size;
    Labels[] labels;
    double[] f;
    FloatHistogram[] h;
    boolean[] dropName;
    int[] sig;
    /** Index of the sample's series in the input it was gathered from. */
    int[] src;

    StepVector(int capacity) {
        int cap = Math.max(capacity, 4);
        labels = new Labels[cap];
        f = new double[cap];
        h = new FloatHistogram[cap];
        dropName = new boolean[cap];
        sig = new int[cap];
        src = new int[cap];
    }

    /** Empties the vector; the references left in the arrays are overwritten by the next samples. */
    void clear() {
        size = 0;
    }

    int add(Labels l, double v, FloatHistogram hv, boolean drop) {
        if (size == labels.length) {
            int cap = size * 2;
            labels = Arrays.copyOf(labels, cap);
            f = Arrays.copyOf(f, cap);
            h = Arrays.copyOf(h, cap);
            dropName = Arrays.copyOf(dropName, cap);
            sig = Arrays.copyOf(sig, cap);
            src = Arrays.copyOf(src, cap);
        }
        labels[size] = l;
        f[size] = v;
        h[size] = hv;
        dropName[size] = drop;
        sig[size] = 0;
        src[size] = -1;
        return size++;
    }

    /** Appends sample i of another vector. */
    int addFrom(StepVector o, int i) {
        int j = add(o.labels[i], o.f[i], o.h[i], o.dropName[i]);
        sig[j] = o.sig[i];
        src[j] = o.src[i];
        return j;
    }

    boolean isEmpty() { return size == 0; }
}
