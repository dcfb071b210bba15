package io.mnemo.actors.ingester;

import io.mnemo.persistence.MnemoSerializable;

/**
 * The ingester's snapshot, taken after blocks are cut: its state encoded by
 * {@link PartitionSnapshotCodec} on the entity's thread, so the snapshot store can write it later
 * while the heads move on.
 */
public record PartitionSnapshot(byte[] bytes) implements MnemoSerializable {}
