package io.mnemo.actors.ingester;

import io.mnemo.persistence.MnemoSerializable;

/**
 * The ingester's only journal event: a batch of consecutive Kafka records of its partition, as
 * raw bytes with their offsets and tenants. Replaying these events rebuilds the heads exactly;
 * the last offset tells where to resume consuming.
 *
 * <p>Each value is an ingest record of format version 1 ({@link io.mnemo.actors.ingest.RecordVersion}),
 * the only version journaled: every event written so far holds version 1, and an ingester journals
 * only records it reads. A record of a version it does not read is journaled as null: it was
 * refused when consumed (and counted then), its offset counts as consumed, and replays skip it.
 * A future record version that ingesters read gets an event type of its own, so that these events
 * stay what they are. Stored with its class name (Kryo): never move or rename this class, nor
 * change its fields.
 */
public record BatchConsumed(long[] offsets, String[] tenants, byte[][] values) implements MnemoSerializable {
    public long lastOffset() {
        return offsets[offsets.length - 1];
    }

    /** The records to apply: this batch without those refused for their version (null values). */
    BatchConsumed readable() {
        int n = 0;
        for (byte[] v : values) if (v != null) n++;
        if (n == values.length) return this;
        long[] o = new long[n];
        String[] t = new String[n];
        byte[][] v = new byte[n][];
        for (int i = 0, k = 0; i < values.length; i++) {
            if (values[i] == null) continue;
            o[k] = offsets[i];
            t[k] = tenants[i];
            v[k++] = values[i];
        }
        return new BatchConsumed(o, t, v);
    }

    @Override
    public int serializedSizeHint() {
        long n = bytes() + 16L * offsets.length;
        for (String t : tenants) n += t.length() + 2;
        return (int) Math.min(n, Integer.MAX_VALUE - 16);
    }

    public long bytes() {
        long n = 0;
        for (byte[] v : values) if (v != null) n += v.length;
        return n;
    }
}
