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
        if (size == a.length) a = Arrays.copyOf(a, a.length * 2);
        a[size++] = v;
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
        if (size == a.length) a = Arrays.copyOf(a, a.length * 2);
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
        return true;
    }

    /** A copy of exactly the elements. */
    public int[] toArray() { return Arrays.copyOf(a, size); }
}
