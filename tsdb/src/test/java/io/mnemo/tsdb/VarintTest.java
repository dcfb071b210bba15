package io.mnemo.tsdb;

import static org.junit.jupiter.api.Assertions.*;

import org.junit.jupiter.api.Test;

class VarintTest {
    @Test
    void varintsAreMinimal() {
        byte[] b = new byte[Varint.MAX_BYTES];
        for (long v : new long[] {0, 1, 127, 128, 16_383, 16_384, 2_097_151, 2_097_152, Integer.MAX_VALUE, Long.MAX_VALUE, -1}) {
            assertEquals(Varint.size(v), Varint.put(b, 0, v), "size of " + v);
        }
    }

    @Test
    void zigZagKeepsSmallValuesShort() {
        assertEquals(0, Varint.zigZag(0));
        assertEquals(1, Varint.zigZag(-1));
        assertEquals(2, Varint.zigZag(1));
        assertEquals(-1L, Varint.zigZag(Long.MIN_VALUE));
    }
}
