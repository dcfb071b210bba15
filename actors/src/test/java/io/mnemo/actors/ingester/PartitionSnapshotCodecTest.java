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
        s.tsdb.apply(e);
        s.nextOffset = e.lastOffset() + 1;
    }

    /** Every sample of every tenant, as head and blocks answer it: tenant → series → "t=v ...". */
    static Map<String, String> contents(PartitionState s) {
        Map<String, String> out = new TreeMap<>();
        for (String tenant : TENANTS) {
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
            out.add(name + " minValid=" + t.minValidTime + " firstOffsetFrom=" + t.firstOffsetFrom
                    + " series=" + t.head.numSeries() + " min=" + t.head.minTime() + " max=" + t.head.maxTime());
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
    void versionOneSnapshotsOfEarlierReleasesAreRead() {
        PartitionState live = fresh();
        for (int b = 0; b < 30; b++) apply(live, batch(b));
        byte[] v2 = bytes(PartitionSnapshotCodec.encode(live, List.of()));
        assertEquals(2, v2[0]);
        assertEquals(0, v2[v2.length - 1], "no out-of-order samples waiting for the log");
        byte[] v1 = java.util.Arrays.copyOf(v2, v2.length - 1); // version 1: the same without that section
        v1[0] = 1;
        PartitionState restored = fresh();
        PartitionSnapshotCodec.decode(new PagedSnapshot(List.of(v1)), restored);
        assertEquals(contents(live), contents(restored));
        assertEquals(bookkeeping(live), bookkeeping(restored));
        live.tsdb.close();
        restored.tsdb.close();
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
