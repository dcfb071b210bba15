package io.mnemo.promql.eval;

import io.mnemo.tsdb.Labels;
import io.mnemo.tsdb.histogram.FloatHistogram;

import java.util.Arrays;

/**
 * One series of an evaluated instant-vector or scalar expression: a point at some of the
 * evaluation steps, in time order, as parallel primitive arrays. A point is a float unless its
 * histogram slot is set. {@code dropName} marks a series whose metric name is removed when the
 * query finishes (delayed name removal).
 */
public final class StepSeries {
    /** Most points an array can hold. */
    static final int MAX_CAPACITY = Integer.MAX_VALUE - 8;

    Labels labels;
    boolean dropName;
    long[] t;
    double[] f;
    /** Null until the first histogram point. */
    FloatHistogram[] h;
    int size;
    /** Read position while the steps are walked in order. */
    int cursor;

    /** @param capacity the most points expected; only a first part of it is allocated up front */
    StepSeries(Labels labels, boolean dropName, long capacity) {
        this.labels = labels;
        this.dropName = dropName;
        int cap = (int) Math.max(1, Math.min(capacity, 4096));
        t = new long[cap];
        f = new double[cap];
    }

    public Labels labels() { return labels; }
    public boolean dropName() { return dropName; }
    public int size() { return size; }
    public long timestamp(int i) { return t[i]; }
    public double value(int i) { return f[i]; }
    /** The histogram of point i, or null for a float point. */
    public FloatHistogram histogram(int i) { return h == null ? null : h[i]; }

    void add(long ts, double v, FloatHistogram hv) {
        if (size == t.length) grow();
        t[size] = ts;
        f[size] = v;
        if (hv != null) {
            if (h == null) h = new FloatHistogram[t.length];
            h[size] = hv;
        } else if (h != null) {
            h[size] = null;
        }
        size++;
    }

    private void grow() {
        if (t.length == MAX_CAPACITY) throw QueryContext.tooManySamples();
        int cap = (int) Math.min(t.length * 2L, MAX_CAPACITY);
        t = Arrays.copyOf(t, cap);
        f = Arrays.copyOf(f, cap);
        if (h != null) h = Arrays.copyOf(h, cap);
    }

    /** Whether the next unread point is at ts. */
    boolean hasPointAt(long ts) { return cursor < size && t[cursor] == ts; }

    /** Number of points, counting a histogram as its size in samples like Prometheus's limits do. */
    long sampleCount() {
        if (h == null) return size;
        long n = 0;
        for (int i = 0; i < size; i++) n += h[i] == null ? 1 : h[i].sampleSize();
        return n;
    }
}
