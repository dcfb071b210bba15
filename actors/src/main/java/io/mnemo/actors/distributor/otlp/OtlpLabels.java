package io.mnemo.actors.distributor.otlp;

import io.mnemo.actors.wire.ProtobufWriter;
import java.util.Arrays;

/**
 * The labels of one series being translated, as byte ranges (names and values are UTF-8, mostly
 * ranges of the request itself, so a data point's labels cost no objects): {@link #merge} joins
 * the values of attributes whose names collide once translated with ";" (Prometheus's rule;
 * attributes are merged in order of their original names), {@link #put} overrides. Written sorted
 * by name (byte order), without empty values, as remote write's {@code Label}s. Reused from series
 * to series. Not thread-safe.
 */
final class OtlpLabels {
    private byte[][] nameArr = new byte[16][];
    private int[] nameOff = new int[16], nameLen = new int[16];
    private byte[][] valueArr = new byte[16][];
    private int[] valueOff = new int[16], valueLen = new int[16];
    private int[] order = new int[16];
    private int size;

    void clear() {
        size = 0;
    }

    int size() { return size; }

    /** Whether a label of that name is there. */
    boolean has(byte[] name) {
        return indexOf(name, 0, name.length) >= 0;
    }

    /** Adds the label, or appends ";" and the value to the one of that name (a new array: collisions are rare). */
    void merge(byte[] name, byte[] value, int valueOffset, int valueLength) {
        int i = indexOf(name, 0, name.length);
        if (i < 0) {
            append(name, 0, name.length, value, valueOffset, valueLength);
            return;
        }
        byte[] joined = new byte[valueLen[i] + 1 + valueLength];
        System.arraycopy(valueArr[i], valueOff[i], joined, 0, valueLen[i]);
        joined[valueLen[i]] = ';';
        System.arraycopy(value, valueOffset, joined, valueLen[i] + 1, valueLength);
        valueArr[i] = joined;
        valueOff[i] = 0;
        valueLen[i] = joined.length;
    }

    /** Sets the label, replacing one of that name. */
    void put(byte[] name, byte[] value) {
        int i = indexOf(name, 0, name.length);
        if (i < 0) {
            append(name, 0, name.length, value, 0, value.length);
        } else {
            valueArr[i] = value;
            valueOff[i] = 0;
            valueLen[i] = value.length;
        }
    }

    /** Adds the label unless one of that name is there. */
    void putIfAbsent(byte[] name, byte[] value) {
        if (indexOf(name, 0, name.length) < 0) append(name, 0, name.length, value, 0, value.length);
    }

    /** Sets the label from {@code other}'s label i, replacing ({@code override}) or not one of that name. */
    void copy(OtlpLabels other, int i, boolean override) {
        int at = indexOf(other.nameArr[i], other.nameOff[i], other.nameLen[i]);
        if (at < 0) {
            append(other.nameArr[i], other.nameOff[i], other.nameLen[i], other.valueArr[i], other.valueOff[i], other.valueLen[i]);
        } else if (override) {
            valueArr[at] = other.valueArr[i];
            valueOff[at] = other.valueOff[i];
            valueLen[at] = other.valueLen[i];
        }
    }

    /** Label i's name equals {@code name}. */
    boolean nameIs(int i, byte[] name) {
        return Arrays.equals(nameArr[i], nameOff[i], nameOff[i] + nameLen[i], name, 0, name.length);
    }

    /** Writes the labels as TimeSeries.labels (field 1), sorted by name, skipping empty values. */
    void write(ProtobufWriter out) {
        for (int k = 0; k < size; k++) { // insertion sort: a series has a few labels
            int i = k;
            while (i > 0 && compareNames(order[i - 1], k) > 0) i--;
            System.arraycopy(order, i, order, i + 1, k - i);
            order[i] = k;
        }
        for (int k = 0; k < size; k++) {
            int i = order[k];
            if (valueLen[i] == 0) continue;
            int m = out.beginMessage(1);
            out.bytesField(1, nameArr[i], nameOff[i], nameLen[i]);
            out.bytesField(2, valueArr[i], valueOff[i], valueLen[i]);
            out.endMessage(m);
        }
    }

    private int compareNames(int a, int b) {
        return Arrays.compareUnsigned(nameArr[a], nameOff[a], nameOff[a] + nameLen[a], nameArr[b], nameOff[b], nameOff[b] + nameLen[b]);
    }

    private int indexOf(byte[] name, int off, int len) {
        for (int i = 0; i < size; i++) {
            if (nameLen[i] == len && Arrays.equals(nameArr[i], nameOff[i], nameOff[i] + len, name, off, off + len)) return i;
        }
        return -1;
    }

    private void append(byte[] name, int nOff, int nLen, byte[] value, int vOff, int vLen) {
        if (size == nameArr.length) {
            int n = size * 2;
            nameArr = Arrays.copyOf(nameArr, n);
            nameOff = Arrays.copyOf(nameOff, n);
            nameLen = Arrays.copyOf(nameLen, n);
            valueArr = Arrays.copyOf(valueArr, n);
            valueOff = Arrays.copyOf(valueOff, n);
            valueLen = Arrays.copyOf(valueLen, n);
            order = Arrays.copyOf(order, n);
        }
        nameArr[size] = name;
        nameOff[size] = nOff;
        nameLen[size] = nLen;
        valueArr[size] = value;
        valueOff[size] = vOff;
        valueLen[size] = vLen;
        size++;
    }
}
