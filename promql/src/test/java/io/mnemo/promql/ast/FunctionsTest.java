package io.mnemo.promql.ast;

import io.mnemo.promql.value.ValueType;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FunctionsTest {
    @Test
    void tableHasPrometheusFunctionsWithTheirSignatures() {
        assertEquals(90, Functions.all().size());
        Function round = Functions.get("round").orElseThrow();
        assertEquals(List.of(ValueType.VECTOR, ValueType.SCALAR), round.argTypes());
        assertEquals(1, round.minArgs());
        assertEquals(2, round.maxArgs());
        Function join = Functions.get("label_join").orElseThrow();
        assertEquals(3, join.minArgs());
        assertEquals(-1, join.maxArgs());
        assertEquals(ValueType.STRING, join.argType(7));
        assertEquals(0, Functions.get("hour").orElseThrow().minArgs());
        assertEquals(ValueType.SCALAR, Functions.get("pi").orElseThrow().returnType());
        assertEquals(List.of(ValueType.SCALAR, ValueType.MATRIX), Functions.get("quantile_over_time").orElseThrow().argTypes());
        assertTrue(Functions.get("mad_over_time").orElseThrow().experimental());
        assertFalse(Functions.get("rate").orElseThrow().experimental());
        assertTrue(Functions.get("holt_winters").isEmpty(), "removed in Prometheus 3");
    }
}
