package io.mnemo.tsdb.block;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class UlidTest {
    @Test
    void parsesTheSpecExample() {
        Ulid u = Ulid.parse("01ARZ3NDEKTSV4RRFFQ69G5FAV");
        assertEquals(1469922850259L, u.timestamp()); // 48-bit prefix "01ARZ3NDEK", decoded independently
        assertEquals("01ARZ3NDEKTSV4RRFFQ69G5FAV", u.toString());
        assertEquals(u, Ulid.parse("01arz3ndektsv4rrffq69g5fav"));
    }

    @Test
    void generatedIdsRoundTripAndCarryTheirTime() {
        long now = System.currentTimeMillis();
        Ulid u = Ulid.generate(now);
        assertEquals(26, u.toString().length());
        assertEquals(now, u.timestamp());
        assertEquals(u, Ulid.parse(u.toString()));
        assertEquals(u.hashCode(), Ulid.parse(u.toString()).hashCode());
    }

    @Test
    void idsOfOneMillisecondIncreaseAsValuesAndStrings() {
        long t = 1_700_000_000_000L;
        List<Ulid> ids = new ArrayList<>();
        for (int i = 0; i < 1000; i++) ids.add(Ulid.generate(t));
        ids.add(Ulid.generate(t + 1));
        for (int i = 1; i < ids.size(); i++) {
            assertTrue(ids.get(i - 1).compareTo(ids.get(i)) < 0);
            assertTrue(ids.get(i - 1).toString().compareTo(ids.get(i).toString()) < 0);
        }
        assertEquals(t, ids.get(999).timestamp());
    }

    @Test
    void rejectsWhatIsNotAUlid() {
        assertThrows(IllegalArgumentException.class, () -> Ulid.parse("01ARZ3NDEKTSV4RRFFQ69G5FA"));
        assertThrows(IllegalArgumentException.class, () -> Ulid.parse("01ARZ3NDEKTSV4RRFFQ69G5FAU")); // U is not base32
        assertThrows(IllegalArgumentException.class, () -> Ulid.parse("81ARZ3NDEKTSV4RRFFQ69G5FAV")); // > 128 bits
        assertFalse(Ulid.isValid("wal"));
        assertFalse(Ulid.isValid("01ARZ3NDEKTSV4RRFFQ69G5FAV.tmp-for-creation"));
        assertThrows(IllegalArgumentException.class, () -> Ulid.generate(-1));
    }
}
