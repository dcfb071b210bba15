package io.mnemo.actors.ingester;

import io.mnemo.cluster.IngesterId;
import io.mnemo.persistence.snapshot.PagedSnapshot;
import java.nio.file.Path;
import java.util.List;

/**
 * An ingester's state outside its entity: journal events applied to it exactly as the entity
 * applies them ({@link PartitionState#apply}), for what must run the ingester's own code without
 * being an ingester: the recovery benchmark, which replays a journal into it, and the warm-ups,
 * which apply synthetic records to a scratch one (heads only, nothing on disk). Not thread-safe.
 */
public final class PartitionReplay implements AutoCloseable {
    private final PartitionState state;

    private PartitionReplay(PartitionTsdb tsdb) {
        this.state = new PartitionState(tsdb);
    }

    /** Heads only: no directory, so no blocks are read or written. */
    public static PartitionReplay scratch(long blockRange) {
        return new PartitionReplay(PartitionTsdb.scratch(new IngesterId("scratch", 0), blockRange));
    }

    /** The state of ingester {@code id} over {@code tsdbDir}, with the blocks it cut there opened. */
    public static PartitionReplay open(IngesterId id, Path tsdbDir, long blockRange) {
        return new PartitionReplay(new PartitionTsdb(id, tsdbDir, blockRange));
    }

    /** Applies a journal event (or a batch as consumed) to the heads, as the entity's event handler does. */
    public void apply(BatchConsumed event) {
        state.apply(event);
    }

    /** Replaces this (fresh) state's contents by an encoded ingester snapshot's, as an ingester's recovery does. */
    public void restore(PagedSnapshot snapshot) {
        PartitionSnapshotCodec.decode(snapshot, state);
    }

    /** The ingester snapshot of this state, encoded. */
    public PagedSnapshot snapshot() {
        return PartitionSnapshotCodec.encode(state, List.of());
    }

    /** Series in the heads. */
    public long series() {
        return state.tsdb.numSeries();
    }

    /** Samples a tenant's head holds. */
    public long samplesOf(String tenant) {
        return state.tsdb.samplesOf(tenant);
    }

    /** One past the last record applied. */
    public long nextOffset() {
        return state.nextOffset;
    }

    @Override
    public void close() {
        state.tsdb.close();
    }
}
