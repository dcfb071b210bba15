package io.mnemo.actors.ingester;

/**
 * What an ingester has built from its partition: the tenants' heads and the offset of the next
 * record to consume. Mutated only by the event handler, on the entity's thread.
 */
final class PartitionState {
    final TenantHeads heads;
    /** Offset of the next record to consume: one past the last record applied. */
    long nextOffset;

    PartitionState(TenantHeads heads) {
        this.heads = heads;
    }
}
