package io.mnemo.tsdb.index;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Random;
import java.util.TreeSet;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.*;

class PostingsTest {

    private static int[] randomSet(Random r, int max, int n) {
        TreeSet<Integer> s = new TreeSet<>();
        int size = r.nextInt(n + 1);
        while (s.size() < size && s.size() < max) s.add(r.nextInt(max));
        return s.stream().mapToInt(Integer::intValue).toArray();
    }

    private static int[] naive(int[] a, int[] b, String op) {
        TreeSet<Integer> sa = new TreeSet<>();
        for (int v : a) sa.add(v);
        TreeSet<Integer> sb = new TreeSet<>();
        for (int v : b) sb.add(v);
        switch (op) {
            case "and" -> sa.retainAll(sb);
            case "or" -> sa.addAll(sb);
            default -> sa.removeAll(sb);
        }
        return sa.stream().mapToInt(Integer::intValue).toArray();
    }

    @Test
    void setOperationsAgreeWithNaiveSets() {
        Random r = new Random(7);
        for (int i = 0; i < 2000; i++) {
            int max = 1 + r.nextInt(5000);
            // Very different sizes exercise the galloping path.
            int[] a = randomSet(r, max, r.nextBoolean() ? 5 : 3000);
            int[] b = randomSet(r, max, r.nextBoolean() ? 5 : 3000);
            assertArrayEquals(naive(a, b, "and"), Postings.intersect(a, b));
            assertArrayEquals(naive(a, b, "or"), Postings.union(a, b));
            assertArrayEquals(naive(a, b, "or"), Postings.union(List.of(a, b)));
            assertArrayEquals(naive(a, b, "not"), Postings.subtract(a, b));
            int[] c = randomSet(r, max, 200);
            assertArrayEquals(naive(naive(a, b, "and"), c, "and"), Postings.intersect(List.of(a, b, c)));
            assertArrayEquals(naive(naive(a, b, "or"), c, "or"), Postings.union(List.of(a, b, c)));
        }
        assertArrayEquals(new int[0], Postings.intersect(List.of()));
        assertArrayEquals(new int[0], Postings.union(List.of()));
    }

    /** Many lists, dense or sparse, far from ref 0: both the bitmap and the sorting union. */
    @Test
    void unionOfManyListsAgreesWithNaiveSets() {
        Random r = new Random(11);
        for (int i = 0; i < 300; i++) {
            int base = r.nextInt(1 << 30);
            int span = 1 + r.nextInt(r.nextBoolean() ? 2_000 : 2_000_000);
            List<int[]> lists = new java.util.ArrayList<>();
            TreeSet<Integer> want = new TreeSet<>();
            for (int k = 2 + r.nextInt(40); k > 0; k--) {
                int[] l = randomSet(r, span, 100);
                for (int j = 0; j < l.length; j++) {
                    l[j] += base;
                    want.add(l[j]);
                }
                lists.add(l);
            }
            assertArrayEquals(want.stream().mapToInt(Integer::intValue).toArray(), Postings.union(lists));
        }
    }

    @Test
    void intListRemovesManyAtOnceAndShrinks() {
        IntList l = new IntList();
        IntStream.range(0, 1000).forEach(l::add);
        l.removeAll(bitmap(0, IntStream.range(0, 2000).filter(v -> v % 10 != 3).toArray()), 0);
        assertArrayEquals(IntStream.range(0, 100).map(v -> v * 10 + 3).toArray(), l.toArray());
        l.removeAll(bitmap(3, 3, 500, 993, 5000), 3); // 3 is the bitmap's first bit; 0..2 lie before it
        assertEquals(98, l.size());
        assertEquals(13, l.get(0));
        assertEquals(983, l.get(97));
        l.removeAll(bitmap(20, 23, 33), 20);
        assertEquals(96, l.size());
        assertEquals(43, l.get(1));
        l.removeAll(new int[] {-7, 43, 53, 1 << 30});
        assertEquals(94, l.size());
        assertEquals(63, l.get(1));
        l.addSorted(3);
        assertEquals(3, l.get(0), "still sorted and growable after shrinking");
    }

    private static long[] bitmap(int base, int... values) {
        long[] bits = new long[(java.util.Arrays.stream(values).max().orElse(base) - base) / 64 + 1];
        for (int v : values) bits[(v - base) >>> 6] |= 1L << (v - base);
        return bits;
    }

    @Test
    void intListKeepsSortedUniqueRefs() {
        IntList l = new IntList(1);
        for (int v : new int[] {5, 1, 9, 5, 3, 12, 0}) l.addSorted(v);
        assertArrayEquals(new int[] {0, 1, 3, 5, 9, 12}, l.toArray());
        assertTrue(l.removeSorted(5));
        assertFalse(l.removeSorted(6));
        assertArrayEquals(new int[] {0, 1, 3, 9, 12}, l.toArray());
        IntList big = new IntList();
        IntStream.range(0, 10_000).forEach(big::addSorted);
        assertEquals(10_000, big.size());
        assertEquals(9_999, big.get(9_999));
    }
}
