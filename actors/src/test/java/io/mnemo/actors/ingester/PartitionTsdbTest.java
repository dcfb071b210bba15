package io.mnemo.actors.ingester;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mnemo.actors.ingest.IngestRecordWriter;
import io.mnemo.cluster.IngesterId;
import io.mnemo.tsdb.LabelMatcher;
import io.mnemo.tsdb.Querier;
import io.mnemo.tsdb.SampleIterator;
import io.mnemo.tsdb.SeriesSet;
import io.mnemo.tsdb.block.BlockMeta;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PartitionTsdbTest {
    static final long RANGE = 7_200_000L;
    static final long HOUR = 3_600_000L;
    static final long DAY = 24 * HOUR;
    static final IngesterId ID = new IngesterId("zone-a", 0);

    @TempDir
    Path dir;

    /** A record of one series "m" with these samples (value = timestamp in hours). */
    static byte[] record(long... timestamps) {
        IngestRecordWriter w = new IngestRecordWriter();
        w.beginSeries();
        w.labels(new int[] {w.symbol("__name__"), w.symbol("m")}, 2);
        for (long t : timestamps) w.sample(t, Double.doubleToRawLongBits(t / (double) HOUR));
        w.endSeries();
        return w.toByteArray();
    }

    static BatchConsumed batch(long offset, String tenant, byte[] record) {
        return new BatchConsumed(new long[] {offset}, new String[] {tenant}, new byte[][] {record});
    }

    private static int samples(PartitionTsdb tsdb, String tenant) {
        int n = 0;
        try (Querier q = tsdb.querier(tenant, Long.MIN_VALUE, Long.MAX_VALUE)) {
            SeriesSet set = q.select(false, LabelMatcher.equal("__name__", "m"));
            while (set.next()) {
                SampleIterator it = set.at().iterator();
                while (it.next()) n++;
            }
        }
        return n;
    }

    @Test
    void aTenantsDirectoryIsAlwaysItsOwnUnderTsdb() {
        Path tsdb = dir.resolve("data").resolve("tsdb");
        assertEquals(tsdb.toAbsolutePath().resolve("team-a"), PartitionTsdb.tenantDir(tsdb, "team-a"));
        assertEquals(tsdb.toAbsolutePath().resolve("..."), PartitionTsdb.tenantDir(tsdb, "..."), "a valid id, one segment");
        for (String bad : new String[] {"../../escape", "..", ".", "", "a/b", "a/../../b", "/etc", "x/.."}) {
            assertThrows(IllegalStateException.class, () -> PartitionTsdb.tenantDir(tsdb, bad), bad);
        }
        assertThrows(IllegalStateException.class, () -> PartitionTsdb.tenantDir(Path.of("relative/tsdb"), "../escape"));
    }

    @Test
    void recordsKeyedByAnInvalidTenantAreSkippedCountedAndWriteNothing() throws Exception {
        Path data = dir.resolve("data");
        PartitionTsdb tsdb = new PartitionTsdb(ID, data.resolve("tsdb"), RANGE);
        byte[] record = record(HOUR, 2 * HOUR);
        String[] keys = {"../../escape", "", "..", "x".repeat(151), "a/b", "team-a"};
        long[] offsets = {0, 1, 2, 3, 4, 5};
        byte[][] values = new byte[keys.length][];
        java.util.Arrays.fill(values, record);
        PartitionTsdb.ApplyResult r = tsdb.apply(new BatchConsumed(offsets, keys, values));
        assertEquals(Map.of("tenant-unsupported-character", 2L, "tenant-empty", 1L, "tenant-unsafe-path", 1L,
                "tenant-too-long", 1L), r.invalidRecords);
        assertEquals(2, r.appended, "the valid record beside them is applied");
        assertEquals(java.util.Set.of("team-a"), tsdb.tenants.keySet());
        assertThrows(IllegalArgumentException.class, () -> tsdb.tenant("../../escape"));

        // A value that does not decode: applied up to the damage, counted as malformed.
        r = tsdb.apply(batch(6, "team-a", new byte[] {0x0a, 0x7f}));
        assertEquals(Map.of(PartitionTsdb.MALFORMED_RECORD, 1L), r.invalidRecords);

        assertEquals(1, tsdb.flush(7).size());
        try (Stream<Path> s = Files.walk(dir)) {
            assertEquals(List.of(), s.filter(p -> p.getFileName().toString().equals("escape")).toList());
        }
        try (Stream<Path> s = Files.list(data.resolve("tsdb"))) {
            assertEquals(List.of("team-a"), s.map(p -> p.getFileName().toString()).toList());
        }
        tsdb.close();
    }

    @Test
    void refusedSamplesAreCountedPerTenantAndReasonOnlyWhenFirstApplied() {
        PartitionTsdb tsdb = new PartitionTsdb(ID, dir.resolve("tsdb"), RANGE);
        tsdb.apply(batch(0, "t", record(10 * HOUR)));
        PartitionTsdb.ApplyResult r = tsdb.apply(new BatchConsumed(new long[] {1, 2, 3},
                new String[] {"t", "t", "t"}, new byte[][] {
                        record(10 * HOUR - 2 * HOUR),    // out of bounds: before 10 h - 1 h
                        record(10 * HOUR - HOUR / 2),     // in bounds, older than the series' newest: out of order
                        duplicate(10 * HOUR)}));          // the newest's timestamp, another value
        long[] t = r.firstRefused.get("t");
        assertEquals(1, t[Discard.SAMPLE_OUT_OF_BOUNDS.ordinal()]);
        assertEquals(1, t[Discard.SAMPLE_OUT_OF_ORDER.ordinal()]);
        assertEquals(1, t[Discard.NEW_VALUE_FOR_TIMESTAMP.ordinal()]);
        assertArrayEquals(t, r.refused);
        r = tsdb.apply(batch(4, "t", record(10 * HOUR)));
        assertTrue(r.firstRefused.isEmpty(), "an identical repeat of the newest sample is no error");

        // After a cut, records before it are applied again uncounted (a replay, or Kafka after a lost journal).
        tsdb.apply(batch(5, "t", record(13 * HOUR)));
        assertEquals(1, tsdb.compactIfDue(6).size());
        r = tsdb.apply(batch(1, "t", record(10 * HOUR - 2 * HOUR)));
        assertTrue(r.firstRefused.isEmpty(), "counted when first applied");
        tsdb.close();
    }

    /** A record of series "m" with one sample (none when {@code sample} is negative) and exemplars at these times. */
    static byte[] withExemplars(long sample, long... exemplarTimes) {
        IngestRecordWriter w = new IngestRecordWriter();
        w.beginSeries();
        w.labels(new int[] {w.symbol("__name__"), w.symbol("m")}, 2);
        if (sample >= 0) w.sample(sample, Double.doubleToRawLongBits(1));
        for (long t : exemplarTimes) {
            w.exemplar(new int[] {w.symbol("trace_id"), w.symbol("t" + t)}, 2, t, Double.doubleToRawLongBits(t / 10.0));
        }
        w.endSeries();
        return w.toByteArray();
    }

    private static List<Long> exemplarTimes(PartitionTsdb tsdb, String tenant) {
        List<Long> out = new java.util.ArrayList<>();
        for (io.mnemo.tsdb.exemplar.SeriesExemplars s : tsdb.exemplars(tenant, Long.MIN_VALUE, Long.MAX_VALUE,
                List.<LabelMatcher[]>of(new LabelMatcher[] {LabelMatcher.equal("__name__", "m")})).get()) {
            assertEquals(io.mnemo.tsdb.Labels.of("__name__", "m"), s.seriesLabels());
            for (io.mnemo.tsdb.exemplar.Exemplar e : s.exemplars()) out.add(e.timestamp());
        }
        return out;
    }

    @Test
    void exemplarsGoToTheTenantsStoreAndOutOfOrderOnesAreCountedWhenFirstApplied() {
        PartitionTsdb tsdb = new PartitionTsdb(ID, dir.resolve("tsdb"), RANGE);
        tsdb.setExemplarLimits(t -> t.equals("none") ? 0 : 2);
        PartitionTsdb.ApplyResult r = tsdb.apply(batch(0, "t", withExemplars(10 * HOUR, 10 * HOUR, 10 * HOUR + 1)));
        assertEquals(2, r.exemplarsAppended);
        assertEquals(List.of(10 * HOUR, 10 * HOUR + 1), exemplarTimes(tsdb, "t"));

        r = tsdb.apply(new BatchConsumed(new long[] {1, 2}, new String[] {"t", "t"}, new byte[][] {
                withExemplars(-1, 10 * HOUR - 1),      // older than the series' newest, in an entry without samples
                withExemplars(-1, 10 * HOUR + 1)}));   // the newest again: a duplicate, no error
        assertEquals(0, r.exemplarsAppended);
        assertEquals(1, r.firstRefused.get("t")[Discard.EXEMPLAR_OUT_OF_ORDER.ordinal()]);
        assertEquals(0, r.refused[Discard.EXEMPLAR_OUT_OF_ORDER.ordinal()], "not a refused sample");

        r = tsdb.apply(batch(3, "t", withExemplars(-1, 10 * HOUR + 2))); // evicts the oldest: the store holds 2
        assertEquals(1, r.exemplarsAppended);
        assertEquals(List.of(10 * HOUR + 1, 10 * HOUR + 2), exemplarTimes(tsdb, "t"));
        assertEquals(2, tsdb.numExemplars());

        // Exemplars are kept by series labels: a cut that truncates the head keeps them.
        tsdb.apply(batch(4, "t", record(13 * HOUR)));
        assertEquals(1, tsdb.compactIfDue(5).size());
        assertEquals(List.of(10 * HOUR + 1, 10 * HOUR + 2), exemplarTimes(tsdb, "t"));
        // Applied again (a replay), nothing changes and nothing is counted.
        r = tsdb.apply(batch(1, "t", withExemplars(-1, 10 * HOUR - 1)));
        assertTrue(r.firstRefused.isEmpty(), "counted when first applied");

        // A tenant whose limit is 0 keeps none.
        tsdb.apply(batch(6, "none", withExemplars(10 * HOUR, 10 * HOUR)));
        assertEquals(List.of(), exemplarTimes(tsdb, "none"));
        tsdb.close();
    }

    private static byte[] duplicate(long t) {
        IngestRecordWriter w = new IngestRecordWriter();
        w.beginSeries();
        w.labels(new int[] {w.symbol("__name__"), w.symbol("m")}, 2);
        w.sample(t, Double.doubleToRawLongBits(-1));
        w.endSeries();
        return w.toByteArray();
    }

    @Test
    void aTenantKeepsItsShareOfTheMetadataLimitInEachPartition() {
        assertEquals(0, PartitionTsdb.perPartition(0, 4), "0: no limit");
        assertEquals(3, PartitionTsdb.perPartition(10, 4), "ceil(10 / 4)");
        assertEquals(1, PartitionTsdb.perPartition(1, 4));
        assertEquals(Integer.MAX_VALUE, PartitionTsdb.perPartition(Integer.MAX_VALUE, 1));

        PartitionTsdb tsdb = new PartitionTsdb(ID, dir.resolve("tsdb"), RANGE);
        tsdb.setMetadataLimits(tenant -> tenant.equals("small") ? PartitionTsdb.perPartition(3, 2) : 0);
        IngestRecordWriter w = new IngestRecordWriter();
        for (int f = 0; f < 5; f++) {
            w.beginSeries();
            w.labels(new int[] {w.symbol("__name__"), w.symbol("family_" + f)}, 2);
            w.metadata(1, w.symbol("Help " + f + "."), 0);
            w.endSeries();
        }
        byte[] families = w.toByteArray();
        PartitionTsdb.ApplyResult r = tsdb.apply(new BatchConsumed(new long[] {0, 1}, new String[] {"small", "big"},
                new byte[][] {families, families}));
        assertEquals(2, tsdb.tenants.get("small").metadata.size());
        assertEquals(3, r.firstRefused.get("small")[Discard.PER_USER_METADATA_LIMIT.ordinal()]);
        assertEquals(5, tsdb.tenants.get("big").metadata.size());
        assertEquals(null, r.firstRefused.get("big"));
        assertEquals(0, r.refused[Discard.PER_USER_METADATA_LIMIT.ordinal()], "metadata is not a sample");
        tsdb.close();
    }

    @Test
    void aFloodOfSparseOldSamplesIsCutIntoAFewAlignedBlocks() {
        PartitionTsdb tsdb = new PartitionTsdb(ID, dir.resolve("tsdb"), RANGE);
        long end = 1_700_000_000_000L + 17 * 60_000; // not aligned to anything
        long[] ts = new long[300];
        for (int i = 0; i < ts.length; i++) ts[i] = end - (ts.length - 1 - i) * 2 * HOUR;
        assertEquals(300, tsdb.apply(batch(0, "t", record(ts))).appended, "one record: all in bounds of its first sample");
        List<BlockMeta> cut = tsdb.compactIfDue(1);
        // 25 days: a block per UTC day, 2 h and 12 h blocks at the edges; never one per sample.
        assertTrue(cut.size() <= 5 + 1 + 24 + 1 + 5, cut.size() + " blocks");
        assertTrue(cut.size() >= 24, cut.size() + " blocks");
        long days = cut.stream().filter(b -> b.maxTime() - Math.floorDiv(b.maxTime() - 1, DAY) * DAY == DAY
                && b.maxTime() - b.minTime() > 12 * HOUR).count();
        assertTrue(days >= 23, days + " blocks of a day");
        for (BlockMeta b : cut) {
            long size = b.maxTime() % DAY == 0 ? DAY : b.maxTime() % (12 * HOUR) == 0 ? 12 * HOUR : RANGE;
            assertEquals(0, b.maxTime() % RANGE, "aligned: " + b);
            assertTrue(Math.floorDiv(b.minTime(), size) == Math.floorDiv(b.maxTime() - 1, size), "inside one level: " + b);
        }
        long until = Math.floorDiv(end - HOUR, RANGE) * RANGE;
        assertEquals(until, cut.get(cut.size() - 1).maxTime(), "everything due is cut in one pass");
        assertTrue(tsdb.compactIfDue(1).isEmpty());
        assertEquals(300, samples(tsdb, "t"), "every sample once, from blocks and head");
        tsdb.close();
    }

    @Test
    void idleBlocksBeyondTheCapAreUnmappedAndMappedAgainWhenRead() {
        PartitionTsdb tsdb = new PartitionTsdb(ID, dir.resolve("tsdb"), RANGE);
        long t0 = 1_700_006_400_000L;
        int n = PartitionTsdb.MAX_MAPPED_BLOCKS + 40;
        for (int i = 0; i < n + 2; i++) { // one sample per range, cut as it comes: a block each
            tsdb.apply(batch(i, "t", record(t0 + i * RANGE)));
            tsdb.compactIfDue(i + 1);
            assertTrue(mapped(tsdb) <= PartitionTsdb.MAX_MAPPED_BLOCKS, mapped(tsdb) + " blocks mapped");
        }
        assertEquals(n, tsdb.numBlocks());
        assertEquals(PartitionTsdb.MAX_MAPPED_BLOCKS, mapped(tsdb));
        try (Querier q = tsdb.querier("t", Long.MIN_VALUE, Long.MAX_VALUE)) {
            assertEquals(n + 2, count(q), "a query reads every block, mapping the unmapped ones again");
            assertEquals(n, mapped(tsdb), "a query maps what it reads");
        }
        assertEquals(PartitionTsdb.MAX_MAPPED_BLOCKS, mapped(tsdb), "and unmaps the least recently read once closed");
        try (Querier q = tsdb.querier("t", t0, t0 + RANGE - 1)) {
            assertEquals(1, count(q));
        }
        assertTrue(tsdb.tenants.get("t").db.blocks().get(0).isMapped(), "the block just read stays mapped");
        assertEquals(PartitionTsdb.MAX_MAPPED_BLOCKS, mapped(tsdb));
        tsdb.close();

        PartitionTsdb reopened = new PartitionTsdb(ID, dir.resolve("tsdb"), RANGE);
        assertEquals(n, reopened.numBlocks());
        assertEquals(PartitionTsdb.MAX_MAPPED_BLOCKS, mapped(reopened), "opening maps no more than the cap either");
        reopened.close();
    }

    private static long mapped(PartitionTsdb tsdb) {
        return tsdb.tenants.values().stream().flatMap(t -> t.db.blocks().stream()).filter(b -> b.isMapped()).count();
    }

    private static int count(Querier q) {
        int n = 0;
        SeriesSet set = q.select(false, LabelMatcher.equal("__name__", "m"));
        while (set.next()) {
            SampleIterator it = set.at().iterator();
            while (it.next()) n++;
        }
        return n;
    }

    @Test
    void anIngesterOpensOnlyItsOwnBlocksAndTakesTheirOffsetsFromSidecarsOldAndNew() throws Exception {
        long t0 = 1_700_006_400_000L;
        PartitionTsdb tsdb = new PartitionTsdb(ID, dir.resolve("tsdb"), RANGE);
        tsdb.apply(batch(0, "t", record(t0)));
        tsdb.apply(batch(1, "t", record(t0 + 3 * HOUR)));
        List<BlockMeta> cut = tsdb.compactIfDue(2);
        assertEquals(1, cut.size());
        assertEquals(1, tsdb.rebuildOffset(), "the record that brought what stays in the head");
        tsdb.close();
        Path sidecar = dir.resolve("tsdb").resolve("t").resolve(cut.get(0).ulid().toString()).resolve("mnemo.properties");
        assertEquals("version=1\nzone=zone-a\npartition=0\nnextOffset=2\nrebuildOffset=1\n", Files.readString(sidecar));

        // As ingesters wrote it before the sidecar had a version.
        Files.writeString(sidecar, "zone=zone-a\npartition=0\nnextOffset=2\nrebuildOffset=1\n");
        PartitionTsdb reopened = new PartitionTsdb(ID, dir.resolve("tsdb"), RANGE);
        assertEquals(1, reopened.numBlocks());
        assertEquals(1, reopened.rebuildOffset());
        assertEquals(2, reopened.tenants.get("t").cutOffset);
        assertEquals(t0 + RANGE, reopened.tenants.get("t").db.minValidTime());
        reopened.close();

        for (IngesterId other : List.of(new IngesterId("zone-b", 0), new IngesterId("zone-a", 1))) {
            PartitionTsdb others = new PartitionTsdb(other, dir.resolve("tsdb"), RANGE);
            assertEquals(0, others.numBlocks(), other + " leaves it");
            assertEquals(-1, others.rebuildOffset());
            others.close();
        }

        Files.writeString(sidecar, "version=9\nzone=zone-a\npartition=0\n");
        PartitionTsdb unreadable = new PartitionTsdb(ID, dir.resolve("tsdb"), RANGE);
        assertEquals(0, unreadable.numBlocks(), "a sidecar it cannot read is not its own");
        unreadable.close();
    }

    @Test
    void steadyTrafficIsStillCutOneBlockRangeAtATime() {
        PartitionTsdb tsdb = new PartitionTsdb(ID, dir.resolve("tsdb"), RANGE);
        long t0 = 1_700_006_400_000L; // 24 h aligned
        int blocks = 0;
        for (int m = 0; m < 36 * 60; m += 5) {
            tsdb.apply(batch(m, "t", record(t0 + m * 60_000L)));
            for (BlockMeta b : tsdb.compactIfDue(m + 1)) {
                blocks++;
                assertTrue(b.maxTime() - b.minTime() <= RANGE, "one range: " + b);
            }
        }
        assertEquals(17, blocks, "newest at 35:55: the ranges ending by 34 h, one by one");
        assertEquals(36 * 12, samples(tsdb, "t"));
        tsdb.close();
    }

    /** Histogram samples of series {@code name}, through the tenant's merged querier (head and blocks). */
    private static List<String> histogramSamples(PartitionTsdb tsdb, String tenant, String name) {
        List<String> out = new java.util.ArrayList<>();
        try (Querier q = tsdb.querier(tenant, Long.MIN_VALUE, Long.MAX_VALUE)) {
            SeriesSet set = q.select(false, LabelMatcher.equal("__name__", name));
            while (set.next()) {
                io.mnemo.tsdb.HistogramIterator it = (io.mnemo.tsdb.HistogramIterator) set.at().iterator();
                while (it.next()) out.add(it.timestamp() + "=" + it.histogram());
            }
        }
        return out;
    }

    @Test
    void nativeHistogramRefusalsAreCountedAndOutOfOrderOnesComeBackFromTheWriteBehindLog() {
        byte[] invalid = io.mnemo.actors.ingest.HistogramMessages.encode(96 * 15_000L + 1, io.mnemo.tsdb.histogram.Histogram.of(
                0, 0, 0, 1, 1, new int[] {0, 1}, new long[] {5}, new int[0], new long[0], null,
                io.mnemo.tsdb.histogram.FloatHistogram.CounterResetHint.UNKNOWN));
        byte[] inOrder = RecordApplierTest.histograms(100, 110);
        byte[] outOfOrder = RecordApplierTest.histograms(95, 100, invalid);
        PartitionTsdb tsdb = new PartitionTsdb(ID, dir.resolve("tsdb"), RANGE);
        tsdb.setOutOfOrderWindows(tenant -> HOUR);
        tsdb.apply(batch(0, "t", inOrder));
        PartitionTsdb.ApplyResult r = tsdb.apply(batch(1, "t", outOfOrder));
        assertEquals(1, r.firstRefused.get("t")[Discard.INVALID_NATIVE_HISTOGRAM.ordinal()]);
        assertEquals(10, r.appended);
        List<String> h = histogramSamples(tsdb, "t", "h");
        assertEquals(15, h.size());
        List<OutOfOrderLogged> log = tsdb.takeOutOfOrderLog();
        assertEquals(1, log.size());

        // Another start: the in-order record replayed, the log restored, then the out-of-order record
        // replayed with its out-of-order samples skipped (the log brought them).
        PartitionTsdb restarted = new PartitionTsdb(ID, dir.resolve("tsdb-2"), RANGE);
        restarted.setOutOfOrderWindows(tenant -> HOUR);
        restarted.apply(batch(0, "t", inOrder));
        assertEquals(10, restarted.restoreOutOfOrder(log, 1, List.of()));
        r = restarted.apply(batch(1, "t", outOfOrder));
        assertEquals(0, r.appended);
        assertEquals(h, histogramSamples(restarted, "t", "h"));
        assertEquals(15, histogramSamples(restarted, "t", "g").size());
        tsdb.close();
        restarted.close();
    }
}
