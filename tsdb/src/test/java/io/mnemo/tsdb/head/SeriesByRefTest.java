package io.mnemo.tsdb.head;

import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.Random;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.*;

class SeriesByRefTest {
    private static final byte[] NO_LABELS = new byte[0];

    @Test
    void findsLiveSeriesAcrossPagesAndForgetsRemovedOnes() {
        Random r = new Random(9);
        SymbolTable symbols = new SymbolTable();
        SeriesByRef table = new SeriesByRef();
        TreeMap<Integer, MemSeries> want = new TreeMap<>();
        int nextRef = 0;
        // Waves of new series, each followed by removing most of the older ones, as churn does.
        for (int wave = 0; wave < 30; wave++) {
            for (int i = 0; i < 3_000; i++) {
                MemSeries s = new MemSeries(nextRef++, symbols, NO_LABELS);
                table.add(s);
                want.put(s.ref(), s);
            }
            for (Integer ref : want.keySet().toArray(new Integer[0])) {
                if (r.nextInt(10) < 8) {
                    assertTrue(table.remove(ref));
                    want.remove(ref);
                }
            }
            assertEquals(want.size(), table.size());
            for (int probe = 0; probe < 2_000; probe++) {
                int ref = r.nextInt(nextRef);
                assertSame(want.get(ref), table.get(ref), "ref " + ref);
            }
        }
        for (int ref : want.keySet()) assertSame(want.get(ref), table.get(ref));
        int[] all = Arrays.stream(table.all()).mapToInt(MemSeries::ref).sorted().toArray();
        assertArrayEquals(want.keySet().stream().mapToInt(Integer::intValue).toArray(), all);
        assertFalse(table.remove(nextRef + 1));
        assertNull(table.get(-5));
        assertThrows(IllegalStateException.class, () -> table.add(want.firstEntry().getValue()));
    }
}
