package io.mnemo.tsdb.head;

import io.mnemo.tsdb.Labels;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;

class PackedLabelsTest {

    @Test
    void roundTripsAndComparesLikeLabels() {
        Random r = new Random(13);
        SymbolTable symbols = new SymbolTable();
        // Ids are handed out in arrival order, which is not string order; many ids need 2-3 bytes.
        for (int i = 0; i < 20_000; i++) symbols.acquire("filler-" + r.nextInt(1_000_000));
        String[] names = {"__name__", "a", "b", "job", "zone"};
        String[] values = {"x", "y", "api", "ápi", "z", "10", "9"};
        List<Labels> sets = new ArrayList<>();
        List<byte[]> packed = new ArrayList<>();
        for (int i = 0; i < 400; i++) {
            Labels.Builder b = new Labels.Builder();
            for (String n : names) if (r.nextInt(3) > 0) b.set(n, values[r.nextInt(values.length)] + r.nextInt(3));
            Labels l = b.build();
            sets.add(l);
            packed.add(PackedLabels.acquire(l, symbols));
        }
        for (int i = 0; i < sets.size(); i++) {
            Labels l = sets.get(i);
            assertEquals(l, PackedLabels.decode(packed.get(i), symbols));
            assertEquals(2 * l.size(), PackedLabels.count(packed.get(i)));
            int[] ids = PackedLabels.ids(packed.get(i));
            int len = PackedLabels.packedLength(ids, ids.length);
            assertEquals(packed.get(i).length, len);
            assertEquals(java.util.Arrays.toString(packed.get(i)),
                    java.util.Arrays.toString(java.util.Arrays.copyOf(PackedLabels.pack(ids, ids.length, new byte[1]), len)));
            for (int j = 0; j < sets.size(); j++) {
                Labels m = sets.get(j);
                // Equal sets pack to equal bytes, which is what lookups compare.
                assertEquals(l.equals(m), java.util.Arrays.equals(packed.get(i), packed.get(j)), l + " vs " + m);
                assertEquals(Integer.signum(l.compareTo(m)),
                        Integer.signum(PackedLabels.compare(packed.get(i), packed.get(j), symbols)), l + " vs " + m);
            }
        }
    }

    @Test
    void releaseGivesBackEveryUse() {
        SymbolTable symbols = new SymbolTable();
        byte[] a = PackedLabels.acquire(Labels.of("job", "api", "env", "prod"), symbols);
        byte[] b = PackedLabels.acquire(Labels.of("job", "db", "env", "prod"), symbols);
        assertEquals(5, symbols.size());
        PackedLabels.release(a, symbols);
        assertEquals(List.of("db", "env", "job", "prod"), sorted(symbols.symbols()));
        PackedLabels.release(b, symbols);
        assertEquals(0, symbols.size());
    }

    private static List<String> sorted(List<String> l) {
        List<String> out = new ArrayList<>(l);
        out.sort(null);
        return out;
    }
}
