package io.mnemo.actors.ingester;

import static org.junit.jupiter.api.Assertions.*;

import io.mnemo.actors.distributor.MetadataReader;
import io.mnemo.actors.distributor.PartitionSplitter;
import io.mnemo.actors.distributor.SeriesValidator;
import io.mnemo.actors.distributor.WriteRequestReader;
import io.mnemo.actors.prompb.Remote;
import io.mnemo.cluster.IngesterId;
import io.mnemo.persistence.snapshot.PagedSnapshot;
import io.mnemo.tsdb.LabelMatcher;
import io.mnemo.tsdb.Querier;
import io.mnemo.tsdb.SampleIterator;
import io.mnemo.tsdb.SeriesSet;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PartitionSnapshotCodecTest {
    static final long RANGE = 3_600_000L;
    static final IngesterId ID = new IngesterId("zone-a", 3);
    static final String[] TENANTS = {"team-a", "team-b"};

    @TempDir
    Path dir;

    /** Batch {@code b}: one record per tenant, 50 series each, one sample a minute; metadata in the first. */
    static BatchConsumed batch(int b) {
        long[] offsets = new long[TENANTS.length];
        byte[][] values = new byte[TENANTS.length][];
        for (int r = 0; r < TENANTS.length; r++) {
            Remote.WriteRequest.Builder w = Remote.WriteRequest.newBuilder();
            for (int s = 0; s < 50; s++) {
                w.addTimeseries(Remote.TimeSeries.newBuilder()
                        .addLabels(Remote.Label.newBuilder().setName("__name__").setValue("req_total"))
                        .addLabels(Remote.Label.newBuilder().setName("pod").setValue("p-" + s))
                        .addSamples(Remote.Sample.newBuilder().setTimestamp(b * 60_000L + s).setValue(b * (s + 1) + 0.25)));
            }
            if (b == 0) {
                w.addMetadata(Remote.MetricMetadata.newBuilder().setMetricFamilyName("req_total")
                        .setType(Remote.MetricMetadata.MetricType.COUNTER).setHelp("Requests, ✓").setUnit(""));
            }
            offsets[r] = 2L * b + r;
            values[r] = ingestRecord(TENANTS[r], w.build().toByteArray());
        }
        return new BatchConsumed(offsets, TENANTS.clone(), values);
    }

    /** What a distributor writes to Kafka for this push, all of it in one partition. */
    static byte[] ingestRecord(String tenant, byte[] writeRequest) {
        PartitionSplitter.Split split = new PartitionSplitter(SeriesValidator.withDefaults()).split(tenant,
                new WriteRequestReader().reset(writeRequest), new MetadataReader().reset(writeRequest, 0, writeRequest.length), 1);
        return split.record(0);
    }

    PartitionState fresh() {
        return new PartitionState(new PartitionTsdb(ID, dir.resolve("tsdb"), RANGE));
    }

    static void apply(PartitionState s, BatchConsumed e) {
        s.apply(e);
    }

    /** Every sample of every tenant, as head and blocks answer it: tenant → series → "t=v ...". */
    static Map<String, String> contents(PartitionState s) {
        Map<String, String> out = new TreeMap<>();
        for (String tenant : new java.util.TreeSet<>(s.tsdb.tenants.keySet())) {
            try (Querier q = s.tsdb.querier(tenant, Long.MIN_VALUE, Long.MAX_VALUE)) {
                SeriesSet set = q.select(true, LabelMatcher.regex("__name__", ".+"));
                while (set.next()) {
                    StringBuilder b = new StringBuilder();
                    SampleIterator it = set.at().iterator();
                    while (it.next()) b.append(it.timestamp()).append('=').append(it.value()).append(' ');
                    assertNull(out.put(tenant + set.at().labels(), b.toString()), "series listed twice");
                }
            }
        }
        return out;
    }

    /** The bookkeeping a snapshot carries, per tenant. */
    static List<String> bookkeeping(PartitionState s) {
        List<String> out = new ArrayList<>();
        out.add("nextOffset=" + s.nextOffset);
        new TreeMap<>(s.tsdb.tenants).forEach((name, t) -> {
            out.add(name + " minValid=" + t.db.minValidTime() + " firstOffsetFrom=" + t.firstOffsetFrom
                    + " series=" + t.head.numSeries() + " min=" + t.head.minTime() + " max=" + t.head.maxTime()
                    + " highWaterMark=" + t.head.highWaterMark());
            t.metadata.forEach((f, m) -> out.add(name + " " + f + "=" + String.join("|", String.valueOf(m[0]),
                    String.valueOf(m[1]), String.valueOf(m[2]))));
        });
        return out;
    }

    @Test
    void restoreGivesTheSameStateAndTheSameFuture() {
        PartitionState live = fresh();
        int b = 0;
        for (; b < 150; b++) { // 2.5 hours: one block cut per tenant
            apply(live, batch(b));
            live.tsdb.compactIfDue(live.nextOffset);
        }
        assertEquals(2, live.tsdb.numBlocks());
        PagedSnapshot snap = PartitionSnapshotCodec.encode(live, List.of());

        PartitionState restored = fresh(); // opens the blocks, as an ingester's empty state does
        PartitionSnapshotCodec.decode(snap, restored);
        assertEquals(bookkeeping(live), bookkeeping(restored));
        assertEquals(contents(live), contents(restored));
        assertArrayEquals(bytes(snap), bytes(PartitionSnapshotCodec.encode(restored, List.of())), "encode(decode(x)) == x");

        for (; b < 260; b++) { // both go on, cutting another block each
            apply(live, batch(b));
            apply(restored, batch(b));
            assertEquals(live.tsdb.compactIfDue(live.nextOffset).size(), restored.tsdb.compactIfDue(restored.nextOffset).size());
        }
        assertEquals(bookkeeping(live), bookkeeping(restored));
        assertEquals(contents(live), contents(restored));
        live.tsdb.close();
        restored.tsdb.close();
    }

    @Test
    void blocksCutAfterTheSnapshotAreNotDoubledByIt() {
        PartitionState live = fresh();
        int b = 0;
        for (; b < 80; b++) apply(live, batch(b)); // 80 minutes, nothing cut yet
        PagedSnapshot older = PartitionSnapshotCodec.encode(live, List.of());
        int snapshotAt = b;
        for (; b < 100; b++) {
            apply(live, batch(b));
            live.tsdb.compactIfDue(live.nextOffset);
        }
        assertEquals(2, live.tsdb.numBlocks(), "blocks cut after the snapshot (then a crash before the next one)");

        PartitionState recovered = fresh(); // sees the new blocks
        PartitionSnapshotCodec.decode(older, recovered);
        for (int r = snapshotAt; r < b; r++) apply(recovered, batch(r)); // the journal after the snapshot
        assertEquals(contents(live), contents(recovered));
        assertEquals(bookkeeping(live), bookkeeping(recovered));
        live.tsdb.close();
        recovered.tsdb.close();
    }

    /** One record of one tenant: each of {@code seriesAt} is a series name and a timestamp in minutes. */
    static BatchConsumed samples(long offset, String tenant, Object... seriesAt) {
        Remote.WriteRequest.Builder w = Remote.WriteRequest.newBuilder();
        for (int i = 0; i < seriesAt.length; i += 2) {
            long t = ((Number) seriesAt[i + 1]).longValue() * 60_000L;
            w.addTimeseries(Remote.TimeSeries.newBuilder()
                    .addLabels(Remote.Label.newBuilder().setName("__name__").setValue("m"))
                    .addLabels(Remote.Label.newBuilder().setName("s").setValue((String) seriesAt[i]))
                    .addSamples(Remote.Sample.newBuilder().setTimestamp(t).setValue(offset + t / 60_000 / 1000.0)));
        }
        return new BatchConsumed(new long[] {offset}, new String[] {tenant}, new byte[][] {ingestRecord(tenant, w.build().toByteArray())});
    }

    /**
     * Records whose samples are out of bounds (older than half a range, 30 min, before the head's
     * newest as the record began), for a tenant in the snapshot and one that is new after it,
     * with block cuts and then a crash before the next snapshot: replaying the journal after the
     * snapshot refuses and takes exactly what the first application did, and both go on alike.
     */
    static final List<BatchConsumed> OUT_OF_BOUNDS_JOURNAL = List.of(
            samples(1, "team-a", "s1", 20, "s2", 5),                // bound -20: both taken
            samples(2, "team-c", "s1", 100, "s2", 60, "s3", 75),    // seeded at 100: s2 out of bounds
            samples(3, "team-a", "s1", 100, "s3", 65),              // bound -10: both taken
            samples(4, "team-a", "s2", 60, "s1", 130),              // bound 70: s2 out of bounds
            samples(5, "team-c", "s2", 140, "s3", 95),              // bound 70
            samples(6, "team-a", "s1", 200),                        // team-a cut up to 120
            samples(7, "team-c", "s1", 200),                        // team-c cut up to 120
            samples(8, "team-a", "s2", 150, "s4", 180));            // bound 170: s2 out of bounds

    @Test
    void outOfBoundsDecisionsReplayTheSameAfterACrashBetweenACutAndItsSnapshot() {
        PartitionState live = fresh();
        apply(live, samples(0, "team-a", "s1", 0, "s1", 10));
        PagedSnapshot older = PartitionSnapshotCodec.encode(live, List.of());
        long refused = 0;
        for (BatchConsumed e : OUT_OF_BOUNDS_JOURNAL) {
            PartitionTsdb.ApplyResult r = live.tsdb.apply(e);
            live.nextOffset = e.lastOffset() + 1;
            refused += r.refused[Discard.SAMPLE_OUT_OF_BOUNDS.ordinal()];
            live.tsdb.compactIfDue(live.nextOffset);
        }
        assertEquals(3, refused, "the journal's out-of-bounds samples");
        assertEquals(3, live.tsdb.numBlocks(), "team-a [0, 60) and [60, 120), team-c [75, 120)");

        PartitionState recovered = fresh(); // sees the new blocks
        PartitionSnapshotCodec.decode(older, recovered);
        for (BatchConsumed e : OUT_OF_BOUNDS_JOURNAL) apply(recovered, e);
        assertEquals(contents(live), contents(recovered));
        assertEquals(bookkeeping(live), bookkeeping(recovered));

        List<BatchConsumed> after = List.of(samples(9, "team-a", "s2", 175, "s5", 169), samples(10, "team-c", "s4", 169, "s5", 170));
        for (BatchConsumed e : after) {
            PartitionTsdb.ApplyResult a = live.tsdb.apply(e);
            PartitionTsdb.ApplyResult b = recovered.tsdb.apply(e);
            assertArrayEquals(a.refused, b.refused, "the same bound after the replay");
            assertEquals(1, a.firstRefused.values().iterator().next()[Discard.SAMPLE_OUT_OF_BOUNDS.ordinal()]);
        }
        assertEquals(contents(live), contents(recovered));
        live.tsdb.close();
        recovered.tsdb.close();
    }

    @Test
    void aRebuildFromBlocksTakesEverythingTheFirstApplicationTook() {
        PartitionState live = fresh();
        apply(live, samples(0, "team-a", "s1", 0, "s1", 10));
        for (BatchConsumed e : OUT_OF_BOUNDS_JOURNAL) {
            apply(live, e);
            live.tsdb.compactIfDue(live.nextOffset);
        }
        // No journal, no snapshot: consumed again from Kafka from the rebuild offset.
        PartitionState rebuilt = fresh();
        assertEquals(120 * 60_000L, rebuilt.tsdb.tenants.get("team-a").db.minValidTime(), "team-a's blocks end at 120");
        assertEquals(120 * 60_000L - 1, rebuilt.tsdb.tenants.get("team-a").head.highWaterMark(), "the blocks' newest");
        apply(rebuilt, samples(0, "team-a", "s1", 0, "s1", 10));
        for (BatchConsumed e : OUT_OF_BOUNDS_JOURNAL) if (e.offsets()[0] >= live.tsdb.rebuildOffset()) apply(rebuilt, e);
        assertEquals(contents(live), contents(rebuilt));
        live.tsdb.close();
        rebuilt.tsdb.close();
    }

    /** Out-of-order samples for the first ten minutes, half a minute after each in-order one, for the first tenant. */
    static BatchConsumed lateBatch(long offset) {
        Remote.WriteRequest.Builder w = Remote.WriteRequest.newBuilder();
        for (int s = 0; s < 50; s++) {
            Remote.TimeSeries.Builder ts = Remote.TimeSeries.newBuilder()
                    .addLabels(Remote.Label.newBuilder().setName("__name__").setValue("req_total"))
                    .addLabels(Remote.Label.newBuilder().setName("pod").setValue("p-" + s));
            for (int b = 0; b < 10; b++) {
                ts.addSamples(Remote.Sample.newBuilder().setTimestamp(b * 60_000L + s + 30_000).setValue(-b - 0.5));
            }
            w.addTimeseries(ts);
        }
        return new BatchConsumed(new long[] {offset}, new String[] {TENANTS[0]},
                new byte[][] {ingestRecord(TENANTS[0], w.build().toByteArray())});
    }

    @Test
    void outOfOrderSamplesTheLogHadNotWrittenComeBackFromTheSnapshotOnce() {
        PartitionState live = fresh();
        live.tsdb.setOutOfOrderWindows(tenant -> 2 * RANGE);
        for (int b = 0; b < 40; b++) apply(live, batch(b));
        apply(live, lateBatch(live.nextOffset));
        // Sent to the write-behind log, not confirmed when the snapshot is taken.
        List<OutOfOrderLogged> notLogged = live.tsdb.takeOutOfOrderLog();
        assertEquals(1, notLogged.size());
        PagedSnapshot snap = PartitionSnapshotCodec.encode(live, notLogged);
        Map<String, String> want = contents(live);
        assertTrue(want.values().stream().anyMatch(v -> v.contains("=-0.5 ")), "the late samples are in the live head");

        // The log never wrote them: the snapshot brings them back, and they are logged again.
        PartitionState lost = fresh();
        lost.tsdb.setOutOfOrderWindows(tenant -> 2 * RANGE);
        PartitionSnapshotCodec.decode(snap, lost);
        assertEquals(500, lost.tsdb.restoreOutOfOrder(List.of(), -1, lost.outOfOrderNotLogged));
        assertEquals(want, contents(lost));
        assertEquals(notLogged.get(0).offset(), lost.tsdb.takeOutOfOrderLog().get(0).offset(), "logged again");

        // The log did write them after all: restored once, from the log, not logged again.
        PartitionState written = fresh();
        written.tsdb.setOutOfOrderWindows(tenant -> 2 * RANGE);
        PartitionSnapshotCodec.decode(snap, written);
        assertEquals(500, written.tsdb.restoreOutOfOrder(notLogged, notLogged.get(0).offset(), written.outOfOrderNotLogged));
        assertEquals(want, contents(written));
        assertTrue(written.tsdb.takeOutOfOrderLog().isEmpty());
        live.tsdb.close();
        lost.tsdb.close();
        written.tsdb.close();
    }

    @Test
    void snapshotsOfEarlierReleasesAreRead() {
        PartitionState live = fresh();
        for (int b = 0; b < 30; b++) apply(live, batch(b));
        assertEquals(4, bytes(PartitionSnapshotCodec.encode(live, List.of()))[0]);
        byte[] v3 = bytes(PartitionSnapshotCodec.encode(live, List.of(), 3));
        byte[] v2 = bytes(PartitionSnapshotCodec.encode(live, List.of(), 2));
        assertEquals(0, v2[v2.length - 1], "no out-of-order samples waiting for the log");
        byte[] v1 = java.util.Arrays.copyOf(v2, v2.length - 1); // version 1: the same without that section
        v1[0] = 1;
        assertArrayEquals(v1, bytes(PartitionSnapshotCodec.encode(live, List.of(), 1)));
        for (byte[] old : List.of(v1, v2, v3)) {
            PartitionState restored = fresh();
            PartitionSnapshotCodec.decode(new PagedSnapshot(List.of(old)), restored);
            assertEquals(contents(live), contents(restored));
            // Without a stored mark, the newest sample held stands in for it (here the same).
            assertEquals(bookkeeping(live), bookkeeping(restored));
            restored.tsdb.close();
        }
        live.tsdb.close();
    }

    /** A state whose tenants keep up to {@code exemplars} exemplars each, with pushes carrying some. */
    PartitionState withExemplars(int exemplars) {
        PartitionState s = fresh();
        s.tsdb.setExemplarLimits(t -> exemplars);
        return s;
    }

    static BatchConsumed exemplarBatch(int b, long offset) {
        Remote.WriteRequest.Builder w = Remote.WriteRequest.newBuilder();
        for (int s = 0; s < 3; s++) {
            w.addTimeseries(Remote.TimeSeries.newBuilder()
                    .addLabels(Remote.Label.newBuilder().setName("__name__").setValue("req_total"))
                    .addLabels(Remote.Label.newBuilder().setName("pod").setValue("p-" + s))
                    .addSamples(Remote.Sample.newBuilder().setTimestamp(b * 60_000L + s).setValue(b))
                    .addExemplars(Remote.Exemplar.newBuilder().setTimestamp(b * 60_000L + s).setValue(b + 0.5)
                            .addLabels(Remote.Label.newBuilder().setName("trace_id").setValue("trace-" + b + "-" + s))));
        }
        return new BatchConsumed(new long[] {offset}, new String[] {"team-a"},
                new byte[][] {ingestRecord("team-a", w.build().toByteArray())});
    }

    static List<io.mnemo.tsdb.exemplar.SeriesExemplars> exemplarsOf(PartitionState s) {
        return s.tsdb.exemplars("team-a", Long.MIN_VALUE, Long.MAX_VALUE,
                List.<LabelMatcher[]>of(new LabelMatcher[] {LabelMatcher.regex("__name__", ".+")})).get();
    }

    @Test
    void exemplarsSurviveASnapshotAndEarlierSnapshotsHaveNone() {
        PartitionState live = withExemplars(10);
        for (int b = 0; b < 5; b++) apply(live, exemplarBatch(b, b)); // 15 exemplars into 10: the oldest 5 went
        List<io.mnemo.tsdb.exemplar.SeriesExemplars> kept = exemplarsOf(live);
        assertEquals(10, kept.stream().mapToInt(e -> e.exemplars().size()).sum());
        assertEquals(3, kept.size());
        PagedSnapshot snap = PartitionSnapshotCodec.encode(live, List.of());

        PartitionState restored = withExemplars(10);
        PartitionSnapshotCodec.decode(snap, restored);
        assertEquals(kept, exemplarsOf(restored));
        assertEquals(contents(live), contents(restored));
        assertArrayEquals(bytes(snap), bytes(PartitionSnapshotCodec.encode(restored, List.of())), "encode(decode(x)) == x");
        PartitionState none = fresh(); // a tenant whose limit is now 0 drops them, and reads the rest
        PartitionSnapshotCodec.decode(snap, none);
        assertEquals(List.of(), exemplarsOf(none));
        assertEquals(contents(live), contents(none));
        // The ring's order came back too: the next exemplars evict the same oldest ones in both.
        apply(live, exemplarBatch(5, 5));
        apply(restored, exemplarBatch(5, 5));
        assertEquals(exemplarsOf(live), exemplarsOf(restored));


        PartitionState v3 = withExemplars(10);
        PartitionSnapshotCodec.decode(PartitionSnapshotCodec.encode(live, List.of(), 3), v3);
        assertEquals(List.of(), exemplarsOf(v3), "version 3 had no exemplars");
        for (PartitionState s : List.of(live, restored, none, v3)) s.tsdb.close();
    }

    @Test
    void damagedSnapshotIsRefused() {
        PartitionState live = fresh();
        for (int b = 0; b < 5; b++) apply(live, batch(b));
        byte[] bytes = bytes(PartitionSnapshotCodec.encode(live, List.of()));
        assertThrows(IllegalArgumentException.class, () -> PartitionSnapshotCodec.decode(
                new PagedSnapshot(java.util.List.of(java.util.Arrays.copyOf(bytes, bytes.length - 3))), fresh()));
        byte[] longer = java.util.Arrays.copyOf(bytes, bytes.length + 1);
        assertThrows(IllegalArgumentException.class, () -> PartitionSnapshotCodec.decode(
                new PagedSnapshot(java.util.List.of(longer)), fresh()));
        live.tsdb.close();
    }

    private static byte[] bytes(PagedSnapshot snapshot) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        snapshot.pages().forEach(out::writeBytes);
        return out.toByteArray();
    }
}
