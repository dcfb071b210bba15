package io.mnemo.actors.distributor.otlp;

import io.mnemo.actors.wire.ProtobufWriter;
import java.util.Arrays;

/**
 * The labels of one series being translated, by name: {@link #merge} joins the values of
 * attributes whose names collide once translated with ";" (Prometheus's rule; attributes are
 * merged in order of their original names), {@link #put} overrides. Written sorted by name,
 * without empty values, as remote write's {@code Label}s. Reused from series to series.
 */
final class OtlpLabels {
    private String[] names = new String[16];
    private String[] values = new String[16];
    private int size;
    private Integer[] order = new Integer[16];

    void clear() {
        size = 0;
    }

    int size() { return size; }

    String name(int i) { return names[i]; }

    String value(int i) { return values[i]; }

    String get(String name) {
        int i = indexOf(name);
        return i < 0 ? null : values[i];
    }

    /** Adds the label, or appends ";" and the value to the one of that name. */
    void merge(String name, String value) {
        int i = indexOf(name);
        if (i >= 0) values[i] = values[i] + ";" + value;
        else append(name, value);
    }

    /** Adds the label unless one of that name is there. */
    void putIfAbsent(String name, String value) {
        if (indexOf(name) < 0) append(name, value);
    }

    /** Sets the label, replacing one of that name. */
    void put(String name, String value) {
        int i = indexOf(name);
        if (i >= 0) values[i] = value;
        else append(name, value);
    }

    void putAll(OtlpLabels other) {
        for (int i = 0; i < other.size; i++) put(other.names[i], other.values[i]);
    }

    /** Writes the labels as TimeSeries.labels (field 1), sorted by name, skipping empty values. */
    void write(ProtobufWriter out) {
        if (order.length < size) order = new Integer[names.length];
        for (int i = 0; i < size; i++) order[i] = i;
        Arrays.sort(order, 0, size, (a, b) -> names[a].compareTo(names[b]));
        for (int k = 0; k < size; k++) {
            int i = order[k];
            if (values[i].isEmpty()) continue;
            int m = out.beginMessage(1);
            out.stringField(1, names[i]);
            out.stringField(2, values[i]);
            out.endMessage(m);
        }
    }

    private int indexOf(String name) {
        for (int i = 0; i < size; i++) if (names[i].equals(name)) return i;
        return -1;
    }

    private void append(String name, String value) {
        if (size == names.length) {
            names = Arrays.copyOf(names, size * 2);
            values = Arrays.copyOf(values, size * 2);
        }
        names[size] = name;
        values[size++] = value;
    }
}
