package io.mnemo.actors.ingest;

/**
 * Records fetched from one partition, in offset order, as {@link PartitionConsumer} hands them to
 * their ingester: each record's offset, tenant (its key), value and format version
 * ({@link RecordVersion}). A record of a version this build does not read is refused here: its value
 * is null, so nothing reads it, while its offset still counts as consumed.
 */
public record ConsumedBatch(long[] offsets, String[] tenants, byte[][] values, int[] versions) {
    /** Records refused for their version (null values). */
    public int refused() {
        int n = 0;
        for (byte[] v : values) if (v == null) n++;
        return n;
    }
}
