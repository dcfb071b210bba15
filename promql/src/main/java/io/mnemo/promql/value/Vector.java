package io.mnemo.promql.value;

import io.mnemo.tsdb.Labels;
import io.mnemo.tsdb.histogram.FloatHistogram;

import java.util.Arrays;
import java.util.Objects;

/**
 * An instant vector: one sample per series, all at the evaluation timestamp. Stored as parallel
 * arrays so that a result of many series costs three arrays, not an object per sample.
 */
public final class Vector implements Value {
    public static final Vector EMPTY = new Vector(new Labels[0], new long[0], new double[0], null, 0);

    private final Labels[] labels;
    private final long[] timestamps;
    private final double[] values;
    /** Null when every sample is a float. */
    private final FloatHistogram[] histograms;
    private final int size;

    private Vector(Labels[] labels, long[] timestamps, double[] values, FloatHistogram[] histograms, int size) {
        this.labels = labels;
        this.timestamps = timestamps;
        this.values = values;
        this.histograms = histograms;
        this.size = size;
    }

    public static Builder builder(int expectedSize) { return new Builder(expectedSize); }

    @Override
    public ValueType type() { return ValueType.VECTOR; }

    public int size() { return size; }
    public boolean isEmpty() { return size == 0; }
    public Labels labels(int i) { return labels[Objects.checkIndex(i, size)]; }
    public long timestamp(int i) { return timestamps[Objects.checkIndex(i, size)]; }
    public double value(int i) { return values[Objects.checkIndex(i, size)]; }
    /** The native histogram of sample i, or null when the sample is a float. */
    public FloatHistogram histogram(int i) {
        Objects.checkIndex(i, size);
        return histograms == null ? null : histograms[i];
    }

    /** A copy ordered by labels (Prometheus orders API results this way when no sort was asked for). */
    public Vector sortedByLabels() {
        Integer[] order = new Integer[size];
        for (int i = 0; i < size; i++) order[i] = i;
        Arrays.sort(order, (a, b) -> labels[a].compareTo(labels[b]));
        Builder b = new Builder(size);
        for (int i : order) b.add(labels[i], timestamps[i], values[i], histograms == null ? null : histograms[i]);
        return b.build();
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) return true;
        if (!(o instanceof Vector v) || v.size != size) return false;
        for (int i = 0; i < size; i++) {
            if (!labels[i].equals(v.labels[i]) || timestamps[i] != v.timestamps[i]
                    || Double.doubleToLongBits(values[i]) != Double.doubleToLongBits(v.values[i])
                    || !Objects.equals(histogram(i), v.histogram(i))) return false;
        }
        return true;
    }

    @Override
    public int hashCode() {
        int h = size;
        for (int i = 0; i < size; i++) {
            h = 31 * h + labels[i].hashCode();
            h = 31 * h + Long.hashCode(timestamps[i]);
            h = 31 * h + Double.hashCode(values[i]);
        }
        return h;
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < size; i++) {
            if (i > 0) sb.append('\n');
            Object value = histogram(i) != null ? histogram(i) : (Object) values[i];
            sb.append(labels[i]).append(" => ").append(value).append(" @[").append(timestamps[i]).append(']');
        }
        return sb.toString();
    }

    /** Collects samples; grows its arrays geometrically. */
    public static final class Builder {
        private Labels[] labels;
        private long[] timestamps;
        private double[] values;
        private FloatHistogram[] histograms;
        private int size;

        private Builder(int expectedSize) {
            int cap = Math.max(expectedSize, 4);
            labels = new Labels[cap];
            timestamps = new long[cap];
            values = new double[cap];
        }

        public Builder add(Labels series, long timestamp, double value) {
            return add(series, timestamp, value, null);
        }

        /** Adds a sample; a non-null histogram makes it a histogram sample (the value is then ignored). */
        public Builder add(Labels series, long timestamp, double value, FloatHistogram histogram) {
            if (size == labels.length) {
                int cap = size * 2;
                labels = Arrays.copyOf(labels, cap);
                timestamps = Arrays.copyOf(timestamps, cap);
                values = Arrays.copyOf(values, cap);
                if (histograms != null) histograms = Arrays.copyOf(histograms, cap);
            }
            labels[size] = Objects.requireNonNull(series);
            timestamps[size] = timestamp;
            values[size] = value;
            if (histogram != null && histograms == null) histograms = new FloatHistogram[labels.length];
            if (histograms != null) histograms[size] = histogram;
            size++;
            return this;
        }

        public int size() { return size; }

        public Vector build() {
            if (size == 0) return EMPTY;
            return new Vector(Arrays.copyOf(labels, size), Arrays.copyOf(timestamps, size),
                    Arrays.copyOf(values, size), histograms == null ? null : Arrays.copyOf(histograms, size), size);
        }
    }
}
