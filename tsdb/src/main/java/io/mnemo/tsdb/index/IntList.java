package io.mnemo.tsdb.index;

import java.util.Arrays;

/** A growable list of ints in one array: postings without boxing. */
public final class IntList {
    private int[] a;
    private int size;

    public IntList() { this(4); }

    public IntList(int capacity) { a = new int[Math.max(1, capacity)]; }

    public int size() { return size; }

    public int get(int i) {
        if (i >= size) throw new IndexOutOfBoundsException(i + " >= " + size);
        return a[i];
    }

    public void add(int v) {
        if (size == a.length) grow();
        a[size++] = v;
    }

    /** By half: millions of postings lists, most never filled up again. */
    private void grow() {
        a = Arrays.copyOf(a, a.length + (a.length >> 1) + 1);
    }

    /**
     * Adds keeping ascending order without duplicates; O(1) when refs arrive in increasing
     * order, as new series refs do.
     */
    public void addSorted(int v) {
        if (size == 0 || a[size - 1] < v) {
            add(v);
            return;
        }
        int i = Arrays.binarySearch(a, 0, size, v);
        if (i >= 0) return;
        i = -i - 1;
        if (size == a.length) grow();
        System.arraycopy(a, i, a, i + 1, size - i);
        a[i] = v;
        size++;
    }

    /** Removes a value from a sorted list; false if absent. */
    public boolean removeSorted(int v) {
        int i = Arrays.binarySearch(a, 0, size, v);
        if (i < 0) return false;
        System.arraycopy(a, i + 1, a, i, size - i - 1);
        size--;
        shrinkIfSparse();
        return true;
    }

    /** Removes every value of {@code sorted} (ascending) the list holds. Keeps the order. */
    public void removeAll(int[] sorted) {
        int n = 0;
        int from = 0;
        for (int i = 0; i < size; i++) {
            int v = a[i];
            int j = Arrays.binarySearch(sorted, from, sorted.length, v);
            if (j >= 0) {
                from = j + 1;
                continue;
            }
            from = -j - 1;
            a[n++] = v;
        }
        size = n;
        shrinkIfSparse();
    }

    /**
     * Removes every value whose bit is set in {@code bits}, where bit {@code i} stands for the
     * value {@code base + i}; values outside the bitmap stay. Keeps the order.
     */
    public void removeAll(long[] bits, int base) {
        long limit = (long) bits.length << 6;
        int n = 0;
        for (int i = 0; i < size; i++) {
            int v = a[i];
            long off = (long) v - base;
            if (off >= 0 && off < limit && (bits[(int) (off >>> 6)] & (1L << off)) != 0) continue;
            a[n++] = v;
        }
        size = n;
        shrinkIfSparse();
    }

    /** Gives memory back once three quarters of the array are unused. */
    private void shrinkIfSparse() {
        if (a.length > 8 && size < a.length >> 2) a = Arrays.copyOf(a, Math.max(4, size + (size >> 1)));
    }

    /** A copy of exactly the elements. */
    public int[] toArray() { return Arrays.copyOf(a, size); }
}
