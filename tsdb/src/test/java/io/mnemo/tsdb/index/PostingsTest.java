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
