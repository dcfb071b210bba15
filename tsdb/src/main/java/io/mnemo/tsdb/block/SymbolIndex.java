package io.mnemo.tsdb.block;

import java.util.Arrays;

/**
 * The symbols of a block being written: first a set that collects the label names and values of
 * the series going into the block, then, once {@link #freeze frozen} into Prometheus's sorted
 * order, a map from each symbol to its number in the symbol table. Open addressing over two
 * arrays: about 16 bytes a symbol instead of a HashMap's entry and boxed Integer.
 */
public final class SymbolIndex {
    private String[] keys = new String[1024];
    private int[] ids;
    private int size;
    private String[] sorted;

    /** Adds a symbol; no-op if present. Only before {@link #freeze}. */
    public void add(String s) {
        if (sorted != null) throw new IllegalStateException("symbols are frozen");
        int i = slot(s);
        if (keys[i] != null) return;
        keys[i] = s;
        if (++size * 2 > keys.length) grow();
    }

    public int size() { return size; }

    /** Sorts the symbols in UTF-8 byte order and numbers them; returns them in that order. */
    public String[] freeze() {
        if (sorted != null) return sorted;
        String[] out = new String[size];
        int n = 0;
        for (String k : keys) if (k != null) out[n++] = k;
        Arrays.sort(out, Utf8Order.STRINGS);
        ids = new int[keys.length];
        for (int i = 0; i < out.length; i++) ids[slot(out[i])] = i;
        sorted = out;
        return out;
    }

    /** The number of a symbol in the sorted table; -1 if unknown. Only after {@link #freeze}. */
    public int id(String s) {
        int i = slot(s);
        return keys[i] == null ? -1 : ids[i];
    }

    private int slot(String s) {
        int mask = keys.length - 1;
        int i = mix(s.hashCode()) & mask;
        while (keys[i] != null && !keys[i].equals(s)) i = (i + 1) & mask;
        return i;
    }

    private void grow() {
        String[] old = keys;
        keys = new String[old.length * 2];
        for (String k : old) if (k != null) keys[slot(k)] = k;
    }

    private static int mix(int h) {
        h *= 0x9E3779B9;
        return h ^ (h >>> 16);
    }
}
