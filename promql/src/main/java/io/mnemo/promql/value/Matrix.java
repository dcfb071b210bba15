package io.mnemo.promql.value;

import io.mnemo.tsdb.Labels;
import io.mnemo.tsdb.histogram.FloatHistogram;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;

/** A range vector: a list of series, each with its points as two primitive arrays. */
public final class Matrix implements Value {
    public static final Matrix EMPTY = new Matrix(List.of());

    private final List<Series> series;

    public Matrix(List<Series> series) {
        this.series = List.copyOf(series);
    }

    @Override
    public ValueType type() { return ValueType.MATRIX; }

    public List<Series> series() { return series; }
    public int size() { return series.size(); }
    public boolean isEmpty() { return series.isEmpty(); }
    public Series get(int i) { return series.get(i); }

    /** Total number of points over all series. */
    public long pointCount() {
        long n = 0;
        for (Series s : series) n += s.size();
        return n;
    }

    public Matrix sortedByLabels() {
        List<Series> copy = new ArrayList<>(series);
        copy.sort(Comparator.comparing(Series::labels));
        return new Matrix(copy);
    }

    @Override
    public boolean equals(Object o) {
        return this == o || (o instanceof Matrix m && m.series.equals(series));
    }

    @Override
    public int hashCode() { return series.hashCode(); }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder();
        for (Series s : series) {
            if (!sb.isEmpty()) sb.append('\n');
            sb.append(s);
        }
        return sb.toString();
    }

    /**
     * One series of a matrix: its labels and its points in timestamp order. The arrays are owned
     * by the series; {@link #timestamps()} and {@link #values()} hand out the arrays themselves
     * so that hot loops can read them without copying: callers must not change them.
     */
    public static final class Series {
        private final Labels labels;
        private final long[] timestamps;
        private final double[] values;
        /** Null when every point is a float. */
        private final FloatHistogram[] histograms;

        public Series(Labels labels, long[] timestamps, double[] values) {
            this(labels, timestamps, values, null);
        }

        /** @param histograms per point the native histogram, null for a float point; null when all are floats */
        public Series(Labels labels, long[] timestamps, double[] values, FloatHistogram[] histograms) {
            if (timestamps.length != values.length || (histograms != null && histograms.length != values.length)) {
                throw new IllegalArgumentException("timestamps and values differ in length");
            }
            this.labels = Objects.requireNonNull(labels);
            this.timestamps = timestamps;
            this.values = values;
            this.histograms = histograms;
        }

        public Labels labels() { return labels; }
        public int size() { return timestamps.length; }
        public long timestamp(int i) { return timestamps[i]; }
        public double value(int i) { return values[i]; }
        public long[] timestamps() { return timestamps; }
        public double[] values() { return values; }
        /** The native histogram of point i, or null when the point is a float. */
        public FloatHistogram histogram(int i) { return histograms == null ? null : histograms[i]; }
        public boolean hasHistograms() { return histograms != null; }

        @Override
        public boolean equals(Object o) {
            if (this == o) return true;
            if (!(o instanceof Series s)) return false;
            if (!labels.equals(s.labels) || !Arrays.equals(timestamps, s.timestamps)) return false;
            for (int i = 0; i < values.length; i++) if (!Objects.equals(histogram(i), s.histogram(i))) return false;
            for (int i = 0; i < values.length; i++) {
                if (Double.doubleToLongBits(values[i]) != Double.doubleToLongBits(s.values[i])) return false;
            }
            return true;
        }

        @Override
        public int hashCode() {
            return 31 * (31 * labels.hashCode() + Arrays.hashCode(timestamps)) + Arrays.hashCode(values);
        }

        @Override
        public String toString() {
            StringBuilder sb = new StringBuilder(labels.toString()).append(" =>");
            for (int i = 0; i < timestamps.length; i++) {
                Object value = histogram(i) != null ? histogram(i) : (Object) values[i];
                sb.append(' ').append(value).append(" @[").append(timestamps[i]).append(']');
            }
            return sb.toString();
        }
    }
}
