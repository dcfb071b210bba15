package io.mnemo.promql.text;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LabelNamesTest {
    @Test
    void anyNonEmptyValidUtf8NameIsValid() {
        assertTrue(LabelNames.isValid("a-b"));
        assertTrue(LabelNames.isValid("1x"));
        assertTrue(LabelNames.isValid("http.status code"));
        assertTrue(LabelNames.isValid("😀"));
        assertTrue(LabelNames.isValid("__name__"));
        assertFalse(LabelNames.isValid(""));
        // Invalid UTF-8 bytes are held as lone surrogates (Literals.unquote of "\xff").
        assertFalse(LabelNames.isValid("a\udcffb"));
        assertFalse(LabelNames.isValid("\ud83d"));
    }

    @Test
    void valueEncodingEscapesAreUndone() {
        assertEquals("a.b", LabelNames.unescape("U__a_2e_b"));
        assertEquals("a_b", LabelNames.unescape("U__a__b"));
        assertEquals("http.status code", LabelNames.unescape("U__http_2e_status_20_code"));
        assertEquals("😀", LabelNames.unescape("U___1f600_"));
        assertEquals("Ä", LabelNames.unescape("U___C4_"));
        assertEquals("", LabelNames.unescape("U__"));
    }

    @Test
    void whatIsNoValidEncodingStaysAsItIs() {
        assertEquals("plain_name", LabelNames.unescape("plain_name"));
        assertEquals("U__a_zz_", LabelNames.unescape("U__a_zz_"), "not hexadecimal");
        assertEquals("U__a_2e", LabelNames.unescape("U__a_2e"), "no closing underscore");
        assertEquals("U__a_", LabelNames.unescape("U__a_"), "ends in an underscore");
        assertEquals("U___d800_", LabelNames.unescape("U___d800_"), "a surrogate is no rune");
        assertEquals(new String(Character.toChars(0x10fff)), LabelNames.unescape("U___10fff_"));
        assertEquals("U___10ffff_", LabelNames.unescape("U___10ffff_"), "six digits are one too many, as in Prometheus");
    }
}
