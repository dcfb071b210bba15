package io.mnemo.promql.promqltest;

import io.mnemo.tsdb.HistogramIterator;
import io.mnemo.tsdb.LabelMatcher;
import io.mnemo.tsdb.Labels;
import io.mnemo.tsdb.Querier;
import io.mnemo.tsdb.Series;
import io.mnemo.tsdb.SeriesSet;
import io.mnemo.tsdb.histogram.FloatHistogram;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Series held as sorted sample arrays in memory, floats and native histograms, for test scripts
 * and tests. A querier only shows samples inside its [mint, maxt], like a block querier, so an
 * engine that opens too narrow a window sees the difference. Not thread-safe for writes.
 */
public final class InMemoryStorage implements TestStorage {
    private final Map<Labels, SeriesData> series = new TreeMap<>();
    private final List<long[]> querierWindows = new ArrayList<>();

    @Override
    public void append(Labels labels, long t, double v) {
        series.computeIfAbsent(labels, l -> new SeriesData()).put(t, v, null);
    }

    /**
     * Adds a native histogram sample with the counter reset hint Prometheus's TSDB reads back for
     * it: a counter histogram that continues its chunk reads as "no counter reset"; one that starts
     * a chunk (the first, after a float or a gauge, after a counter reset, detected or declared, or
     * when the chunk is full at 120 samples) as "unknown". Gauge histograms stay gauges.
     */
    @Override
    public void appendHistogram(Labels labels, long t, FloatHistogram h) {
        SeriesData d = series.computeIfAbsent(labels, l -> new SeriesData());
        d.put(t, 0, withChunkHint(d, t, h));
    }

    private static FloatHistogram withChunkHint(SeriesData d, long t, FloatHistogram h) {
        FloatHistogram.CounterResetHint gauge = FloatHistogram.CounterResetHint.GAUGE;
        FloatHistogram prev = d.n > 0 && d.ts[d.n - 1] < t && d.hs != null ? d.hs[d.n - 1] : null;
        boolean continues = prev != null && d.chunkLength < 120 && (prev.counterResetHint() == gauge) == (h.counterResetHint() == gauge)
                && prev.schema() == h.schema() && prev.zeroThreshold() == h.zeroThreshold();
        if (continues && h.counterResetHint() != gauge) {
            FloatHistogram plain = h.copy();
            plain.setCounterResetHint(FloatHistogram.CounterResetHint.UNKNOWN);
            continues = h.counterResetHint() != FloatHistogram.CounterResetHint.COUNTER_RESET && !plain.detectReset(prev);
        }
        d.chunkLength = continues ? d.chunkLength + 1 : 1;
        if (h.counterResetHint() == gauge) return h;
        FloatHistogram.CounterResetHint hint = continues
                ? FloatHistogram.CounterResetHint.NOT_COUNTER_RESET : FloatHistogram.CounterResetHint.UNKNOWN;
        if (hint == h.counterResetHint()) return h;
        FloatHistogram c = h.copy();
        c.setCounterResetHint(hint);
        return c;
    }

    /** Appends float samples at the given timestamps. */
    public InMemoryStorage add(Labels labels, long[] ts, double[] vs) {
        for (int i = 0; i < ts.length; i++) append(labels, ts[i], vs[i]);
        return this;
    }

    /** The [mint, maxt] windows queriers were opened for, in order. */
    public List<long[]> querierWindows() { return Collections.unmodifiableList(querierWindows); }

    @Override
    public Querier querier(long mint, long maxt) {
        querierWindows.add(new long[] {mint, maxt});
        return new Querier() {
            @Override
            public SeriesSet select(boolean sorted, LabelMatcher... matchers) {
                if (Arrays.stream(matchers).allMatch(LabelMatcher::matchesEmpty)) {
                    throw new IllegalArgumentException("select needs a matcher that does not match the empty string");
                }
                List<Series> out = new ArrayList<>();
                for (Map.Entry<Labels, SeriesData> e : series.entrySet()) {
                    if (matchesAll(e.getKey(), matchers)) out.add(e.getValue().view(e.getKey(), mint, maxt));
                }
                return SeriesSet.of(out);
            }

            @Override
            public List<String> labelNames(LabelMatcher... matchers) {
                TreeSet<String> names = new TreeSet<>();
                for (Labels l : series.keySet()) if (matchesAll(l, matchers)) names.addAll(l.names());
                return List.copyOf(names);
            }

            @Override
            public List<String> labelValues(String name, LabelMatcher... matchers) {
                TreeSet<String> values = new TreeSet<>();
                for (Labels l : series.keySet()) if (matchesAll(l, matchers) && l.has(name)) values.add(l.get(name));
                return List.copyOf(values);
            }
        };
    }

    private static boolean matchesAll(Labels l, LabelMatcher[] matchers) {
        for (LabelMatcher m : matchers) if (!m.matches(l.get(m.name()))) return false;
        return true;
    }

    private static final class SeriesData {
        long[] ts = new long[8];
        double[] vs = new double[8];
        FloatHistogram[] hs;
        int n;
        /** Histogram samples in the current (emulated) chunk. */
        int chunkLength;

        void put(long t, double v, FloatHistogram h) {
            int i = Arrays.binarySearch(ts, 0, n, t);
            if (i < 0) {
                i = -i - 1;
                if (n == ts.length) {
                    ts = Arrays.copyOf(ts, n * 2);
                    vs = Arrays.copyOf(vs, n * 2);
                    if (hs != null) hs = Arrays.copyOf(hs, n * 2);
                }
                System.arraycopy(ts, i, ts, i + 1, n - i);
                System.arraycopy(vs, i, vs, i + 1, n - i);
                if (hs != null) System.arraycopy(hs, i, hs, i + 1, n - i);
                n++;
            }
            ts[i] = t;
            vs[i] = v;
            if (h != null && hs == null) hs = new FloatHistogram[ts.length];
            if (hs != null) hs[i] = h;
        }

        Series view(Labels labels, long mint, long maxt) {
            int lo = lowerBound(mint);
            int hi = maxt == Long.MAX_VALUE ? n : lowerBound(maxt + 1);
            long[] t = Arrays.copyOfRange(ts, lo, hi);
            double[] v = Arrays.copyOfRange(vs, lo, hi);
            FloatHistogram[] h = hs == null ? null : Arrays.copyOfRange(hs, lo, hi);
            return new Series() {
                public Labels labels() { return labels; }
                public ArrayIterator iterator() { return new ArrayIterator(t, v, h); }
            };
        }

        private int lowerBound(long t) {
            int i = Arrays.binarySearch(ts, 0, n, t);
            return i >= 0 ? i : -i - 1;
        }
    }

    private static final class ArrayIterator implements HistogramIterator {
        private final long[] ts;
        private final double[] vs;
        private final FloatHistogram[] hs;
        private int i = -1;

        ArrayIterator(long[] ts, double[] vs, FloatHistogram[] hs) {
            this.ts = ts;
            this.vs = vs;
            this.hs = hs;
        }

        public boolean next() {
            if (i < ts.length) i++;
            return i < ts.length;
        }

        public boolean seek(long t) {
            if (i >= 0 && i < ts.length && ts[i] >= t) return true;
            int lo = Math.max(i, 0);
            int found = Arrays.binarySearch(ts, lo, ts.length, t);
            i = found >= 0 ? found : -found - 1;
            return i < ts.length;
        }

        public long timestamp() { return ts[i]; }
        public double value() { return vs[i]; }
        public FloatHistogram histogram() { return hs == null ? null : hs[i]; }
    }
}
