package io.mnemo.tsdb.head;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;

class HashIndexTest {

    private static List<Integer> idsOf(HashIndex index, int hash) {
        List<Integer> out = new ArrayList<>();
        for (int i = index.first(hash); i >= 0; i = index.next(i, hash)) out.add(index.id(i));
        out.sort(null);
        return out;
    }

    /** Random adds and removes, few distinct hashes (many collisions), against a plain map. */
    @Test
    void agreesWithAMultimapThroughGrowthAndShrinking() {
        Random r = new Random(5);
        HashIndex index = new HashIndex();
        Map<Integer, List<Integer>> want = new HashMap<>();
        int nextId = 0;
        for (int round = 0; round < 200_000; round++) {
            int hash = r.nextInt(5_000) * 0x10001; // spread and colliding alike
            boolean grow = round < 100_000 ? r.nextInt(4) > 0 : r.nextInt(4) == 0;
            List<Integer> ids = want.computeIfAbsent(hash, h -> new ArrayList<>());
            if (grow || ids.isEmpty()) {
                index.add(hash, nextId);
                ids.add(nextId++);
            } else {
                Integer id = ids.remove(r.nextInt(ids.size()));
                assertTrue(index.remove(hash, id));
                assertFalse(index.remove(hash, id), "removed once only");
            }
            if (round % 10_000 == 0) {
                int total = 0;
                for (Map.Entry<Integer, List<Integer>> e : want.entrySet()) {
                    List<Integer> sorted = new ArrayList<>(e.getValue());
                    sorted.sort(null);
                    assertEquals(sorted, idsOf(index, e.getKey()));
                    total += sorted.size();
                }
                assertEquals(total, index.size());
            }
        }
        for (Map.Entry<Integer, List<Integer>> e : want.entrySet()) {
            for (int id : e.getValue()) assertTrue(index.remove(e.getKey(), id));
        }
        assertEquals(0, index.size());
        assertEquals(-1, index.first(0));
    }

    @Test
    void negativeIdsAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> new HashIndex().add(1, -1));
    }
}
