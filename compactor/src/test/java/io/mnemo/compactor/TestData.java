package io.mnemo.compactor;

import io.mnemo.bucketstore.BlockOrigin;
import io.mnemo.bucketstore.BlockTransfer;
import io.mnemo.bucketstore.BucketBlockMeta;
import io.mnemo.bucketstore.BucketLayout;
import io.mnemo.bucketstore.bucketindex.BucketIndex;
import io.mnemo.objstore.Bucket;
import io.mnemo.tsdb.LabelMatcher;
import io.mnemo.tsdb.Labels;
import io.mnemo.tsdb.Querier;
import io.mnemo.tsdb.SampleIterator;
import io.mnemo.tsdb.SeriesSet;
import io.mnemo.tsdb.block.BlockReader;
import io.mnemo.tsdb.block.BlockWriter;
import io.mnemo.tsdb.db.BlockSidecar;
import io.mnemo.tsdb.head.Head;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.Map;
import java.util.TreeMap;

/** Blocks as ingesters ship them, and what a tenant's live blocks in the bucket hold. */
final class TestData {
    static final long H2 = Duration.ofHours(2).toMillis();
    /** A day boundary (UTC), so 12 two-hour blocks from here fill one 24 h range. */
    static final long DAY0 = 1_700_006_400_000L - 1_700_006_400_000L % Duration.ofDays(1).toMillis();

    private TestData() {}

    /** One series' samples, by series then timestamp. */
    static final class Samples {
        final Map<String, TreeMap<Long, Double>> bySeries = new TreeMap<>();
        long count;

        void add(String series, long t, double v) {
            Double old = bySeries.computeIfAbsent(series, s -> new TreeMap<>()).put(t, v);
            if (old == null) count++;
        }
    }

    /**
     * Cuts a block [from, to) of {@code series} series, a sample every {@code step} ms starting
     * {@code offset} after {@code from}, shipped by (zone, partition 0), and uploads it. The
     * samples go into {@code expected} too.
     */
    static BucketBlockMeta ship(Bucket bucket, Path local, String tenant, String zone, long from, long to, int series, long step,
                                long offset, Samples expected) throws IOException {
        Head head = new Head();
        for (int s = 0; s < series; s++) {
            Labels l = Labels.of("__name__", "m", "s", Integer.toString(s), "tenant", tenant);
            int ref = head.getOrCreateSeries(l);
            for (long t = from + offset; t < to; t += step) {
                double v = s * 1000 + (t - DAY0) / 60_000.0;
                head.append(ref, t, v);
                if (expected != null) expected.add(l.toString(), t, v);
            }
        }
        BlockOrigin origin = new BlockOrigin(zone, 0, 100, 90);
        Path dir = new BlockWriter(local.resolve(tenant).resolve(zone))
                .write(head, from, to, Map.of(BlockSidecar.FILE, new BlockSidecar(origin.fields(), false).encode()))
                .map(m -> local.resolve(tenant).resolve(zone).resolve(m.ulid().toString())).orElseThrow();
        return new BlockTransfer(bucket).upload(tenant, dir);
    }

    /** Everything the tenant's live blocks (by its bucket index) hold; {@code count} counts a sample once per block holding it. */
    static Samples live(Bucket bucket, String tenant, Path local) throws IOException {
        BucketIndex index = BucketIndex.read(bucket, tenant).orElseThrow();
        Samples out = new Samples();
        long total = 0;
        for (BucketIndex.Block b : index.liveBlocks()) {
            BucketBlockMeta meta = BucketLayout.meta(bucket, tenant, b.id()).orElseThrow();
            Path dir = new BlockTransfer(bucket).download(tenant, meta, local.resolve("read").resolve(tenant));
            try (BlockReader r = BlockReader.open(dir); Querier q = r.querier(Long.MIN_VALUE, Long.MAX_VALUE)) {
                SeriesSet set = q.select(true, LabelMatcher.regex("__name__", ".+"));
                while (set.next()) {
                    for (SampleIterator it = set.at().iterator(); it.next(); ) {
                        out.add(set.at().labels().toString(), it.timestamp(), it.value());
                        total++;
                    }
                }
            }
        }
        out.count = total;
        return out;
    }

    /** A clock the test moves. */
    static final class MutableClock extends Clock {
        volatile Instant now;

        MutableClock(Instant now) { this.now = now; }

        void advance(Duration d) { now = now.plus(d); }

        @Override
        public ZoneId getZone() { return ZoneId.of("UTC"); }

        @Override
        public Clock withZone(ZoneId zone) { return this; }

        @Override
        public Instant instant() { return now; }
    }
}
