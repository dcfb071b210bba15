package io.mnemo.tsdb;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * An immutable label set, sorted by label name, with unique names. Stored as one flat array of
 * alternating names and values, so a series costs one array and its strings, not a map.
 */
public final class Labels implements Comparable<Labels> {
    public static final String METRIC_NAME = "__name__";
    public static final Labels EMPTY = new Labels(new String[0]);

    private final String[] kv; // name0, value0, name1, value1, ... sorted by name
    private int hash;

    private Labels(String[] kv) {
        this.kv = kv;
    }

    /** Builds from alternating names and values, in any order; the last value of a repeated name wins. */
    public static Labels of(String... nameValues) {
        if (nameValues.length % 2 != 0) throw new IllegalArgumentException("odd number of label strings");
        Builder b = new Builder();
        for (int i = 0; i < nameValues.length; i += 2) b.set(nameValues[i], nameValues[i + 1]);
        return b.build();
    }

    /**
     * Wraps an array already sorted by name with unique names and no empty values; the caller
     * hands the array over and must not change it afterwards.
     */
    public static Labels wrapSorted(String[] nameValues) {
        return new Labels(nameValues);
    }

    public int size() { return kv.length >> 1; }
    public boolean isEmpty() { return kv.length == 0; }
    public String name(int i) { return kv[i << 1]; }
    public String value(int i) { return kv[(i << 1) + 1]; }

    /** The value of a label, or "" when absent (Prometheus semantics: empty value = absent). */
    public String get(String name) {
        for (int i = 0; i < kv.length; i += 2) {
            int c = kv[i].compareTo(name);
            if (c == 0) return kv[i + 1];
            if (c > 0) break;
        }
        return "";
    }

    public boolean has(String name) { return !get(name).isEmpty(); }

    public String metricName() { return get(METRIC_NAME); }

    public Builder toBuilder() { return new Builder(this); }

    /** Labels without the metric name (what PromQL functions and operators return). */
    public Labels withoutMetricName() {
        if (kv.length == 0 || !has(METRIC_NAME)) return this;
        return toBuilder().remove(METRIC_NAME).build();
    }

    public List<String> names() {
        List<String> out = new ArrayList<>(size());
        for (int i = 0; i < kv.length; i += 2) out.add(kv[i]);
        return out;
    }

    @Override
    public int compareTo(Labels o) {
        int n = Math.min(kv.length, o.kv.length);
        for (int i = 0; i < n; i++) {
            int c = kv[i].compareTo(o.kv[i]);
            if (c != 0) return c;
        }
        return Integer.compare(kv.length, o.kv.length);
    }

    @Override
    public boolean equals(Object o) {
        return this == o || (o instanceof Labels l && Arrays.equals(kv, l.kv));
    }

    @Override
    public int hashCode() {
        int h = hash;
        if (h == 0) hash = h = Arrays.hashCode(kv);
        return h;
    }

    /** Prometheus's text form: {@code {__name__="up", job="x"}}. */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("{");
        for (int i = 0; i < kv.length; i += 2) {
            if (i > 0) sb.append(", ");
            sb.append(kv[i]).append("=\"");
            escape(sb, kv[i + 1]);
            sb.append('"');
        }
        return sb.append('}').toString();
    }

    static void escape(StringBuilder sb, String v) {
        for (int i = 0; i < v.length(); i++) {
            char c = v.charAt(i);
            switch (c) {
                case '\\' -> sb.append("\\\\");
                case '"' -> sb.append("\\\"");
                case '\n' -> sb.append("\\n");
                default -> sb.append(c);
            }
        }
    }

    /** Mutable builder; setting a label to "" removes it. */
    public static final class Builder {
        private final List<String> names = new ArrayList<>();
        private final List<String> values = new ArrayList<>();

        public Builder() {}

        Builder(Labels base) {
            for (int i = 0; i < base.kv.length; i += 2) {
                names.add(base.kv[i]);
                values.add(base.kv[i + 1]);
            }
        }

        public Builder set(String name, String value) {
            Objects.requireNonNull(name);
            int i = names.indexOf(name);
            if (value == null || value.isEmpty()) {
                if (i >= 0) { names.remove(i); values.remove(i); }
            } else if (i >= 0) {
                values.set(i, value);
            } else {
                names.add(name);
                values.add(value);
            }
            return this;
        }

        public Builder remove(String name) { return set(name, ""); }

        public Labels build() {
            int n = names.size();
            Integer[] order = new Integer[n];
            for (int i = 0; i < n; i++) order[i] = i;
            Arrays.sort(order, (a, b) -> names.get(a).compareTo(names.get(b)));
            String[] kv = new String[n * 2];
            for (int i = 0; i < n; i++) {
                kv[2 * i] = names.get(order[i]);
                kv[2 * i + 1] = values.get(order[i]);
            }
            return new Labels(kv);
        }
    }
}
