package io.mnemo.tsdb.head;

import io.mnemo.tsdb.Labels;
import java.util.Arrays;

/**
 * Orders selected head series by their labels, as {@link Labels#compareTo} orders them, from
 * what a select copied out of the head (packed symbol ids and their strings), outside the head's
 * lock and without an object per series. A few are compared string by string where their ids
 * differ. Many are first given integer keys: the distinct symbols of the selection are sorted
 * once and each replaced by its rank, after which comparing two series is comparing two runs of
 * one int array, instead of comparing strings a hundred thousand times for 10,000 series.
 */
final class LabelOrder {
    /** Below this many series, ranking the symbols costs more than it saves. */
    static final int RANKED_FROM = 256;

    private LabelOrder() {}

    /** Compares two of the positions being sorted. */
    private interface IndexComparator {
        int compare(int a, int b);
    }

    /**
     * The order of series 0..n-1, given their label sets packed ({@link PackedLabels}) as symbol
     * ids whose strings are {@code strings[id]}.
     */
    static int[] order(byte[][] packed, int n, String[] strings) {
        int[] order = new int[n];
        for (int i = 0; i < n; i++) order[i] = i;
        if (n < RANKED_FROM) {
            sort(order, (a, b) -> compare(packed[a], packed[b], strings));
            return order;
        }
        // The distinct symbol ids of the selection, each once, ranked by their strings.
        int[] rank = new int[strings.length];
        int[] distinctIds = new int[64];
        int distinct = 0;
        int total = 0;
        for (int i = 0; i < n; i++) {
            byte[] p = packed[i];
            for (int pos = 0; pos < p.length; ) {
                int id = PackedLabels.read(p, pos);
                pos += PackedLabels.size(id);
                total++;
                if (rank[id] != 0) continue;
                rank[id] = -1;
                if (distinct == distinctIds.length) distinctIds = Arrays.copyOf(distinctIds, distinct * 2);
                distinctIds[distinct++] = id;
            }
        }
        int[] bySymbol = Arrays.copyOf(distinctIds, distinct);
        sort(bySymbol, (a, b) -> strings[a].compareTo(strings[b]));
        for (int r = 0; r < distinct; r++) rank[bySymbol[r]] = r;
        // Keys: each series' ids as ranks, one run of one array; comparing runs orders them as
        // Labels order label sets (pair by pair, a prefix first).
        int[] keys = new int[total];
        int[] start = new int[n + 1];
        int k = 0;
        for (int i = 0; i < n; i++) {
            start[i] = k;
            byte[] p = packed[i];
            for (int pos = 0; pos < p.length; ) {
                int id = PackedLabels.read(p, pos);
                pos += PackedLabels.size(id);
                keys[k++] = rank[id];
            }
        }
        start[n] = k;
        sort(order, (a, b) -> Arrays.compare(keys, start[a], start[a + 1], keys, start[b], start[b + 1]));
        return order;
    }

    /** Packed sets in {@link Labels#compareTo} order; equal ids are equal strings. */
    private static int compare(byte[] a, byte[] b, String[] strings) {
        int i = 0;
        int j = 0;
        while (i < a.length && j < b.length) {
            int x = PackedLabels.read(a, i);
            int y = PackedLabels.read(b, j);
            if (x != y) return strings[x].compareTo(strings[y]);
            i += PackedLabels.size(x);
            j += PackedLabels.size(y);
        }
        if (i < a.length) return 1; // b is a prefix of a
        return j < b.length ? -1 : 0;
    }

    /** Sorts positions by a comparator (merge sort; no boxing). */
    private static void sort(int[] a, IndexComparator c) {
        int[] tmp = new int[a.length];
        for (int width = 1; width < a.length; width <<= 1) {
            for (int lo = 0; lo < a.length - width; lo += width << 1) {
                int mid = lo + width;
                int hi = Math.min(lo + (width << 1), a.length);
                if (c.compare(a[mid - 1], a[mid]) <= 0) continue; // already in order
                int i = lo, j = mid, k = lo;
                while (i < mid && j < hi) tmp[k++] = c.compare(a[i], a[j]) <= 0 ? a[i++] : a[j++];
                while (i < mid) tmp[k++] = a[i++];
                while (j < hi) tmp[k++] = a[j++];
                System.arraycopy(tmp, lo, a, lo, hi - lo);
            }
        }
    }
}
