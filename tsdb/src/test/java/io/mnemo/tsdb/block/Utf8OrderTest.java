package io.mnemo.tsdb.block;

import io.mnemo.tsdb.Labels;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class Utf8OrderTest {
    private static final List<String> STRINGS = List.of("", "a", "ab", "b", "z", "é", "zöne", "\u00ff", "\u0800",
            "\uD7FF", "\uE000", "\uFFFD", "\uFFFF", "😀", "😀a", "𝄞", "a😀", "a\uFFFF");

    @Test
    void ordersStringsAsTheirUtf8Bytes() {
        for (String a : STRINGS) {
            for (String b : STRINGS) {
                int want = Integer.signum(Arrays.compareUnsigned(a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8)));
                assertEquals(want, Integer.signum(Utf8Order.compare(a, b)), a + " vs " + b);
            }
        }
        // where Java's UTF-16 order differs
        assertTrue("😀".compareTo("\uFFFF") < 0);
        assertTrue(Utf8Order.compare("😀", "\uFFFF") > 0);
    }

    @Test
    void ordersLabelsPairByPair() {
        assertTrue(Utf8Order.compare(Labels.of("a", "1"), Labels.of("a", "1", "b", "1")) < 0);
        assertTrue(Utf8Order.compare(Labels.of("a", "2"), Labels.of("a", "1", "b", "1")) > 0);
        assertTrue(Utf8Order.compare(Labels.of("a", "1", "c", "1"), Labels.of("a", "1", "b", "9")) > 0);
        assertEquals(0, Utf8Order.compare(Labels.of("a", "1"), Labels.of("a", "1")));
    }

    @Test
    void encodesUtf8AsTheJdkDoes() {
        EncBuf b = new EncBuf(4);
        for (String s : STRINGS) {
            b.reset();
            b.putUvarintStr(s);
            byte[] want = s.getBytes(StandardCharsets.UTF_8);
            assertEquals(want.length, EncBuf.utf8Length(s));
            assertArrayEquals(want, Arrays.copyOfRange(b.array(), 1, b.length()), s);
        }
    }
}
