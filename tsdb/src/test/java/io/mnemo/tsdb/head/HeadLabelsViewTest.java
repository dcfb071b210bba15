package io.mnemo.tsdb.head;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import io.mnemo.tsdb.Labels;
import io.mnemo.tsdb.LabelsView;
import io.mnemo.tsdb.SeriesHasher;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class HeadLabelsViewTest {
    /** Name/value pairs laid out in one buffer, in the given order, as a decoder would see them. */
    static final class BytesView implements LabelsView {
        final byte[] buf;
        final int[] ranges; // nameOff, nameLen, valueOff, valueLen per label
        final String[] kv;

        BytesView(String... kv) {
            this.kv = kv;
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            out.write(0x42); // something before the first label, so offsets are not zero-based
            ranges = new int[kv.length * 2];
            for (int i = 0; i < kv.length; i++) {
                byte[] b = kv[i].getBytes(StandardCharsets.UTF_8);
                ranges[2 * i] = out.size();
                ranges[2 * i + 1] = b.length;
                out.writeBytes(b);
            }
            buf = out.toByteArray();
        }

        public byte[] buffer() { return buf; }
        public int labelCount() { return kv.length / 2; }
        public int labelNameOffset(int i) { return ranges[4 * i]; }
        public int labelNameLength(int i) { return ranges[4 * i + 1]; }
        public int labelValueOffset(int i) { return ranges[4 * i + 2]; }
        public int labelValueLength(int i) { return ranges[4 * i + 3]; }
        public Labels labels() {
            Labels.Builder b = new Labels.Builder();
            for (int i = 0; i < kv.length; i += 2) if (!kv[i + 1].isEmpty()) b.set(kv[i], kv[i + 1]);
            return b.build();
        }
    }

    static long hash(Labels l) {
        SeriesHasher h = new SeriesHasher();
        h.updateLabels(l);
        return h.digest();
    }

    static long hash(LabelsView v) {
        SeriesHasher h = new SeriesHasher();
        h.updateLabels(v);
        return h.digest();
    }

    @Test
    void viewAndLabelsOfTheSameSetHashAlike() {
        String[][] sets = {
                {"__name__", "up", "job", "api"},
                {"__name__", "température", "ville", "Zürich"},
                {"__name__", "emoji", "v", "\uD83D\uDE00 smile", "w", "\u4E2D\u6587"},
                {"a", "\uD800"}, // a lone surrogate: what getBytes writes for it ('?') is what is hashed
        };
        for (String[] kv : sets) {
            assertEquals(hash(Labels.of(kv)), hash(new BytesView(kv)), String.join(",", kv));
        }
        assertNotEquals(hash(Labels.of("a", "bc")), hash(Labels.of("ab", "c")));
    }

    @Test
    void viewFindsTheSeriesLabelsCreatedAndCreatesOnlyNewOnes() {
        Head head = new Head();
        int up = head.getOrCreateSeries(Labels.of("__name__", "up", "job", "api"));
        int utf = head.getOrCreateSeries(new BytesView("__name__", "température", "ville", "Zürich"));

        assertEquals(up, head.getOrCreateSeries(new BytesView("__name__", "up", "job", "api")));
        assertEquals(up, head.getOrCreateSeries(new BytesView("__name__", "up", "empty", "", "job", "api")),
                "an empty value is an absent label");
        assertEquals(utf, head.getOrCreateSeries(Labels.of("__name__", "température", "ville", "Zürich")));
        assertEquals(utf, head.seriesRef(Labels.of("__name__", "température", "ville", "Zürich")));
        assertEquals(2, head.numSeries());

        int other = head.getOrCreateSeries(new BytesView("__name__", "up", "job", "web"));
        assertNotEquals(up, other);
        assertEquals(Labels.of("__name__", "up", "job", "web"), head.series(other).labels());
        // Unsorted labels miss the fast path, and still find the one series.
        assertEquals(up, head.getOrCreateSeries(new BytesView("job", "api", "__name__", "up")));
        assertEquals(3, head.numSeries());
    }

    @Test
    void aSeriesRemovedByTruncateIsNotFoundThroughAView() {
        Head head = new Head();
        int ref = head.getOrCreateSeries(new BytesView("__name__", "x", "i", "1"));
        head.append(ref, 1000, 1);
        assertEquals(1, head.truncate(10_000));
        int again = head.getOrCreateSeries(new BytesView("__name__", "x", "i", "1"));
        assertNotEquals(ref, again);
        assertEquals(1, head.numSeries());
    }
}
