package io.mnemo.promql;

import io.mnemo.promql.promqltest.InMemoryStorage;
import io.mnemo.promql.value.Vector;
import io.mnemo.tsdb.Labels;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** PromQL applies Prometheus 3's UTF-8 name scheme: any non-empty valid UTF-8 label name. */
class LabelNameSchemeTest {
    private final InMemoryStorage storage = new InMemoryStorage();
    private final Engine engine = new Engine();

    LabelNameSchemeTest() {
        storage.append(Labels.of("__name__", "m", "job", "api", "c-d", "x"), 0, 7);
    }

    private Vector query(String q) {
        return assertInstanceOf(Vector.class, engine.instantQuery(storage, q, 0));
    }

    private String error(String q) {
        return assertThrows(EvaluationException.class, () -> engine.instantQuery(storage, q, 0)).getMessage();
    }

    @Test
    void namesOutsideTheLegacyCharsetAreValid() {
        assertEquals(Labels.of("a-b", "7"), query("count_values(\"a-b\", m)").labels(0));
        assertEquals("api", query("label_replace(m, \"1x\", \"$1\", \"job\", \"(.*)\")").labels(0).get("1x"));
        assertEquals("api", query("label_replace(m, \"http.job name\", \"$1\", \"job\", \"(.*)\")").labels(0).get("http.job name"));
        assertEquals("api-x", query("label_join(m, \"a.b\", \"-\", \"job\", \"c-d\")").labels(0).get("a.b"));
        assertEquals(1, query("m{\"c-d\"=\"x\"}").size());
        assertEquals(Labels.of("c-d", "x"), query("sum by (\"c-d\") (m)").labels(0));
    }

    @Test
    void emptyNamesAreInvalid() {
        assertEquals("invalid label name \"\"", error("count_values(\"\", m)"));
        assertEquals("invalid destination label name in label_replace(): ", error("label_replace(m, \"\", \"$1\", \"job\", \"(.*)\")"));
        assertEquals("invalid destination label name in label_join(): ", error("label_join(m, \"\", \"-\", \"job\")"));
        assertEquals("invalid source label name in label_join(): ", error("label_join(m, \"dst\", \"-\", \"\")"));
    }

    @Test
    void namesThatAreNotValidUtf8AreInvalid() {
        assertEquals("invalid label name \"\\xff\"", error("count_values(\"\\xff\", m)"));
        assertEquals("invalid destination label name in label_replace(): \udcff",
                error("label_replace(m, \"\\xff\", \"$1\", \"job\", \"(.*)\")"));
        assertEquals("invalid source label name in label_join(): a\udcc5", error("label_join(m, \"dst\", \"-\", \"a\\xc5\")"));
    }
}
