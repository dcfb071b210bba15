package io.mnemo.tsdb.head;

import io.mnemo.tsdb.Labels;

import java.util.Arrays;
import java.util.Comparator;

/**
 * A series' label set as the symbol ids of its names and values, in label order, each written
 * as an unsigned varint into one byte array: 8 labels of a typical series take 20 to 30 bytes
 * instead of 16 references. Ids of names and common values are small and take one byte.
 */
final class PackedLabels {
    private PackedLabels() {}

    /** Packs a label set, taking one use of each of its symbols. */
    static byte[] acquire(Labels labels, SymbolTable symbols) {
        byte[] out = new byte[labels.size() * 2 * 5];
        int n = 0;
        for (int i = 0; i < labels.size(); i++) {
            n = write(out, n, symbols.acquire(labels.name(i)));
            n = write(out, n, symbols.acquire(labels.value(i)));
        }
        return Arrays.copyOf(out, n);
    }

    /**
     * Writes symbol ids (name, value, ...) packed as {@link #acquire} packs them into {@code out},
     * grown if needed; returns the array written to. The packed length is {@link #packedLength}.
     */
    static byte[] pack(int[] ids, int count, byte[] out) {
        int n = 0;
        for (int i = 0; i < count; i++) n += size(ids[i]);
        if (out.length < n) out = new byte[Math.max(n, out.length * 2)];
        int pos = 0;
        for (int i = 0; i < count; i++) pos = write(out, pos, ids[i]);
        return out;
    }

    /** Bytes that {@link #pack} writes for these ids. */
    static int packedLength(int[] ids, int count) {
        int n = 0;
        for (int i = 0; i < count; i++) n += size(ids[i]);
        return n;
    }

    /** Gives back the uses {@link #acquire} took. */
    static void release(byte[] packed, SymbolTable symbols) {
        for (int pos = 0; pos < packed.length; ) {
            int id = read(packed, pos);
            pos += size(id);
            symbols.release(id);
        }
    }

    static Labels decode(byte[] packed, SymbolTable symbols) {
        String[] kv = new String[count(packed)];
        int k = 0;
        for (int pos = 0; pos < packed.length; ) {
            int id = read(packed, pos);
            pos += size(id);
            kv[k++] = symbols.symbol(id);
        }
        return Labels.wrapSorted(kv);
    }

    /** The label set of packed ids whose strings are {@code strings[id]} (ids copied out with them). */
    static Labels decode(byte[] packed, String[] strings) {
        String[] kv = new String[count(packed)];
        int k = 0;
        for (int pos = 0; pos < packed.length; ) {
            int id = read(packed, pos);
            pos += size(id);
            kv[k++] = strings[id];
        }
        return Labels.wrapSorted(kv);
    }

    /**
     * Orders packed sets as {@link Labels#compareTo} orders the sets they stand for; equal ids
     * are equal strings, so strings are compared only where ids differ.
     */
    static int compare(byte[] a, byte[] b, SymbolTable symbols) {
        return compare(a, b, symbols, Comparator.naturalOrder());
    }

    /** As {@link #compare(byte[], byte[], SymbolTable)}, strings ordered by {@code strings}. */
    static int compare(byte[] a, byte[] b, SymbolTable symbols, Comparator<String> strings) {
        int i = 0;
        int j = 0;
        while (i < a.length && j < b.length) {
            int x = read(a, i);
            int y = read(b, j);
            if (x != y) return strings.compare(symbols.symbol(x), symbols.symbol(y));
            i += size(x);
            j += size(y);
        }
        return Integer.compare(count(a), count(b)); // one is a prefix of the other
    }

    /** The symbol ids of a packed set: name, value, name, value... */
    static int[] ids(byte[] packed) {
        int[] out = new int[count(packed)];
        int k = 0;
        for (int pos = 0; pos < packed.length; ) {
            int id = read(packed, pos);
            pos += size(id);
            out[k++] = id;
        }
        return out;
    }

    /** Strings (names and values) in a packed set. */
    static int count(byte[] packed) {
        int n = 0;
        for (byte b : packed) if (b >= 0) n++; // a varint ends on a byte without the high bit
        return n;
    }

    private static int write(byte[] out, int pos, int v) {
        while ((v & ~0x7F) != 0) {
            out[pos++] = (byte) (v | 0x80);
            v >>>= 7;
        }
        out[pos++] = (byte) v;
        return pos;
    }

    static int read(byte[] in, int pos) {
        int v = 0;
        for (int shift = 0; ; shift += 7) {
            byte b = in[pos++];
            v |= (b & 0x7F) << shift;
            if (b >= 0) return v;
        }
    }

    static int size(int v) {
        return v < 1 << 7 ? 1 : v < 1 << 14 ? 2 : v < 1 << 21 ? 3 : v < 1 << 28 ? 4 : 5;
    }
}
