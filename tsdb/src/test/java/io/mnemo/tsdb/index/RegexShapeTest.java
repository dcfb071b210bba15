package io.mnemo.tsdb.index;

import org.junit.jupiter.api.Test;

import java.util.List;

import static io.mnemo.tsdb.index.RegexShape.Kind.*;
import static org.junit.jupiter.api.Assertions.*;

class RegexShapeTest {

    @Test
    void literalAlternationsBecomeLookups() {
        assertEquals(List.of("a", "bb", "c-d"), RegexShape.of("a|bb|c-d").literals());
        assertEquals(LITERALS, RegexShape.of("a|bb|c-d").kind());
        assertEquals(List.of("a", "b"), RegexShape.of("(a|b)").literals());
        assertEquals(List.of("a", "b"), RegexShape.of("(?:a|b)").literals());
        assertEquals(List.of("foo"), RegexShape.of("foo").literals());
        assertEquals(List.of("a.b", "x"), RegexShape.of("a\\.b|x").literals());
        assertEquals(List.of("api", ""), RegexShape.of("api|").literals());
        assertEquals(List.of(""), RegexShape.of("").literals());
        assertTrue(RegexShape.of("a|b").isLiteral("b"));
        assertFalse(RegexShape.of("a|b").isLiteral("ab"));
    }

    @Test
    void literalPrefixesBecomeRangeScans() {
        RegexShape star = RegexShape.of("foo.*");
        assertEquals(PREFIX, star.kind());
        assertEquals("foo", star.prefix());
        assertTrue(star.prefixMatches("foo"));
        assertTrue(star.prefixMatches("foobar"));
        assertFalse(star.prefixMatches("fo"));

        RegexShape plus = RegexShape.of("(foo.+)");
        assertEquals(PREFIX, plus.kind());
        assertFalse(plus.prefixMatches("foo"));
        assertTrue(plus.prefixMatches("foo1"));

        assertEquals(PREFIX, RegexShape.of(".*").kind());
        assertEquals("", RegexShape.of(".*").prefix());
    }

    @Test
    void everythingElseRunsTheRegexWithASafePrefix() {
        assertShape(GENERAL, "foo", RegexShape.of("foo\\d+"));
        assertShape(GENERAL, "f", RegexShape.of("fo?"), "the optional atom is not part of the prefix");
        assertShape(GENERAL, "fo", RegexShape.of("foo*"));
        assertShape(GENERAL, "ab", RegexShape.of("abc{2}"));
        assertShape(GENERAL, "foo", RegexShape.of("foo.*?"));
        assertShape(GENERAL, "foo", RegexShape.of("foo(a|b)"));
        assertShape(GENERAL, "", RegexShape.of("(?i)foo"));
        assertShape(GENERAL, "", RegexShape.of("(a)|(b)"));
        assertShape(GENERAL, "", RegexShape.of("a[|]b"), "no splitting around character classes");
        assertShape(GENERAL, "", RegexShape.of("\\Qa|b\\E"));
        assertShape(GENERAL, "", RegexShape.of("foo.*|bar"));
        assertShape(GENERAL, "ab", RegexShape.of("ab[cd]"));
        assertShape(GENERAL, "", RegexShape.of("^foo"));
    }

    private static void assertShape(RegexShape.Kind kind, String prefix, RegexShape s, String... why) {
        assertEquals(kind, s.kind(), why.length > 0 ? why[0] : null);
        assertEquals(prefix, s.prefix(), why.length > 0 ? why[0] : null);
    }
}
