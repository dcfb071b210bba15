package io.mnemo.actors.ingester;

import io.mnemo.persistence.MnemoSerializable;

/**
 * An ingester snapshot as versions before paged snapshots stored it: one array, Kryo-serialized,
 * holding {@link PartitionSnapshotCodec} version 1. Only read, so that a data directory written by
 * them still recovers; snapshots are written as {@code PagedSnapshot} now.
 */
public record PartitionSnapshot(byte[] bytes) implements MnemoSerializable {}
