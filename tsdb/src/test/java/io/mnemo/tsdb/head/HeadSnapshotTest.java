package io.mnemo.tsdb.head;

import static org.junit.jupiter.api.Assertions.*;

import io.mnemo.tsdb.Labels;
import io.mnemo.tsdb.StaleNaN;
import io.mnemo.tsdb.chunkenc.Chunk;
import io.mnemo.tsdb.chunkenc.ChunkEncoding;
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
                b.append(" [").append(c.chunk().encoding()).append(' ').append(c.minTime()).append(',').append(c.maxTime()).append(':')
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

    /** Series of every kind: floats, integer and float histograms, and one that changes type twice. */
    static Head mixedHead() {
        Head head = new Head(RANGE, 120);
        int f = head.getOrCreateSeries(Labels.of("__name__", "floats"));
        int h = head.getOrCreateSeries(Labels.of("__name__", "histograms"));
        int g = head.getOrCreateSeries(Labels.of("__name__", "float_histograms"));
        int m = head.getOrCreateSeries(Labels.of("__name__", "mixed"));
        long step = 15_000;
        for (int k = 0; k < 300; k++) {
            long t = k * step;
            head.append(f, t, k * 0.5);
            assertEquals(AppendResult.OK, head.appendHistogram(h, t, HistogramHeadTest.counter(k, 60)));
            assertEquals(AppendResult.OK, head.appendFloatHistogram(g, t, HistogramHeadTest.gauge(k)));
            AppendResult r = k < 100 ? head.append(m, t, k) : k < 200 ? head.appendHistogram(m, t, HistogramHeadTest.counter(k, 8))
                    : head.appendFloatHistogram(m, t, HistogramHeadTest.gauge(k));
            assertEquals(AppendResult.OK, r);
        }
        return head;
    }

    @Test
    void histogramChunksRoundTripWithTheirEncodingsAndContinueUninterrupted() {
        Head head = mixedHead();
        Head restored = roundTrip(head);
        List<String> dumped = dump(restored);
        assertEquals(dump(head), dumped);
        assertTrue(dumped.toString().contains("FLOAT_HISTOGRAM") && dumped.toString().contains("[HISTOGRAM"));

        // The open histogram chunks continue as if never interrupted; repeats of the restored newest
        // sample are told from other values although the head did not append it itself.
        long t = 300 * 15_000L;
        int h = restored.seriesRef(Labels.of("__name__", "histograms"));
        assertEquals(AppendResult.OK, restored.appendHistogram(h, t - 15_000, HistogramHeadTest.counter(299, 60)));
        assertEquals(AppendResult.DUPLICATE, restored.appendHistogram(h, t - 15_000, HistogramHeadTest.counter(298, 60)));
        int m = restored.seriesRef(Labels.of("__name__", "mixed"));
        assertEquals(AppendResult.OK, restored.appendFloatHistogram(m, t - 15_000, HistogramHeadTest.gauge(299)));
        for (int k = 300; k < 400; k++, t += 15_000) {
            for (Head x : List.of(head, restored)) {
                assertEquals(AppendResult.OK, x.appendHistogram(x.seriesRef(Labels.of("__name__", "histograms")), t,
                        HistogramHeadTest.counter(k, 60)));
                assertEquals(AppendResult.OK, x.appendFloatHistogram(x.seriesRef(Labels.of("__name__", "float_histograms")), t,
                        HistogramHeadTest.gauge(k)));
                assertEquals(AppendResult.OK, x.append(x.seriesRef(Labels.of("__name__", "mixed")), t, k));
            }
        }
        assertEquals(dump(head), dump(restored));
    }

    @Test
    void versionOneSnapshotsOfFloatChunksAreStillRead() {
        Head head = sampleHead(new Random(9), 50, 0, 2 * RANGE);
        SnapshotOut out = new SnapshotOut(16);
        writeVersionOne(head, out);
        Head restored = new Head(RANGE, 120);
        SnapshotIn in = new SnapshotIn(out.toByteArray());
        HeadSnapshot.read(in, restored);
        assertFalse(in.hasRemaining());
        assertEquals(dump(head), dump(restored));
    }

    /** The format before heads held histograms: as version 2 without the encoding bytes. */
    private static void writeVersionOne(Head head, SnapshotOut out) {
        MemSeries[] series = head.allSeries();
        java.util.Arrays.sort(series, java.util.Comparator.comparingInt(MemSeries::ref));
        List<String> symbols = new ArrayList<>();
        java.util.Map<String, Integer> index = new java.util.HashMap<>();
        for (MemSeries s : series) {
            Labels l = s.labels();
            for (int i = 0; i < l.size(); i++) {
                for (String str : new String[] {l.name(i), l.value(i)}) {
                    if (index.putIfAbsent(str, symbols.size()) == null) symbols.add(str);
                }
            }
        }
        out.putUvarint(1);
        out.putUvarint(symbols.size());
        for (String str : symbols) out.putString(str);
        out.putUvarint(series.length);
        for (MemSeries s : series) {
            Labels l = s.labels();
            out.putUvarint(2L * l.size());
            for (int i = 0; i < l.size(); i++) {
                out.putUvarint(index.get(l.name(i)));
                out.putUvarint(index.get(l.value(i)));
            }
            assertNull(s.closedChunkEncodings());
            out.putUvarint(s.closedChunks().length);
            for (int c = 0; c < s.closedChunks().length; c++) {
                out.putVarint(s.closedChunkTimes()[2 * c]);
                out.putUvarint(s.closedChunkTimes()[2 * c + 1] - s.closedChunkTimes()[2 * c]);
                out.putBytes(s.closedChunks()[c]);
            }
            Chunk open = s.headChunk();
            if (open == null) {
                out.putByte(0);
            } else {
                assertEquals(ChunkEncoding.XOR, open.encoding());
                out.putByte(1);
                out.putVarint(s.headChunkMinTime());
                out.putBytes(open.toByteArray());
            }
        }
    }
}
