package io.mnemo.tsdb.chunkenc;

import io.mnemo.tsdb.StaleNaN;
import io.mnemo.tsdb.chunkenc.HistogramAppender.Outcome;
import io.mnemo.tsdb.histogram.FloatHistogram.CounterResetHint;
import io.mnemo.tsdb.histogram.FloatHistogram;
import io.mnemo.tsdb.histogram.Histogram;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Round trips of random histogram series through both chunk encodings: counters that grow,
 * gain buckets and reset, gauges whose buckets come and go, custom buckets, schema and
 * threshold changes, NaN and infinite sums and stale markers. Every sample comes back (with the
 * empty buckets a recode added), every chunk re-encodes from its own samples to the same bytes,
 * and an appender recovered from a chunk's bytes continues it with the bytes of one
 * uninterrupted encode.
 */
class HistogramChunkProperties {

    /** A sample of a generated series. */
    record Sample(long t, Histogram h) {}

    @Property(tries = 150)
    void integerHistogramsRoundTrip(@ForAll long seed) {
        List<Sample> series = series(new Random(seed));
        List<HistogramChunk> chunks = new ArrayList<>();
        HistogramAppender app = new HistogramChunk().appender();
        chunks.add(app.chunk());
        for (Sample s : series) {
            HistogramAppender next = app.append(s.t(), s.h());
            if (next.outcome() == Outcome.RECODED) chunks.set(chunks.size() - 1, next.chunk());
            if (next.outcome() == Outcome.NEW_CHUNK) chunks.add(next.chunk());
            app = next;
        }
        List<Sample> decoded = new ArrayList<>();
        for (HistogramChunk c : chunks) {
            List<Sample> inChunk = decode(c);
            decoded.addAll(inChunk);
            assertArrayEquals(c.toByteArray(), reencode(c, inChunk, inChunk.size()), "re-encoded " + c);
            int split = 1 + new Random(seed ^ c.length()).nextInt(inChunk.size());
            assertArrayEquals(c.toByteArray(), reencode(c, inChunk, split), "continued after " + split + " of " + c);
        }
        assertEquals(series.size(), decoded.size());
        for (int i = 0; i < series.size(); i++) {
            Sample want = series.get(i);
            Sample got = decoded.get(i);
            assertEquals(want.t(), got.t(), "timestamp " + i);
            assertSame(want.h().toFloat(), got.h().toFloat(), "sample " + i);
            if (want.h().counterResetHint() == CounterResetHint.GAUGE && !want.h().isStale()) {
                assertEquals(CounterResetHint.GAUGE, got.h().counterResetHint(), "gauge " + i);
            }
        }
    }

    @Property(tries = 150)
    void floatHistogramsRoundTrip(@ForAll long seed) {
        List<Sample> series = series(new Random(seed));
        List<FloatHistogramChunk> chunks = new ArrayList<>();
        FloatHistogramAppender app = new FloatHistogramChunk().appender();
        chunks.add(app.chunk());
        for (Sample s : series) {
            FloatHistogramAppender next = app.append(s.t(), s.h().toFloat());
            if (next.outcome() == Outcome.RECODED) chunks.set(chunks.size() - 1, next.chunk());
            if (next.outcome() == Outcome.NEW_CHUNK) chunks.add(next.chunk());
            app = next;
        }
        List<Long> ts = new ArrayList<>();
        List<FloatHistogram> decoded = new ArrayList<>();
        for (FloatHistogramChunk c : chunks) {
            FloatHistogramChunkIterator it = c.iterator();
            FloatHistogramChunk again = new FloatHistogramChunk();
            again.setCounterResetHeader(c.counterResetHeader());
            FloatHistogramAppender re = again.appender();
            List<FloatHistogram> inChunk = new ArrayList<>();
            List<Long> inChunkTs = new ArrayList<>();
            while (it.next()) {
                FloatHistogram f = it.atFloatHistogram(null);
                inChunk.add(f);
                inChunkTs.add(it.timestamp());
                assertEquals(Outcome.APPENDED, re.append(it.timestamp(), f).outcome());
            }
            assertArrayEquals(c.toByteArray(), again.toByteArray(), "re-encoded " + c);
            // Continue from the bytes of the first half.
            int split = Math.max(1, inChunk.size() / 2);
            FloatHistogramChunk half = new FloatHistogramChunk();
            half.setCounterResetHeader(c.counterResetHeader());
            FloatHistogramAppender h = half.appender();
            for (int i = 0; i < split; i++) h.append(inChunkTs.get(i), inChunk.get(i));
            FloatHistogramAppender continued = FloatHistogramChunk.wrap(half.toByteArray()).appender();
            for (int i = split; i < inChunk.size(); i++) continued = continued.append(inChunkTs.get(i), inChunk.get(i));
            assertArrayEquals(c.toByteArray(), continued.chunk().toByteArray(), "continued after " + split + " of " + c);
            decoded.addAll(inChunk);
            ts.addAll(inChunkTs);
        }
        assertEquals(series.size(), decoded.size());
        for (int i = 0; i < series.size(); i++) {
            assertEquals(series.get(i).t(), ts.get(i), "timestamp " + i);
            assertSame(series.get(i).h().toFloat(), decoded.get(i), "sample " + i);
        }
    }

    private static List<Sample> decode(HistogramChunk c) {
        List<Sample> out = new ArrayList<>();
        HistogramChunkIterator it = c.iterator();
        while (it.next()) out.add(new Sample(it.timestamp(), it.atHistogram(null)));
        return out;
    }

    /** The chunk's samples appended again, the first {@code split} into a chunk whose bytes are then continued. */
    private static byte[] reencode(HistogramChunk original, List<Sample> samples, int split) {
        HistogramChunk c = new HistogramChunk();
        c.setCounterResetHeader(original.counterResetHeader());
        HistogramAppender app = c.appender();
        for (int i = 0; i < split; i++) assertEquals(Outcome.APPENDED, app.append(samples.get(i).t(), samples.get(i).h()).outcome());
        if (split == samples.size()) return c.toByteArray();
        HistogramAppender continued = HistogramChunk.wrap(c.toByteArray()).appender();
        for (int i = split; i < samples.size(); i++) {
            assertEquals(Outcome.APPENDED, continued.append(samples.get(i).t(), samples.get(i).h()).outcome());
        }
        return continued.chunk().toByteArray();
    }

    /** The same observations: counts and sum bit for bit, buckets equal once empty ones are dropped. */
    private static void assertSame(FloatHistogram want, FloatHistogram got, String what) {
        if (StaleNaN.is(want.sum())) {
            assertTrue(StaleNaN.is(got.sum()), what + " is a stale marker");
            return;
        }
        assertEquals(want.schema(), got.schema(), what);
        assertEquals(want.zeroThreshold(), got.zeroThreshold(), what);
        assertEquals(Double.doubleToRawLongBits(want.count()), Double.doubleToRawLongBits(got.count()), what);
        assertEquals(Double.doubleToRawLongBits(want.zeroCount()), Double.doubleToRawLongBits(got.zeroCount()), what);
        assertEquals(Double.doubleToRawLongBits(want.sum()), Double.doubleToRawLongBits(got.sum()), what);
        assertArrayEquals(want.customValues(), got.customValues(), what);
        FloatHistogram w = want.copy().compact();
        FloatHistogram g = got.copy().compact();
        assertArrayEquals(w.positiveIndices(), g.positiveIndices(), what + " " + want + " vs " + got);
        assertArrayEquals(w.positiveCounts(), g.positiveCounts(), what);
        assertArrayEquals(w.negativeIndices(), g.negativeIndices(), what);
        assertArrayEquals(w.negativeCounts(), g.negativeCounts(), what);
    }

    // ---- generated series ----

    private static final double[] THRESHOLDS = {0, Math.scalb(1.0, -128), 0.001, 1e-125};
    private static final double[] SUMS = {Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, -0.0};

    /**
     * A series of up to 300 samples that mostly grows like a counter, with random events: new
     * buckets, emptied buckets dropped, counter resets, schema, threshold or custom bound
     * changes, stretches of gauge samples, odd sums and stale markers.
     */
    static List<Sample> series(Random r) {
        List<Sample> out = new ArrayList<>();
        int n = 1 + r.nextInt(300);
        long t = r.nextLong() >> 20;
        long step = 1 + r.nextInt(60_000);
        State s = State.random(r);
        boolean gauge = false;
        for (int i = 0; i < n; i++) {
            t += r.nextInt(10) == 0 ? 1 + r.nextInt(1_000_000) : step;
            int event = r.nextInt(100);
            if (event < 3) {
                out.add(new Sample(t, Histogram.staleMarker()));
                continue;
            } else if (event < 6) {
                s = State.random(r); // another schema, threshold or bounds; counts start over
            } else if (event < 10) {
                s.reset(r);
            } else if (event < 18) {
                s.addBucket(r);
            } else if (event < 21) {
                s.dropEmptyBuckets();
            } else if (event < 24) {
                gauge = !gauge;
            }
            if (gauge) s.wander(r);
            else s.grow(r);
            double sum = r.nextInt(20) == 0 ? SUMS[r.nextInt(SUMS.length)] : r.nextDouble() * 1000;
            out.add(new Sample(t, s.histogram(sum, gauge ? CounterResetHint.GAUGE
                    : r.nextInt(30) == 0 ? CounterResetHint.COUNTER_RESET : CounterResetHint.UNKNOWN)));
        }
        return out;
    }

    /** The buckets of a generated series: index to count per side. */
    static final class State {
        int schema;
        double zeroThreshold;
        double[] custom;
        long zeroCount;
        final TreeMap<Integer, Long> positive = new TreeMap<>();
        final TreeMap<Integer, Long> negative = new TreeMap<>();

        static State random(Random r) {
            State s = new State();
            if (r.nextInt(5) == 0) {
                s.schema = Histogram.CUSTOM_BUCKETS_SCHEMA;
                int nb = 1 + r.nextInt(12);
                s.custom = new double[nb];
                double b = r.nextBoolean() ? 0.005 : -3.7;
                for (int i = 0; i < nb; i++) s.custom[i] = b += r.nextBoolean() ? 0.25 * (1 + r.nextInt(8)) : r.nextDouble() * 40000;
            } else {
                s.schema = -4 + r.nextInt(13);
                s.zeroThreshold = THRESHOLDS[r.nextInt(THRESHOLDS.length)];
            }
            for (int i = r.nextInt(8); i > 0; i--) s.addBucket(r);
            return s;
        }

        boolean custom() { return schema == Histogram.CUSTOM_BUCKETS_SCHEMA; }

        void addBucket(Random r) {
            if (custom()) {
                positive.putIfAbsent(r.nextInt(custom.length + 1), 0L);
            } else {
                (r.nextBoolean() ? positive : negative).putIfAbsent(r.nextInt(41) - 20, r.nextInt(4) == 0 ? 0L : (long) r.nextInt(5));
            }
        }

        void dropEmptyBuckets() {
            positive.values().removeIf(c -> c == 0);
            negative.values().removeIf(c -> c == 0);
        }

        void grow(Random r) {
            for (var e : positive.entrySet()) if (r.nextInt(3) > 0) e.setValue(e.getValue() + r.nextInt(r.nextInt(20) == 0 ? 1_000_000 : 30));
            for (var e : negative.entrySet()) if (r.nextInt(3) > 0) e.setValue(e.getValue() + r.nextInt(30));
            if (!custom() && r.nextBoolean()) zeroCount += r.nextInt(10);
        }

        void reset(Random r) {
            for (var e : positive.entrySet()) e.setValue((long) r.nextInt(3));
            for (var e : negative.entrySet()) e.setValue((long) r.nextInt(3));
            zeroCount = 0;
        }

        /** Gauge movement: counts go up and down, buckets come and go. */
        void wander(Random r) {
            for (var e : positive.entrySet()) e.setValue(Math.max(0, e.getValue() + r.nextInt(21) - 10));
            for (var e : negative.entrySet()) e.setValue(Math.max(0, e.getValue() + r.nextInt(21) - 10));
            if (r.nextInt(4) == 0 && !positive.isEmpty()) positive.remove(positive.firstKey());
            if (r.nextInt(4) == 0) addBucket(r);
            if (!custom()) zeroCount = Math.max(0, zeroCount + r.nextInt(11) - 5);
        }

        Histogram histogram(double sum, CounterResetHint hint) {
            long count = custom() ? 0 : zeroCount;
            for (long c : positive.values()) count += c;
            for (long c : negative.values()) count += c;
            int[] pIdx = positive.keySet().stream().mapToInt(Integer::intValue).toArray();
            int[] nIdx = negative.keySet().stream().mapToInt(Integer::intValue).toArray();
            return Histogram.of(schema, custom() ? 0 : zeroThreshold, custom() ? 0 : zeroCount, count, sum,
                    FloatHistogram.spansOf(pIdx), deltas(positive), FloatHistogram.spansOf(nIdx), deltas(negative),
                    custom == null ? null : Arrays.copyOf(custom, custom.length), hint);
        }

        private static long[] deltas(TreeMap<Integer, Long> side) {
            long[] out = new long[side.size()];
            long prev = 0;
            int i = 0;
            for (long c : side.values()) {
                out[i++] = c - prev;
                prev = c;
            }
            return out;
        }
    }
}
