package io.mnemo.promql;

import io.mnemo.promql.promqltest.TestStorage;
import io.mnemo.tsdb.LabelMatcher;
import io.mnemo.tsdb.Labels;
import io.mnemo.tsdb.Querier;
import io.mnemo.tsdb.SampleIterator;
import io.mnemo.tsdb.Series;
import io.mnemo.tsdb.SeriesSet;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Series held as sorted sample arrays, for tests. A querier only shows samples inside its
 * [mint, maxt], like a real block querier, so an engine that opens too narrow a window fails.
 */
public final class InMemoryStorage implements TestStorage {
    private final Map<Labels, SeriesData> series = new TreeMap<>();
    /** The windows queriers were opened for, in order. */
    public final List<long[]> querierWindows = new ArrayList<>();

    @Override
    public void append(Labels labels, long t, double v) {
        series.computeIfAbsent(labels, l -> new SeriesData()).put(t, v);
    }

    /** Appends samples at the given timestamps; convenient for hand-written tests. */
    public InMemoryStorage add(Labels labels, long[] ts, double[] vs) {
        for (int i = 0; i < ts.length; i++) append(labels, ts[i], vs[i]);
        return this;
    }

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
                out.sort(Comparator.comparing(Series::labels));
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
        int n;

        void put(long t, double v) {
            int i = Arrays.binarySearch(ts, 0, n, t);
            if (i >= 0) {
                vs[i] = v;
                return;
            }
            i = -i - 1;
            if (n == ts.length) {
                ts = Arrays.copyOf(ts, n * 2);
                vs = Arrays.copyOf(vs, n * 2);
            }
            System.arraycopy(ts, i, ts, i + 1, n - i);
            System.arraycopy(vs, i, vs, i + 1, n - i);
            ts[i] = t;
            vs[i] = v;
            n++;
        }

        Series view(Labels labels, long mint, long maxt) {
            int lo = lowerBound(mint);
            int hi = lowerBound(maxt == Long.MAX_VALUE ? maxt : maxt + 1);
            long[] t = Arrays.copyOfRange(ts, lo, hi);
            double[] v = Arrays.copyOfRange(vs, lo, hi);
            return new Series() {
                public Labels labels() { return labels; }
                public SampleIterator iterator() { return new ArrayIterator(t, v); }
            };
        }

        private int lowerBound(long t) {
            int i = Arrays.binarySearch(ts, 0, n, t);
            return i >= 0 ? i : -i - 1;
        }
    }

    private static final class ArrayIterator implements SampleIterator {
        private final long[] ts;
        private final double[] vs;
        private int i = -1;

        ArrayIterator(long[] ts, double[] vs) {
            this.ts = ts;
            this.vs = vs;
        }

        public boolean next() {
            if (i < ts.length) i++;
            return i < ts.length;
        }

        public boolean seek(long t) {
            if (i >= 0 && i < ts.length && ts[i] >= t) return true;
            int from = Math.max(i, 0);
            while (from < ts.length && ts[from] < t) from++;
            i = from;
            return i < ts.length;
        }

        public long timestamp() { return ts[i]; }
        public double value() { return vs[i]; }
    }
}
