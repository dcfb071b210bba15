package io.mnemo.tsdb.chunkenc;

import io.mnemo.tsdb.histogram.FloatHistogram.CounterResetHint;

/**
 * What the top two bits of a histogram chunk's third header byte say about how the chunk
 * started, as Prometheus's {@code CounterResetHeader}: it was cut because of a counter reset,
 * definitely without one, it holds gauge histograms, or nobody knows.
 */
public enum CounterResetHeader {
    UNKNOWN(0b0000_0000),
    COUNTER_RESET(0b1000_0000),
    NOT_COUNTER_RESET(0b0100_0000),
    GAUGE(0b1100_0000);

    static final int MASK = 0b1100_0000;

    private final int bits;

    CounterResetHeader(int bits) { this.bits = bits; }

    /** The header bits, in place within the byte. */
    int bits() { return bits; }

    static CounterResetHeader of(int headerByte) {
        return switch (headerByte & MASK) {
            case 0b1000_0000 -> COUNTER_RESET;
            case 0b0100_0000 -> NOT_COUNTER_RESET;
            case 0b1100_0000 -> GAUGE;
            default -> UNKNOWN;
        };
    }

    /**
     * The hint of the sample read as number {@code numRead} (1 for the first) of a chunk with
     * this header, as Prometheus 3's {@code counterResetHint}: gauge chunks hold gauges; after
     * the first sample there is no reset (it would have cut a chunk); the first sample is unknown
     * even when the header says reset, as the previous chunk may be gone or written later
     * (out-of-order, backfill).
     */
    CounterResetHint hintAt(int numRead) {
        if (this == GAUGE) return CounterResetHint.GAUGE;
        if (numRead > 1) return CounterResetHint.NOT_COUNTER_RESET;
        return CounterResetHint.UNKNOWN;
    }
}
