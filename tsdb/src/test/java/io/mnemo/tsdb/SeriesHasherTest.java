package io.mnemo.tsdb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SeriesHasherTest {
    @Test
    void bytesAndStringsOfTheSameTextHashAlike() {
        String[] texts = {"", "a", "job", "exactly8", "nine char", "a-longer-label-value-of-41-characters-xyz", "température",
                "Zürich", "\uD83D\uDE00 smile", "\u4E2D\u6587", "\uD800"};
        for (String s : texts) {
            byte[] b = ("[" + s + "]").getBytes(StandardCharsets.UTF_8); // a lone surrogate becomes '?' both ways
            assertEquals(SeriesHasher.bytes(b, 1, b.length - 2), SeriesHasher.utf8(s), s);
        }
    }

    @Test
    void distinctShortStringsGetDistinctHashes() {
        Set<Long> seen = new HashSet<>();
        for (int i = 0; i < 200_000; i++) assertEquals(true, seen.add(SeriesHasher.utf8("host-" + i)));
        // Lengths are part of the hash: a string and its zero-padded form differ.
        byte[] a = {'a'};
        byte[] a0 = {'a', 0};
        assertNotEquals(SeriesHasher.bytes(a, 0, 1), SeriesHasher.bytes(a0, 0, 2));
    }

    @Test
    void labelSetsHashByTheirStringsInOrderAndWithoutEmptyValues() {
        long ab = SeriesHasher.labels(Labels.of("a", "bc"));
        assertNotEquals(ab, SeriesHasher.labels(Labels.of("ab", "c")));
        assertNotEquals(SeriesHasher.labels(Labels.of("a", "1", "b", "2")), SeriesHasher.labels(Labels.of("a", "2", "b", "1")));
        long manual = SeriesHasher.finish(SeriesHasher.combine(SeriesHasher.combine(SeriesHasher.SEED,
                SeriesHasher.utf8("a")), SeriesHasher.utf8("bc")));
        assertEquals(manual, ab);
    }
}
