package io.mnemo.tsdb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class LabelMatcherTest {
    @Test
    void regexesAreAnchoredAndDotMatchesNewlines() {
        assertTrue(LabelMatcher.regex("a", "b.*").matches("b\nc"));
        assertFalse(LabelMatcher.regex("a", "b").matches("abc"));
        assertTrue(LabelMatcher.notRegex("a", "b").matches("abc"));
    }

    @Test
    void aRegexThatWouldOverflowTheStackOnAValueFailsWithAnExceptionNotAnError() {
        LabelMatcher m = LabelMatcher.regex("v", "(a|b)*");
        assertTrue(m.matches("ab".repeat(10)));
        // Java's engine recurses once per repetition here: 100,000 repetitions take any stack.
        RegexTooComplexException e = assertThrows(RegexTooComplexException.class, () -> m.matches("ab".repeat(50_000)));
        assertEquals("the regular expression of v=~\"(a|b)*\" is too complex to match a label value of 100000 characters",
                e.getMessage());
        assertThrows(RegexTooComplexException.class, () -> LabelMatcher.notRegex("v", "(a|b)*").matches("ab".repeat(50_000)));
    }
}
