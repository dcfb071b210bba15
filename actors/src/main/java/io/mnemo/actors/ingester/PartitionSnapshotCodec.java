package io.mnemo.actors.ingester;

import io.mnemo.persistence.snapshot.PagedSnapshot;
import io.mnemo.tsdb.head.HeadSnapshot;
import io.mnemo.tsdb.head.SnapshotIn;
import io.mnemo.tsdb.head.SnapshotOut;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What an ingester needs to resume without the journal events before its snapshot: the offset of
 * the next record, and per tenant the head's series and chunks ({@link HeadSnapshot}), the samples
 * floor set by its blocks, where a rebuild of its head from Kafka starts, its metric metadata, its
 * head's high-water mark (which decides what is out of bounds), and its exemplars (which are in
 * no block: without them here, a restart would keep only those of the journal events after the
 * snapshot).
 * Blocks are not in it: they are on disk already and opened before the snapshot is restored.
 * It is stored as pages ({@link PagedSnapshot}): a head of millions of series outgrows one array.
 *
 * <pre>
 *   uvarint version (4; 3 lacks the exemplars, 2 also the high-water mark, 1 also the last section)
 *   varint next offset
 *   uvarint tenant count, then each tenant:
 *     string name   varint min valid time   varint high-water mark (version 3)
 *     uvarint n, then n × (varint block-range start, varint first offset)
 *     uvarint n, then n × (string family, nullable string type, help, unit)
 *     head snapshot
 *     exemplars (version 4): as {@link io.mnemo.tsdb.exemplar.ExemplarStore#write}, oldest first
 *       (uvarint 0, uvarint 0 for a tenant that keeps none)
 *   uvarint n, then n out-of-order samples not in the write-behind log yet:
 *     varint offset   string tenant   varint max time   bytes ingest record
 * string: uvarint length, UTF-8;  nullable string: uvarint 0 (null) or length + 1, UTF-8
 * </pre>
 */
final class PartitionSnapshotCodec {
    private static final int VERSION = 4;

    private PartitionSnapshotCodec() {}

    /**
     * Encodes the state as it is now, with the out-of-order samples of the records it covers that
     * the write-behind log has not written yet; call on the entity's thread.
     */
    static PagedSnapshot encode(PartitionState state, List<OutOfOrderLogged> notLogged) {
        return encode(state, notLogged, VERSION);
    }

    /** As an earlier version wrote it (tests of reading those). */
    static PagedSnapshot encode(PartitionState state, List<OutOfOrderLogged> notLogged, int version) {
        SnapshotOut out = new SnapshotOut(1 << 16);
        out.putUvarint(version);
        out.putVarint(state.nextOffset);
        out.putUvarint(state.tsdb.tenants.size());
        for (Map.Entry<String, PartitionTsdb.Tenant> e : state.tsdb.tenants.entrySet()) {
            PartitionTsdb.Tenant t = e.getValue();
            out.putString(e.getKey());
            out.putVarint(t.db.minValidTime());
            if (version >= 3) out.putVarint(t.head.highWaterMark());
            out.putUvarint(t.firstOffsetFrom.size());
            for (Map.Entry<Long, Long> f : t.firstOffsetFrom.entrySet()) {
                out.putVarint(f.getKey());
                out.putVarint(f.getValue());
            }
            out.putUvarint(t.metadata.size());
            for (Map.Entry<String, String[]> m : t.metadata.entrySet()) {
                out.putString(m.getKey());
                for (String field : m.getValue()) putNullable(out, field);
            }
            HeadSnapshot.write(t.head, out);
            if (version >= 4) {
                if (t.exemplars != null) {
                    t.exemplars.write(out);
                } else {
                    out.putUvarint(0);
                    out.putUvarint(0);
                }
            }
        }
        if (version >= 2) out.putUvarint(notLogged.size());
        for (OutOfOrderLogged e : version >= 2 ? notLogged : List.<OutOfOrderLogged>of()) {
            out.putVarint(e.offset());
            out.putString(e.tenant());
            out.putVarint(e.maxTime());
            out.putBytes(e.samples());
        }
        return new PagedSnapshot(out.pages());
    }

    /**
     * Restores a snapshot into a state whose heads are empty and whose blocks are open. Blocks
     * newer than the snapshot (a crash between cutting a block and the next snapshot) raise the
     * samples floor: what the restored heads hold below it is in those blocks, so it is dropped.
     * The high-water marks are the snapshot's, as they were when it was taken: the journal events
     * after it then replay against the same bounds as when first applied. A tenant the snapshot
     * does not have is newer than it: its head starts without a mark, as it first did, whatever
     * blocks it has. A tenant whose id is not valid (written by a version that did not check) is
     * dropped.
     *
     * @throws IllegalArgumentException if the bytes are not a snapshot this version wrote
     */
    static void decode(PagedSnapshot snapshot, PartitionState into) {
        SnapshotIn in = new SnapshotIn(snapshot.pages());
        long version = in.getUvarint();
        if (version < 1 || version > VERSION) throw new IllegalArgumentException("unknown ingester snapshot version " + version);
        into.nextOffset = in.getVarint();
        int numTenants = in.getCount();
        java.util.Set<String> restored = new java.util.HashSet<>();
        for (int i = 0; i < numTenants; i++) {
            String name = in.getString();
            boolean valid = io.mnemo.actors.TenantId.problem(name) == null;
            // An invalid tenant's section is read into a throwaway tenant, never into the state.
            PartitionTsdb.Tenant t = valid ? into.tsdb.tenant(name) : new PartitionTsdb.Tenant(1);
            if (valid) restored.add(name);
            t.db.raiseMinValidTime(in.getVarint());
            long highWaterMark = version >= 3 ? in.getVarint() : Long.MIN_VALUE;
            int n = in.getCount();
            for (int k = 0; k < n; k++) t.firstOffsetFrom.put(in.getVarint(), in.getVarint());
            n = in.getCount();
            for (int k = 0; k < n; k++) {
                t.metadata.put(in.getString(), new String[] {getNullable(in), getNullable(in), getNullable(in)});
            }
            HeadSnapshot.read(in, t.head);
            if (version >= 4) {
                // A tenant that keeps no exemplars now (its limit became 0) drops what it kept.
                if (t.exemplars != null) t.exemplars.read(in);
                else io.mnemo.tsdb.exemplar.ExemplarStore.skip(in);
            }
            // Before version 3: the newest sample held, or of the blocks, whichever is newer.
            long minValidTime = t.db.minValidTime();
            t.head.setHighWaterMark(version >= 3 ? highWaterMark : Math.max(t.head.maxTime(),
                    minValidTime == Long.MIN_VALUE ? Long.MIN_VALUE : minValidTime - 1));
            if (t.head.numSeries() > 0 && t.head.minTime() < minValidTime) {
                t.head.truncate(minValidTime);
                t.firstOffsetFrom.headMap(minValidTime).clear();
            }
            if (t.head.numSeries() == 0) t.firstOffsetFrom.clear();
        }
        into.tsdb.tenants.forEach((name, t) -> {
            if (!restored.contains(name)) t.head.setHighWaterMark(Long.MIN_VALUE);
        });
        int n = version == 1 ? 0 : in.getCount();
        List<OutOfOrderLogged> notLogged = new ArrayList<>(Math.min(n, 1024));
        for (int i = 0; i < n; i++) {
            OutOfOrderLogged e = new OutOfOrderLogged(in.getVarint(), in.getString(), in.getVarint(), in.getBytes());
            if (io.mnemo.actors.TenantId.problem(e.tenant()) == null) notLogged.add(e);
        }
        into.outOfOrderNotLogged = notLogged;
        if (in.hasRemaining()) throw new IllegalArgumentException("ingester snapshot has trailing bytes at " + in.position());
    }

    private static void putNullable(SnapshotOut out, String s) {
        if (s == null) {
            out.putUvarint(0);
        } else {
            byte[] b = s.getBytes(java.nio.charset.StandardCharsets.UTF_8);
            out.putUvarint(b.length + 1L);
            for (byte x : b) out.putByte(x);
        }
    }

    private static String getNullable(SnapshotIn in) {
        int n = in.getCount();
        if (n == 0) return null;
        byte[] b = new byte[n - 1];
        for (int i = 0; i < b.length; i++) b[i] = (byte) in.getByte();
        return new String(b, java.nio.charset.StandardCharsets.UTF_8);
    }
}
