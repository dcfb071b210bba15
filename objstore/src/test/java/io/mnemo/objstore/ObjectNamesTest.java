package io.mnemo.objstore;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ObjectNamesTest {
    @Test
    void validNames() {
        for (String n : List.of("a", "tenant-1/01ARZ3NDEKTSV4RRFFQ69G5FAV/meta.json", "a/b/chunks/000001", ".hidden", "a/..b",
                "a/b..", "...", "x".repeat(1024), "é".repeat(512))) {
            assertEquals(n, ObjectNames.check(n));
        }
    }

    @Test
    void invalidNamesSayWhy() {
        assertMessage("", "it is empty");
        assertMessage("/a", "it starts with '/'");
        assertMessage("a/", "it ends with '/'");
        assertMessage("a//b", "it has an empty segment ('//')");
        assertMessage(".", "it has a '.' segment");
        assertMessage("a/./b", "it has a '.' segment");
        assertMessage("..", "it has a '..' segment");
        assertMessage("a/../../etc/passwd", "it has a '..' segment");
        assertMessage("a\\b", "it has a '\\'");
        assertMessage("a\u0000b", "it has a control character");
        assertMessage("x".repeat(1025), "it is longer than 1024 bytes of UTF-8");
        assertMessage("é".repeat(513), "it is longer than 1024 bytes of UTF-8");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ObjectNames.check("a\nb"));
        assertEquals("invalid object name \"a\\u000ab\": it has a control character", e.getMessage());
    }

    @Test
    void directoryPrefixes() {
        assertEquals("", ObjectNames.dirPrefix(""));
        assertEquals("a/", ObjectNames.dirPrefix("a"));
        assertEquals("a/", ObjectNames.dirPrefix("a/"));
        assertEquals("a/b/", ObjectNames.dirPrefix("a/b"));
        for (String bad : List.of("/", "//", "a//", "../", "..", "/a", "a/../b")) {
            assertThrows(IllegalArgumentException.class, () -> ObjectNames.dirPrefix(bad), bad);
        }
    }

    /** UTF-8 byte order, which S3 lists in: by code point, unlike String.compareTo past U+FFFF. */
    @Test
    void orderIsByCodePoint() {
        List<String> names = new ArrayList<>(List.of("\uD83D\uDE00", "\uFF5E", "a/b", "a.b", "ab", "a", ""));
        names.sort(ObjectNames.ORDER);
        assertEquals(List.of("", "a", "a.b", "a/b", "ab", "\uFF5E", "\uD83D\uDE00"), names);
        assertTrue("\uD83D\uDE00".compareTo("\uFF5E") < 0, "String.compareTo orders them the other way");
    }

    private static void assertMessage(String name, String problem) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ObjectNames.check(name));
        assertTrue(e.getMessage().endsWith(": " + problem), e.getMessage());
    }
}
