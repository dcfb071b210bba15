package io.mnemo.tsdb.head;

import static org.junit.jupiter.api.Assertions.*;

import io.mnemo.tsdb.Labels;
import io.mnemo.tsdb.StaleNaN;
import io.mnemo.tsdb.chunkenc.ChunkMeta;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class HeadSnapshotTest {
    static final long RANGE = 7_200_000L;

    /** A head with series of varied shapes: many chunks, one sample, truncated, gauges, counters, NaNs. */
    static Head sampleHead(Random rnd, int numSeries, long from, long to) {
        Head head = new Head(RANGE, 120);
        for (int s = 0; s < numSeries; s++) {
            int ref = head.getOrCreateSeries(Labels.of("__name__", "m" + (s % 7), "instance", "host-" + s,
                    "job", s % 2 == 0 ? "api" : "db", "zone", "é-" + (s % 3)));
            long step = 1000L * (1 + rnd.nextInt(30));
            double v = rnd.nextDouble() * 100;
            for (long t = from + rnd.nextInt(5000); t < to; t += step + (rnd.nextInt(10) == 0 ? rnd.nextInt(700) : 0)) {
                v = switch (s % 4) {
                    case 0 -> v + rnd.nextInt(5);              // counter
                    case 1 -> rnd.nextGaussian();               // noisy gauge
                    case 2 -> 42;                               // constant
                    default -> rnd.nextInt(50) == 0 ? StaleNaN.VALUE : v * 1.01;
                };
                head.append(ref, t, v);
                if (s % 11 == 0) break; // single-sample series
            }
        }
        return head;
    }

    static Head roundTrip(Head head) {
        SnapshotOut out = new SnapshotOut(16);
        HeadSnapshot.write(head, out);
        Head restored = new Head(head.chunkRange(), 120);
        SnapshotIn in = new SnapshotIn(out.toByteArray());
        HeadSnapshot.read(in, restored);
        assertFalse(in.hasRemaining(), "the whole snapshot was read");
        return restored;
    }

    /** Every series' labels and chunks, bytes and time ranges, in label order. */
    static List<String> dump(Head head) {
        List<MemSeries> series = new ArrayList<>(List.of(head.allSeries()));
        series.sort(head.labelOrder(String::compareTo));
        List<String> out = new ArrayList<>();
        for (MemSeries s : series) {
            StringBuilder b = new StringBuilder(s.labels().toString());
            for (ChunkMeta c : s.chunks()) {
                b.append(" [").append(c.minTime()).append(',').append(c.maxTime()).append(':')
                        .append(java.util.HexFormat.of().formatHex(c.chunk().toByteArray())).append(']');
            }
            out.add(b.toString());
        }
        return out;
    }

    @Test
    void restoredHeadHoldsExactlyTheSameSeriesAndChunkBytes() {
        Head head = sampleHead(new Random(7), 300, 0, 3 * RANGE);
        Head restored = roundTrip(head);
        assertEquals(head.numSeries(), restored.numSeries());
        assertEquals(head.minTime(), restored.minTime());
        assertEquals(head.maxTime(), restored.maxTime());
        assertEquals(dump(head), dump(restored));
        assertEquals(head.postings().allPostings().length, restored.postings().allPostings().length);
    }

    @Test
    void appendsAfterRestoreWriteTheBytesAnUninterruptedHeadWrites() {
        Random rnd = new Random(11);
        Head head = sampleHead(rnd, 200, 0, RANGE + RANGE / 3);
        Head restored = roundTrip(head);
        // The same later samples into both: the restored head must end up identical.
        Random later = new Random(5);
        for (MemSeries s : head.allSeries()) {
            Labels labels = s.labels();
            long t = s.maxTime();
            double v = 0;
            for (int i = 0; i < 300; i++) {
                t += 1000 + later.nextInt(20_000);
                v += later.nextGaussian();
                assertEquals(head.append(head.seriesRef(labels), t, v), restored.append(restored.seriesRef(labels), t, v));
            }
        }
        int a = head.getOrCreateSeries(Labels.of("__name__", "new_after_snapshot"));
        int b = restored.getOrCreateSeries(Labels.of("__name__", "new_after_snapshot"));
        head.append(a, 5, 1);
        restored.append(b, 5, 1);
        assertEquals(dump(head), dump(restored));
        // and a rejected duplicate at the restored newest sample stays rejected
        MemSeries any = head.allSeries()[0];
        int r = restored.seriesRef(any.labels());
        assertEquals(AppendResult.DUPLICATE, restored.append(r, restored.series(r).maxTime(), -12345.5));
    }

    @Test
    void truncatedHeadAndEmptyHeadRoundTrip() {
        Head head = sampleHead(new Random(3), 100, 0, 2 * RANGE);
        head.truncate(RANGE);
        assertEquals(dump(head), dump(roundTrip(head)));
        Head empty = new Head(RANGE, 120);
        assertEquals(0, roundTrip(empty).numSeries());
    }

    @Test
    void damagedSnapshotIsRefusedNotMisread() {
        Head head = sampleHead(new Random(1), 20, 0, RANGE);
        SnapshotOut out = new SnapshotOut(16);
        HeadSnapshot.write(head, out);
        byte[] bytes = out.toByteArray();
        byte[] truncated = java.util.Arrays.copyOf(bytes, bytes.length / 2);
        assertThrows(IllegalArgumentException.class, () -> HeadSnapshot.read(new SnapshotIn(truncated), new Head(RANGE, 120)));
        byte[] badVersion = bytes.clone();
        badVersion[0] = 9;
        assertThrows(IllegalArgumentException.class, () -> HeadSnapshot.read(new SnapshotIn(badVersion), new Head(RANGE, 120)));
    }

    @Test
    void pagedSnapshotReadsAsTheOneArrayDoes() {
        Head head = sampleHead(new Random(5), 300, 0, RANGE);
        SnapshotOut paged = new SnapshotOut(16, 37); // odd page size: varints, strings and chunks straddle borders
        HeadSnapshot.write(head, paged);
        SnapshotOut whole = new SnapshotOut(16);
        HeadSnapshot.write(head, whole);

        List<byte[]> pages = paged.pages();
        assertTrue(pages.size() > 100, "many pages: " + pages.size());
        for (int i = 0; i < pages.size() - 1; i++) assertEquals(37, pages.get(i).length, "page " + i + " is full");
        assertEquals(whole.length(), paged.length());
        assertArrayEquals(whole.toByteArray(), paged.toByteArray());

        Head restored = new Head(head.chunkRange(), 120);
        SnapshotIn in = new SnapshotIn(pages);
        HeadSnapshot.read(in, restored);
        assertFalse(in.hasRemaining());
        assertEquals(dump(head), dump(restored));

        List<byte[]> short1 = new ArrayList<>(pages.subList(0, pages.size() - 1));
        assertThrows(IllegalArgumentException.class, () -> HeadSnapshot.read(new SnapshotIn(short1), new Head(RANGE, 120)),
                "a missing last page is a truncated snapshot");
    }
}
