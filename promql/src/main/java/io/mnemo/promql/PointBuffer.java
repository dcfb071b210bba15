package io.mnemo.promql;

import io.mnemo.promql.value.Matrix;
import io.mnemo.tsdb.Labels;

import java.util.Arrays;

/** Collects the points of one series in two growing primitive arrays. */
final class PointBuffer {
    private long[] timestamps;
    private double[] values;
    private int size;

    PointBuffer(int expected) {
        int cap = Math.max(1, Math.min(expected, 1024));
        timestamps = new long[cap];
        values = new double[cap];
    }

    void add(long t, double v) {
        if (size == timestamps.length) {
            int cap = size * 2;
            timestamps = Arrays.copyOf(timestamps, cap);
            values = Arrays.copyOf(values, cap);
        }
        timestamps[size] = t;
        values[size] = v;
        size++;
    }

    int size() { return size; }

    void clear() { size = 0; }

    Matrix.Series toSeries(Labels labels) {
        return new Matrix.Series(labels, Arrays.copyOf(timestamps, size), Arrays.copyOf(values, size));
    }
}
