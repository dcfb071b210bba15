package io.mnemo.actors.ingester;

import io.mnemo.persistence.MnemoSerializable;

/**
 * The ingester's only journal event: a batch of consecutive Kafka records of its partition, as
 * raw bytes with their offsets and tenants. Replaying these events rebuilds the heads exactly;
 * the last offset tells where to resume consuming.
 */
public record BatchConsumed(long[] offsets, String[] tenants, byte[][] values) implements MnemoSerializable {
    public long lastOffset() {
        return offsets[offsets.length - 1];
    }

    @Override
    public int serializedSizeHint() {
        long n = bytes() + 16L * offsets.length;
        for (String t : tenants) n += t.length() + 2;
        return (int) Math.min(n, Integer.MAX_VALUE - 16);
    }

    public long bytes() {
        long n = 0;
        for (byte[] v : values) n += v.length;
        return n;
    }
}
