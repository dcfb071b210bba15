package io.mnemo.tsdb.chunkenc;

import io.mnemo.tsdb.histogram.FloatHistogram.CounterResetHint;
import io.mnemo.tsdb.histogram.FloatHistogram;
import io.mnemo.tsdb.histogram.Histogram;
import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The hot paths allocate nothing per sample: appending samples that keep the chunk's layout,
 * and iterating with instances the caller reuses. Counted with the JVM's per-thread allocation
 * counter, so it holds in the interpreter too, not only after escape analysis.
 */
class HistogramChunkAllocationTest {
    private static final int SAMPLES = 5_000;
    private static final int[] SPANS = {-3, 6, 2, 10, 1, 4};

    private static long allocated() {
        return ((com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean()).getCurrentThreadAllocatedBytes();
    }

    /** Samples with 20 buckets whose counts grow, all in one layout; made before measuring. */
    private static Histogram[] samples() {
        Histogram[] out = new Histogram[SAMPLES];
        long[] deltas = new long[20];
        for (int i = 0; i < SAMPLES; i++) {
            long count = 0;
            long prev = 0;
            for (int b = 0; b < 20; b++) {
                long c = (long) i * (b % 7 + 1) + b;
                deltas[b] = c - prev;
                prev = c;
                count += c;
            }
            out[i] = Histogram.of(3, Math.scalb(1.0, -128), 0, count, i * 0.37, SPANS, deltas, new int[0], new long[0],
                    null, CounterResetHint.UNKNOWN);
        }
        return out;
    }

    @Test
    void appendingInTheLayoutAndIteratingWithReuseAllocateNothingPerSample() {
        Histogram[] hs = samples();
        FloatHistogram[] fs = new FloatHistogram[SAMPLES];
        for (int i = 0; i < SAMPLES; i++) fs[i] = hs[i].toFloat();
        for (int round = 0; round < 2; round++) { // the first round loads and links classes
            HistogramChunk chunk = new HistogramChunk(1 << 20); // big enough not to grow
            HistogramAppender app = chunk.appender();
            app.append(0, hs[0]); // the first sample allocates the layout
            long before = allocated();
            for (int i = 1; i < SAMPLES; i++) app = app.append(i * 15_000L, hs[i]);
            long appending = allocated() - before;

            FloatHistogramChunk fchunk = new FloatHistogramChunk(1 << 20);
            FloatHistogramAppender fapp = fchunk.appender();
            fapp.append(0, fs[0]);
            before = allocated();
            for (int i = 1; i < SAMPLES; i++) fapp = fapp.append(i * 15_000L, fs[i]);
            long floatAppending = allocated() - before;

            HistogramChunkIterator it = chunk.iterator();
            Histogram h = new Histogram();
            FloatHistogram f = FloatHistogram.empty();
            it.next();
            it.atHistogram(h);
            it.atFloatHistogram(f);
            FloatHistogramChunkIterator fit = fchunk.iterator();
            FloatHistogram f2 = FloatHistogram.empty();
            fit.next();
            fit.atFloatHistogram(f2);
            before = allocated();
            int n = 1;
            while (it.next()) {
                it.atHistogram(h);
                it.atFloatHistogram(f);
                fit.next();
                fit.atFloatHistogram(f2);
                n++;
            }
            long iterating = allocated() - before;
            assertEquals(SAMPLES, n);
            assertEquals(hs[SAMPLES - 1].count(), h.count());
            assertEquals(fs[SAMPLES - 1].positiveCount(19), f2.positiveCount(19));
            if (round == 1) {
                assertTrue(appending < 1024, "appending allocated " + appending + " bytes for " + SAMPLES + " samples");
                assertTrue(floatAppending < 1024, "float appending allocated " + floatAppending + " bytes");
                assertTrue(iterating < 1024, "iterating allocated " + iterating + " bytes");
            }
        }
    }
}
