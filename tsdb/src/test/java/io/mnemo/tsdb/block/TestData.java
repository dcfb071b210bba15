package io.mnemo.tsdb.block;

import io.mnemo.tsdb.LabelMatcher;
import io.mnemo.tsdb.Labels;
import io.mnemo.tsdb.Querier;
import io.mnemo.tsdb.Queryable;
import io.mnemo.tsdb.SampleIterator;
import io.mnemo.tsdb.SeriesSet;
import io.mnemo.tsdb.StaleNaN;
import io.mnemo.tsdb.head.AppendResult;
import io.mnemo.tsdb.head.Head;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A head full of the shapes of series a block must survive: counters and gauges at 15 s,
 * staleness markers, irregular intervals, series that end before or start after the block's
 * range, sparse series whose chunks straddle both ends of it, optional and non-ASCII labels.
 */
final class TestData {
    static final long T0 = 1_700_000_003_000L;            // not aligned to anything
    static final long SPAN = 4 * 3_600_000L;
    /** The block range [MINT, MAXT): inside the head's span, cutting through chunks. */
    static final long MINT = T0 + 3_600_000L + 7_000;
    static final long MAXT = T0 + 3 * 3_600_000L + 11_000;

    private TestData() {}

    static Head head(int numSeries, long seed) {
        Head head = new Head();
        Random rnd = new Random(seed);
        for (int i = 0; i < numSeries; i++) {
            Labels.Builder b = new Labels.Builder()
                    .set(Labels.METRIC_NAME, "metric_" + (i % 7))
                    .set("job", "job-" + (i % 5))
                    .set("instance", "host-" + i + ".example:9100");
            if (i % 3 != 0) b.set("env", i % 3 == 1 ? "prod" : "dev");
            if (i % 4 == 0) b.set("zone", "zöne-" + (i % 8));
            if (i % 11 == 0) b.set("path", "/a\"b\\c d");
            int ref = head.getOrCreateSeries(b.build());
            switch (i % 6) {
                case 0 -> regular(head, ref, T0, T0 + SPAN, 15_000, rnd, false);
                case 1 -> regular(head, ref, T0, T0 + SPAN, 15_000, rnd, true);
                case 2 -> regular(head, ref, MAXT + 1_000, T0 + SPAN, 15_000, rnd, false); // starts after the block
                case 3 -> regular(head, ref, T0, MINT - 60_000, 15_000, rnd, true);       // ends before it
                case 4 -> { // sparse; every 8th only has samples on both sides of the block range
                    if (i % 8 == 4) {
                        append(head, ref, T0 + 5_000, 1);
                        append(head, ref, T0 + SPAN - 5_000, 2);
                    } else {
                        regular(head, ref, T0 + i, T0 + SPAN, 50 * 60_000, rnd, false);
                    }
                }
                default -> { // irregular intervals: every delta-of-delta bucket
                    long t = T0 + rnd.nextInt(10_000);
                    double v = 0;
                    while (t < T0 + SPAN) {
                        append(head, ref, t, v);
                        v += rnd.nextInt(3) == 0 ? 0 : rnd.nextGaussian() * 1e6;
                        t += 1 + rnd.nextInt(rnd.nextInt(20) == 0 ? 4_000_000 : 60_000);
                    }
                }
            }
        }
        return head;
    }

    private static void regular(Head head, int ref, long from, long to, long step, Random rnd, boolean gauge) {
        double v = rnd.nextInt(1000);
        int n = 0;
        for (long t = from; t < to; t += step, n++) {
            if (gauge && n % 37 == 36) {
                append(head, ref, t, StaleNaN.VALUE);
                continue;
            }
            v = gauge ? rnd.nextDouble() * 100 - 50 : v + rnd.nextInt(10);
            append(head, ref, t, v);
        }
    }

    private static void append(Head head, int ref, long t, double v) {
        assertEquals(AppendResult.OK, head.append(ref, t, v));
    }

    /** Every series of a queryable over [mint, maxt] with its samples as "t raw-value-bits" strings. */
    static TreeMap<Labels, List<String>> dump(Queryable q, long mint, long maxt, LabelMatcher... matchers) {
        if (matchers.length == 0) matchers = new LabelMatcher[] {LabelMatcher.regex(Labels.METRIC_NAME, ".+")};
        TreeMap<Labels, List<String>> out = new TreeMap<>();
        try (Querier querier = q.querier(mint, maxt)) {
            SeriesSet ss = querier.select(true, matchers);
            while (ss.next()) {
                List<String> samples = new ArrayList<>();
                SampleIterator it = ss.at().iterator();
                while (it.next()) samples.add(it.timestamp() + " " + Long.toHexString(Double.doubleToRawLongBits(it.value())));
                if (out.put(ss.at().labels(), samples) != null) throw new AssertionError("series twice: " + ss.at().labels());
            }
        }
        return out;
    }

    /** Equality of two dumps, failing with the first difference rather than both dumps in full. */
    static void assertSameSeries(TreeMap<Labels, List<String>> want, TreeMap<Labels, List<String>> got, String what) {
        if (want.equals(got)) return;
        for (Labels l : want.keySet()) {
            if (!got.containsKey(l)) throw new AssertionError(what + ": missing series " + l + " (" + got.size() + " of " + want.size() + " series)");
            assertSameLines(want.get(l), got.get(l), what + ": series " + l);
        }
        for (Labels l : got.keySet()) {
            if (!want.containsKey(l)) throw new AssertionError(what + ": unexpected series " + l);
        }
    }

    /** Equality of two lists, failing with the first difference. */
    static void assertSameLines(List<String> want, List<String> got, String what) {
        int n = Math.min(want.size(), got.size());
        for (int i = 0; i < n; i++) {
            if (!want.get(i).equals(got.get(i))) {
                throw new AssertionError(what + ": first difference at " + i + ": expected <" + want.get(i) + "> but was <" + got.get(i) + ">");
            }
        }
        if (want.size() != got.size()) {
            throw new AssertionError(what + ": expected " + want.size() + " entries but got " + got.size()
                    + (want.size() > n ? ", first missing <" + want.get(n) + ">" : ", first extra <" + got.get(n) + ">"));
        }
    }

    static long countSamples(TreeMap<Labels, List<String>> dump) {
        return dump.values().stream().mapToLong(List::size).sum();
    }
}
