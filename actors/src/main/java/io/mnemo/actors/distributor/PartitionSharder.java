package io.mnemo.actors.distributor;

import io.mnemo.tsdb.Labels;
import io.mnemo.tsdb.SeriesHasher;

/**
 * Picks the Kafka partition of a series: a stable 64-bit hash of the tenant and the series'
 * labels, modulo the number of partitions the tenant writes to.
 *
 * <p>The hashed bytes are: the tenant in UTF-8, 0xFF, then for every label with a non-empty value,
 * in order, its name, 0xFF, its value, 0xFF (0xFF never occurs in UTF-8, so the separators make
 * the encoding unambiguous). The same answer comes from a request's bytes
 * ({@link #partitionFor(byte[], WriteRequestReader, int)}) and from a {@link Labels}
 * ({@link #partitionFor(String, Labels, int)}), which the querier uses to find the partition that
 * holds a series. Validated series have sorted labels, which is the order of a Labels.
 *
 * <p><b>Changing the hash function or the byte layout moves almost every series to another
 * partition</b>: the ingesters then hold each series' old samples in one partition and new ones in
 * another. Treat it as a storage format; the golden-value test guards it.
 */
public final class PartitionSharder {
    private final SeriesHasher hasher = new SeriesHasher();

    /** Hash of the reader's current series for a tenant. Reuses internal state: not thread-safe. */
    public long hash(byte[] tenantUtf8, WriteRequestReader series) {
        SeriesHasher h = hasher;
        h.reset();
        h.update(tenantUtf8, 0, tenantUtf8.length);
        h.update(SeriesHasher.SEPARATOR);
        h.updateLabels(series);
        return h.digest();
    }

    /** The partition in [0, partitions) of the reader's current series. Not thread-safe. */
    public int partitionFor(byte[] tenantUtf8, WriteRequestReader series, int partitions) {
        return partitionOf(hash(tenantUtf8, series), partitions);
    }

    /** Hash of a series for a tenant; equal to the byte-path hash of the same series. Thread-safe. */
    public static long hash(String tenant, Labels labels) {
        SeriesHasher h = new SeriesHasher();
        h.updateUtf8(tenant);
        h.update(SeriesHasher.SEPARATOR);
        h.updateLabels(labels);
        return h.digest();
    }

    /** The partition in [0, partitions) of a series for a tenant. Thread-safe. */
    public static int partitionFor(String tenant, Labels labels, int partitions) {
        return partitionOf(hash(tenant, labels), partitions);
    }

    public static int partitionOf(long hash, int partitions) {
        if (partitions <= 0) throw new IllegalArgumentException("partitions must be positive, got " + partitions);
        return Math.floorMod(hash, partitions);
    }
}
