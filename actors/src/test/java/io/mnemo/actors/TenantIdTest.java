package io.mnemo.actors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;

class TenantIdTest {
    @Test
    void mimirsRulesWithItsMessages() {
        for (String ok : new String[] {"team-a", "A.b_c!*'()", "x".repeat(150), "..."}) {
            assertNull(TenantId.problem(ok), ok);
            assertNull(TenantId.validate(ok), ok);
        }
        assertEquals(TenantId.Problem.EMPTY, TenantId.problem(null));
        assertEquals(TenantId.Problem.EMPTY, TenantId.problem(""));
        assertEquals(TenantId.Problem.TOO_LONG, TenantId.problem("x".repeat(151)));
        assertEquals("tenant ID is too long: max 150 characters", TenantId.validate("x".repeat(151)));
        assertEquals(TenantId.Problem.UNSAFE_PATH, TenantId.problem("."));
        assertEquals("tenant ID is '.' or '..'", TenantId.validate(".."));
        assertEquals(TenantId.Problem.UNSUPPORTED_CHARACTER, TenantId.problem("../../escape"));
        assertEquals("tenant ID '../../escape' contains unsupported character '/'", TenantId.validate("../../escape"));
        for (String bad : new String[] {"a b", "a\\b", "a|b", "\u0000", "é", "a\nb", "x".repeat(200) + "/"})
            assertEquals(TenantId.Problem.UNSUPPORTED_CHARACTER, TenantId.problem(bad), bad);
    }
}
