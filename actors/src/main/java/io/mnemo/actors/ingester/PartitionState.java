package io.mnemo.actors.ingester;

/**
 * What an ingester has built from its partition: the tenants' heads and blocks, and the offset of
 * the next record to consume. Mutated only on the entity's thread.
 */
final class PartitionState {
    final PartitionTsdb tsdb;
    /** Offset of the next record to consume: one past the last record applied. */
    long nextOffset;
    /** Blocks were cut since the last snapshot: the next event takes one. */
    boolean snapshotDue;
    /**
     * Restored from a snapshot: out-of-order samples of records the snapshot covers that the
     * write-behind log had not confirmed when it was taken (emptied once restored into the heads).
     */
    java.util.List<OutOfOrderLogged> outOfOrderNotLogged = java.util.List.of();

    PartitionState(PartitionTsdb tsdb) {
        this.tsdb = tsdb;
    }

    /**
     * Applies a journal event: its records to the heads (those refused for their version skipped),
     * then the next offset moves past all of them. The entity's event handler and
     * {@link PartitionReplay} both apply events here.
     */
    PartitionTsdb.ApplyResult apply(BatchConsumed event) {
        PartitionTsdb.ApplyResult r = tsdb.apply(event.readable());
        nextOffset = event.lastOffset() + 1;
        return r;
    }
}
