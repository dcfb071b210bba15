package io.mnemo.bucketstore;

import io.mnemo.objstore.Bucket;
import io.mnemo.tsdb.LabelMatcher;
import io.mnemo.tsdb.Labels;
import io.mnemo.tsdb.Querier;
import io.mnemo.tsdb.SampleIterator;
import io.mnemo.tsdb.SeriesSet;
import io.mnemo.tsdb.StaleNaN;
import io.mnemo.tsdb.block.BlockMeta;
import io.mnemo.tsdb.block.BlockWriter;
import io.mnemo.tsdb.head.Head;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.TreeMap;

/**
 * Blocks for the bucket store's tests, written by tsdb's {@link BlockWriter} from a head of
 * varied series: counters and gauges (staleness markers included) a sample a minute in chunks of
 * 30 samples, series that start late or end early, sparse series whose one chunk straddles a
 * query's range, optional and non-ASCII labels; and the dumps the tests compare.
 */
final class StoreData {
    static final long T0 = 1_700_006_400_000L; // aligned to 2 h
    static final long RANGE = 7_200_000L;
    static final String TENANT = "team-a";

    private StoreData() {}

    /** The labels of series i. */
    static Labels labels(int i) {
        Labels.Builder b = new Labels.Builder()
                .set(Labels.METRIC_NAME, "metric_" + (i % 10))
                .set("job", "job-" + (i % 20))
                .set("instance", "host-" + i + ".example:9100");
        if (i % 3 != 0) b.set("env", i % 3 == 1 ? "prod" : "dev");
        if (i % 4 == 0) b.set("zone", "zöne-" + (i % 8));
        if (i % 101 == 0) b.set("path", "/a\"b\\c d");
        return b.build();
    }

    /** A head of {@code n} series over [T0, T0 + RANGE). */
    static Head head(int n, long seed) {
        Head head = new Head(RANGE, 30);
        Random rnd = new Random(seed);
        for (int i = 0; i < n; i++) {
            int ref = head.getOrCreateSeries(labels(i));
            switch (i % 5) {
                case 0, 1 -> regular(head, ref, T0, T0 + RANGE, rnd, i % 5 == 1);
                case 2 -> regular(head, ref, T0 + RANGE / 2 + 30_000, T0 + RANGE, rnd, false); // starts late
                case 3 -> regular(head, ref, T0, T0 + RANGE / 3, rnd, true);                   // ends early
                default -> { // sparse: a sample at each end of the range, one chunk across it
                    head.append(ref, T0 + 5_000, i);
                    head.append(ref, T0 + RANGE - 5_000, i + 1);
                }
            }
        }
        return head;
    }

    private static void regular(Head head, int ref, long from, long to, Random rnd, boolean gauge) {
        double v = rnd.nextInt(1000);
        int n = 0;
        for (long t = from; t < to; t += 60_000, n++) {
            if (gauge && n % 37 == 36) {
                head.append(ref, t, StaleNaN.VALUE);
                continue;
            }
            v = gauge ? rnd.nextDouble() * 100 - 50 : v + rnd.nextInt(10);
            head.append(ref, t, v);
        }
    }

    /** Writes the head's samples in [from, to) as a block under {@code dir}; returns the block's directory. */
    static Path write(Head head, Path dir, long from, long to, long segmentBytes) {
        try {
            BlockMeta meta = new BlockWriter(dir, segmentBytes).write(head, from, to).orElseThrow();
            return dir.resolve(meta.ulid().toString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Path write(Head head, Path dir, long from, long to) {
        return write(head, dir, from, to, 512L << 20);
    }

    /** Uploads a block as the ingesters' shipper does. */
    static BucketBlockMeta upload(Bucket bucket, Path block) {
        try {
            return new BlockTransfer(bucket).upload(TENANT, block);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static BucketStoreConfig config(long indexCacheBytes, long chunksCacheBytes) {
        return new BucketStoreConfig(Duration.ZERO, indexCacheBytes, chunksCacheBytes, Clock.systemUTC());
    }

    /** Every series a select gives, with its samples as "t raw-value-bits". */
    static TreeMap<Labels, List<String>> dump(Querier q, LabelMatcher... matchers) {
        TreeMap<Labels, List<String>> out = new TreeMap<>();
        SeriesSet ss = q.select(true, matchers);
        Labels previous = null;
        while (ss.next()) {
            Labels l = ss.at().labels();
            if (previous != null && previous.compareTo(l) >= 0) throw new AssertionError("series out of order: " + l + " after " + previous);
            previous = l;
            List<String> samples = new ArrayList<>();
            for (SampleIterator it = ss.at().iterator(); it.next(); ) {
                samples.add(it.timestamp() + " " + Long.toHexString(Double.doubleToRawLongBits(it.value())));
            }
            out.put(l, samples);
        }
        return out;
    }

    /** Equality of two dumps, failing with the first difference rather than both dumps in full. */
    static void assertSameSeries(TreeMap<Labels, List<String>> want, TreeMap<Labels, List<String>> got, String what) {
        if (want.equals(got)) return;
        for (Labels l : want.keySet()) {
            if (!got.containsKey(l)) throw new AssertionError(what + ": missing series " + l + " (" + got.size() + " of " + want.size() + " series)");
            if (!want.get(l).equals(got.get(l))) {
                throw new AssertionError(what + ": series " + l + ": expected " + want.get(l) + " but was " + got.get(l));
            }
        }
        for (Labels l : got.keySet()) {
            if (!want.containsKey(l)) throw new AssertionError(what + ": unexpected series " + l);
        }
    }

    static long samples(TreeMap<Labels, List<String>> dump) {
        return dump.values().stream().mapToLong(List::size).sum();
    }
}
