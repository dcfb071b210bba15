package io.mnemo.actors.distributor;

import io.mnemo.tsdb.Labels;
import io.mnemo.tsdb.SeriesHasher;

/**
 * Picks the Kafka partition of a series: a stable 64-bit hash of the tenant and the series'
 * labels, modulo the number of partitions the tenant writes to.
 *
 * <p>The hash is {@link SeriesHasher}'s combination, from {@link SeriesHasher#SEED}, of the hash
 * of the tenant's UTF-8 bytes, then of every label with a non-empty value, in order, its name's and
 * its value's ({@link SeriesHasher#bytes}). {@link PartitionSplitter} computes it from a request's
 * bytes, hashing each string once (it interns the strings with the same hashes);
 * {@link #partitionFor(String, Labels, int)} gives the same answer from a {@link Labels}.
 * Validated series have sorted labels, which is the order of a Labels.
 *
 * <p><b>Changing the hash function or what is combined moves almost every series to another
 * partition</b>: the ingesters then hold each series' old samples in one partition and new ones in
 * another. Treat it as a storage format; the golden-value test guards it.
 */
public final class PartitionSharder {
    private PartitionSharder() {}

    /** Where the hashes of a tenant's series start: the seed combined with the tenant's hash. */
    public static long tenantSeed(String tenant) {
        return SeriesHasher.combine(SeriesHasher.SEED, SeriesHasher.utf8(tenant));
    }

    /** Hash of a series for a tenant. */
    public static long hash(String tenant, Labels labels) {
        return SeriesHasher.finish(SeriesHasher.combineLabels(tenantSeed(tenant), labels));
    }

    /** The partition in [0, partitions) of a series for a tenant. */
    public static int partitionFor(String tenant, Labels labels, int partitions) {
        return partitionOf(hash(tenant, labels), partitions);
    }

    public static int partitionOf(long hash, int partitions) {
        if (partitions <= 0) throw new IllegalArgumentException("partitions must be positive, got " + partitions);
        return Math.floorMod(hash, partitions);
    }
}
