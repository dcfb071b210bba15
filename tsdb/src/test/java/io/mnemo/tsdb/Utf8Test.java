package io.mnemo.tsdb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class Utf8Test {
    @Test
    void validityIsCheckedAtEveryPositionPastTheAsciiFastPath() {
        byte[] ascii = "a-long-ascii-label-value".getBytes(StandardCharsets.US_ASCII);
        assertTrue(Utf8.isValid(ascii, 0, ascii.length));
        assertTrue(Utf8.isValid(ascii, 3, ascii.length - 3));
        for (int at = 0; at < ascii.length; at++) {
            byte[] bad = ascii.clone();
            bad[at] = (byte) 0xC0; // an overlong lead byte is never valid
            assertFalse(Utf8.isValid(bad, 0, bad.length), "bad byte at " + at);
        }
        byte[] mixed = "0123456789 Zürich 中文 😀 and more ascii".getBytes(StandardCharsets.UTF_8);
        assertTrue(Utf8.isValid(mixed, 0, mixed.length));
        assertFalse(Utf8.isValid(mixed, 0, mixed.length - 17), "cut inside the 4-byte emoji");
        assertTrue(Utf8.equals(mixed, 0, mixed.length, "0123456789 Zürich 中文 😀 and more ascii"));
        assertFalse(Utf8.equals(mixed, 0, mixed.length, "0123456789 Zurich 中文 😀 and more ascii"));
    }

    @Test
    void stringHashCodeFromBytesIsTheStringsHashCode() {
        for (String s : new String[] {"", "job", "0123456789 Zürich 中文 😀 and more ascii", "\u00FF\u0800\uFFFD", "\uD83D\uDE00"}) {
            byte[] b = ("<" + s + ">").getBytes(StandardCharsets.UTF_8);
            assertEquals(s.hashCode(), Utf8.stringHashCode(b, 1, b.length - 2), s);
        }
    }
}
