package io.mnemo.tsdb.index;

import java.util.Arrays;
import java.util.List;

/**
 * Set operations on postings lists: ascending arrays of unique series refs. Inputs are never
 * modified; a result may be one of the inputs, so treat results as read-only too.
 */
public final class Postings {
    public static final int[] EMPTY = new int[0];

    private Postings() {}

    /** Refs present in both lists. */
    public static int[] intersect(int[] a, int[] b) {
        if (a.length > b.length) { int[] s = a; a = b; b = s; }
        if (a.length == 0) return EMPTY;
        int[] out = new int[a.length];
        int n = 0;
        int j = 0;
        // Walk the shorter list and gallop through the longer one: cheap when sizes differ a lot.
        for (int i = 0; i < a.length && j < b.length; i++) {
            int v = a[i];
            if (b[j] < v) j = gallop(b, j, v);
            if (j < b.length && b[j] == v) out[n++] = v;
        }
        return n == out.length ? out : Arrays.copyOf(out, n);
    }

    /** Refs present in every list; all refs of the only list for one; empty for none. */
    public static int[] intersect(List<int[]> lists) {
        if (lists.isEmpty()) return EMPTY;
        int[][] sorted = lists.toArray(new int[0][]);
        Arrays.sort(sorted, (x, y) -> Integer.compare(x.length, y.length)); // smallest first
        int[] acc = sorted[0];
        for (int i = 1; i < sorted.length && acc.length > 0; i++) acc = intersect(acc, sorted[i]);
        return acc;
    }

    /** Refs present in any list. */
    public static int[] union(List<int[]> lists) {
        if (lists.isEmpty()) return EMPTY;
        if (lists.size() == 1) return lists.get(0);
        if (lists.size() == 2) return union(lists.get(0), lists.get(1));
        int total = 0;
        int min = Integer.MAX_VALUE;
        int max = Integer.MIN_VALUE;
        for (int[] l : lists) {
            if (l.length == 0) continue;
            total += l.length;
            min = Math.min(min, l[0]);
            max = Math.max(max, l[l.length - 1]);
        }
        if (total == 0) return EMPTY;
        long words = (((long) max - min) >>> 6) + 1;
        if (words <= 2L * total) return unionByBitmap(lists, min, (int) words);
        int[] all = new int[total];
        int n = 0;
        for (int[] l : lists) {
            System.arraycopy(l, 0, all, n, l.length);
            n += l.length;
        }
        Arrays.sort(all);
        return dedupe(all);
    }

    /**
     * Union of many lists of refs that are dense in [min, min + 64 * words): one bit per ref,
     * then the set bits in order. Linear in the refs and the range, where sorting them all
     * would be n log n (the many value lists of a regex matcher).
     */
    private static int[] unionByBitmap(List<int[]> lists, int min, int words) {
        long[] bits = new long[words];
        for (int[] l : lists) {
            for (int ref : l) {
                int off = ref - min;
                bits[off >>> 6] |= 1L << off; // shifts use the low 6 bits
            }
        }
        int n = 0;
        for (long w : bits) n += Long.bitCount(w);
        int[] out = new int[n];
        int k = 0;
        for (int i = 0; i < words; i++) {
            long w = bits[i];
            while (w != 0) {
                out[k++] = min + (i << 6) + Long.numberOfTrailingZeros(w);
                w &= w - 1;
            }
        }
        return out;
    }

    public static int[] union(int[] a, int[] b) {
        int[] out = new int[a.length + b.length];
        int i = 0, j = 0, n = 0;
        while (i < a.length && j < b.length) {
            int x = a[i], y = b[j];
            if (x < y) { out[n++] = x; i++; }
            else if (y < x) { out[n++] = y; j++; }
            else { out[n++] = x; i++; j++; }
        }
        while (i < a.length) out[n++] = a[i++];
        while (j < b.length) out[n++] = b[j++];
        return n == out.length ? out : Arrays.copyOf(out, n);
    }

    /** Refs of {@code a} that are not in {@code b}. */
    public static int[] subtract(int[] a, int[] b) {
        if (a.length == 0 || b.length == 0) return a;
        int[] out = new int[a.length];
        int n = 0;
        int j = 0;
        for (int v : a) {
            if (j < b.length && b[j] < v) j = gallop(b, j, v);
            if (j < b.length && b[j] == v) continue;
            out[n++] = v;
        }
        return n == out.length ? out : Arrays.copyOf(out, n);
    }

    /** Index of the first element at or after {@code from} that is >= v (or a.length). */
    private static int gallop(int[] a, int from, int v) {
        int step = 1;
        int lo = from;
        int hi = from + 1;
        while (hi < a.length && a[hi] < v) {
            lo = hi;
            step <<= 1;
            hi = from + step;
        }
        if (hi > a.length) hi = a.length;
        int i = Arrays.binarySearch(a, lo, hi, v);
        return i >= 0 ? i : -i - 1;
    }

    private static int[] dedupe(int[] sorted) {
        if (sorted.length < 2) return sorted;
        int n = 1;
        for (int i = 1; i < sorted.length; i++) {
            if (sorted[i] != sorted[n - 1]) sorted[n++] = sorted[i];
        }
        return n == sorted.length ? sorted : Arrays.copyOf(sorted, n);
    }
}
