package io.mnemo.tsdb;

import io.mnemo.tsdb.chunkenc.ChunkMeta;
import io.mnemo.tsdb.chunkenc.XorAppender;
import io.mnemo.tsdb.chunkenc.XorChunk;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;

class ChunkSeriesIteratorTest {

    /** Random chunked series, random ranges, random next/seek sequences vs. a filtered array. */
    @Test
    void behavesLikeAFilteredListUnderRandomNextAndSeek() {
        Random r = new Random(11);
        for (int round = 0; round < 500; round++) {
            int n = r.nextInt(400);
            long[] ts = new long[n];
            long t = r.nextInt(100);
            for (int i = 0; i < n; i++) {
                t += 1 + r.nextInt(r.nextBoolean() ? 3 : 50);
                ts[i] = t;
            }
            List<ChunkMeta> chunks = new ArrayList<>();
            int i = 0;
            while (i < n) {
                int size = 1 + r.nextInt(130);
                XorChunk c = new XorChunk();
                XorAppender app = c.appender();
                int start = i;
                for (; i < n && i - start < size; i++) app.append(ts[i], ts[i] * 0.5);
                chunks.add(new ChunkMeta(c, ts[start], ts[i - 1]));
            }
            long mint = r.nextInt((int) t + 50) - 20;
            long maxt = mint + r.nextInt((int) t + 50);
            long[] expected = java.util.Arrays.stream(ts).filter(x -> x >= mint && x <= maxt).toArray();

            SampleIterator it = new ChunkSeriesIterator(chunks.toArray(new ChunkMeta[0]), mint, maxt);
            int pos = -1; // index in expected of the current sample
            boolean done = false;
            for (int step = 0; step < 60 && !done; step++) {
                boolean ok;
                int want;
                if (r.nextBoolean()) {
                    ok = it.next();
                    want = pos + 1;
                } else {
                    long target = (pos >= 0 && pos < expected.length ? expected[pos] : mint) + r.nextInt(80) - 20;
                    ok = it.seek(target);
                    want = Math.max(pos, 0);
                    while (want < expected.length && expected[want] < target) want++;
                }
                boolean exists = want < expected.length;
                assertEquals(exists, ok, "round " + round + " step " + step);
                if (!exists) {
                    done = true;
                } else {
                    pos = want;
                    assertEquals(expected[pos], it.timestamp());
                    assertEquals(expected[pos] * 0.5, it.value());
                }
            }
            if (done) {
                assertFalse(it.next());
                assertFalse(it.seek(Long.MIN_VALUE));
            }
        }
    }

    /**
     * A series that changes sample type at chunk boundaries (floats, integer histograms, float
     * histograms, floats again): every sample comes back with its type, seek crosses encodings,
     * and the histograms handed out stay unchanged as the iterator moves on.
     */
    @Test
    void readsChunksOfEveryEncodingInOneSeries() {
        int[] spans = {0, 2};
        XorChunk floats = new XorChunk();
        XorAppender fa = floats.appender();
        for (long t = 1; t <= 3; t++) fa.append(t, t * 10);
        io.mnemo.tsdb.chunkenc.HistogramChunk ints = new io.mnemo.tsdb.chunkenc.HistogramChunk();
        io.mnemo.tsdb.chunkenc.HistogramAppender ia = ints.appender();
        for (long t = 4; t <= 6; t++) {
            ia = ia.append(t, io.mnemo.tsdb.histogram.Histogram.of(0, 0, 0, 2 * t, t, spans, new long[] {t, 0},
                    new int[0], new long[0], null, io.mnemo.tsdb.histogram.FloatHistogram.CounterResetHint.UNKNOWN));
        }
        io.mnemo.tsdb.chunkenc.FloatHistogramChunk fls = new io.mnemo.tsdb.chunkenc.FloatHistogramChunk();
        io.mnemo.tsdb.chunkenc.FloatHistogramAppender fha = fls.appender();
        for (long t = 7; t <= 8; t++) {
            fha = fha.append(t, io.mnemo.tsdb.histogram.Histogram.of(0, 0, 0, 2 * t, t, spans, new long[] {t, 0},
                    new int[0], new long[0], null, io.mnemo.tsdb.histogram.FloatHistogram.CounterResetHint.UNKNOWN).toFloat());
        }
        XorChunk again = new XorChunk();
        again.appender().append(9, StaleNaN.VALUE);
        ChunkMeta[] chunks = {
                new ChunkMeta(floats, 1, 3), new ChunkMeta(ints, 4, 6), new ChunkMeta(fls, 7, 8), new ChunkMeta(again, 9, 9)};

        ChunkSeriesIterator it = new ChunkSeriesIterator(chunks, 2, 9);
        List<io.mnemo.tsdb.histogram.FloatHistogram> kept = new ArrayList<>();
        long expected = 2;
        while (it.next()) {
            assertEquals(expected, it.timestamp());
            io.mnemo.tsdb.histogram.FloatHistogram h = it.histogram();
            if (expected <= 3 || expected == 9) {
                assertNull(h, "float sample at " + expected);
                assertFalse(it.isHistogram());
                if (expected <= 3) assertEquals(expected * 10, it.value());
                else assertTrue(StaleNaN.is(it.value()));
            } else {
                assertNotNull(h, "histogram sample at " + expected);
                assertTrue(it.isHistogram());
                assertSame(h, it.histogram(), "one instance per sample");
                assertEquals(2.0 * expected, h.count());
                assertEquals(expected, h.sum());
                kept.add(h);
            }
            expected++;
        }
        assertEquals(10, expected);
        for (int i = 0; i < kept.size(); i++) assertEquals(4.0 + i, kept.get(i).sum(), "kept histograms unchanged");

        ChunkSeriesIterator seeker = new ChunkSeriesIterator(chunks, 0, 7);
        assertTrue(seeker.seek(5));
        assertEquals(5, seeker.timestamp());
        assertEquals(10.0, seeker.histogram().count());
        assertTrue(seeker.seek(7));
        assertEquals(14.0, seeker.histogram().count());
        assertFalse(seeker.next(), "8 is past maxt");
    }
}
