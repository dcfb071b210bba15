package io.mnemo.tsdb.head;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import io.mnemo.tsdb.Labels;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Finding series by the symbol ids of their strings, as the ingester does for write records. */
class HeadSymbolLookupTest {
    /** The ids of a label set's strings in the head's symbol table, looked up from UTF-8 bytes. */
    private static int[] ids(Head head, String... kv) {
        int[] ids = new int[kv.length];
        for (int i = 0; i < kv.length; i++) {
            byte[] wire = ("~" + kv[i] + "~").getBytes(StandardCharsets.UTF_8); // not at offset 0
            ids[i] = head.symbols().id(wire, 1, wire.length - 2);
        }
        return ids;
    }

    @Test
    void symbolIdsFindTheSeriesTheirLabelsCreated() {
        Head head = new Head();
        String[] up = {"__name__", "up", "job", "api"};
        String[] utf = {"__name__", "température", "ville", "Zürich", "w", "\uD83D\uDE00 \u4E2D\u6587"};
        int a = head.getOrCreateSeries(Labels.of(up));
        int b = head.getOrCreateSeries(Labels.of(utf));

        assertEquals(a, head.seriesRef(ids(head, up), up.length));
        assertEquals(b, head.seriesRef(ids(head, utf), utf.length));
        // A prefix of a series' labels, or its labels in another order, is not that series.
        assertEquals(-1, head.seriesRef(ids(head, "__name__", "up"), 2));
        assertEquals(-1, head.seriesRef(ids(head, "job", "api", "__name__", "up"), 4));
        // A string the table does not hold has no id, and no series has it.
        int[] unknown = ids(head, "__name__", "up", "job", "db");
        assertEquals(-1, unknown[3]);
        assertEquals(-1, head.seriesRef(unknown, 4));
    }

    @Test
    void labelsAndIdsAgreeAfterSymbolsAreReused() {
        Head head = new Head();
        int old = head.getOrCreateSeries(Labels.of("__name__", "gone", "pod", "p-1"));
        head.append(old, 1000, 1);
        assertEquals(1, head.truncate(10_000)); // frees the ids of "gone" and "p-1"
        int fresh = head.getOrCreateSeries(Labels.of("__name__", "new", "pod", "p-2")); // may take them
        assertEquals(-1, head.seriesRef(ids(head, "__name__", "gone", "pod", "p-1"), 4));
        assertEquals(fresh, head.seriesRef(ids(head, "__name__", "new", "pod", "p-2"), 4));
        assertEquals(fresh, head.seriesRef(Labels.of("__name__", "new", "pod", "p-2")));
        int again = head.getOrCreateSeries(Labels.of("__name__", "gone", "pod", "p-1"));
        assertNotEquals(old, again);
        assertEquals(again, head.seriesRef(ids(head, "__name__", "gone", "pod", "p-1"), 4));
        assertEquals(2, head.numSeries());
    }
}
