package io.mnemo.tsdb.chunkenc;

/**
 * Appends float samples to an {@link XorChunk} in Prometheus's XOR encoding:
 * <ul>
 *   <li>first sample: timestamp as a signed varint, value as its 64 raw bits;</li>
 *   <li>second sample: timestamp delta as an unsigned varint, value XOR-encoded;</li>
 *   <li>then: delta-of-delta of the timestamp in a prefix-coded bucket ('0' for zero, '10'+14 bits,
 *       '110'+17 bits, '1110'+20 bits, '1111'+64 bits), value XOR-encoded.</li>
 * </ul>
 * A value is XOR-ed with the previous one: '0' if equal; otherwise '1' then either '0' and the
 * meaningful bits inside the previous leading/trailing-zero window, or '1', 5 bits of leading
 * zeros, 6 bits of meaningful-bit count (64 written as 0) and the meaningful bits.
 * Timestamps must not decrease for the chunk to be useful to a query; the encoding itself would
 * round-trip any sequence. Nothing is allocated per sample.
 */
public final class XorAppender {
    /** Marks "no leading/trailing window yet", so the first changed value writes a full window. */
    private static final int NO_WINDOW = 0xFF;

    private final XorChunk chunk;
    private long t;
    private long vBits;
    private long tDelta;
    private int leading;
    private int trailing;

    XorAppender(XorChunk chunk) {
        this.chunk = chunk;
        this.leading = NO_WINDOW;
    }

    /** Continues a chunk whose samples the iterator has just read to the end. */
    XorAppender(XorChunk chunk, XorIterator drained) {
        this.chunk = chunk;
        this.t = drained.timestamp();
        this.vBits = Double.doubleToRawLongBits(drained.value());
        this.tDelta = drained.timestampDelta();
        // Prometheus takes the decoder's window even when none was written yet (0/0), which
        // makes every later change cost 64 bits; keeping "no window" instead continues with
        // exactly the bytes one uninterrupted encode would have produced.
        this.leading = drained.hasWindow() ? drained.leadingZeros() : NO_WINDOW;
        this.trailing = drained.trailingZeros();
    }

    /** Timestamp of the last sample appended (or read by the iterator this continues from). */
    public long lastTimestamp() { return t; }

    /** Raw bits of the last value appended. */
    public long lastValueBits() { return vBits; }

    public void append(long ts, double v) {
        int num = chunk.numSamples();
        if (num >= XorChunk.MAX_SAMPLES) {
            throw new IllegalStateException("XOR chunk is full (" + XorChunk.MAX_SAMPLES + " samples)");
        }
        long bits = Double.doubleToRawLongBits(v);
        long delta = 0;
        if (num == 0) {
            writeUvarint((ts << 1) ^ (ts >> 63)); // zig-zag, like Go's PutVarint
            chunk.writeBits(bits, 64);
        } else if (num == 1) {
            delta = ts - t;
            writeUvarint(delta);
            writeValue(bits);
        } else {
            delta = ts - t;
            long dod = delta - tDelta;
            if (dod == 0) {
                chunk.writeBits(0, 1);
            } else if (fits(dod, 14)) {
                chunk.writeBits(0b10, 2);
                chunk.writeBits(dod, 14);
            } else if (fits(dod, 17)) {
                chunk.writeBits(0b110, 3);
                chunk.writeBits(dod, 17);
            } else if (fits(dod, 20)) {
                chunk.writeBits(0b1110, 4);
                chunk.writeBits(dod, 20);
            } else {
                chunk.writeBits(0b1111, 4);
                chunk.writeBits(dod, 64);
            }
            writeValue(bits);
        }
        t = ts;
        vBits = bits;
        tDelta = delta;
        chunk.setNumSamples(num + 1);
    }

    /**
     * Whether a delta-of-delta fits a bucket of {@code nbits}: Prometheus's range is asymmetric,
     * -(2^(n-1) - 1) .. 2^(n-1), and the reader relies on that to restore the sign.
     */
    static boolean fits(long x, int nbits) {
        long half = 1L << (nbits - 1);
        return -(half - 1) <= x && x <= half;
    }

    private void writeValue(long bits) {
        long xor = bits ^ vBits;
        if (xor == 0) {
            chunk.writeBits(0, 1);
            return;
        }
        int lead = Long.numberOfLeadingZeros(xor);
        int trail = Long.numberOfTrailingZeros(xor);
        if (lead >= 32) lead = 31; // the field has 5 bits
        if (leading != NO_WINDOW && lead >= leading && trail >= trailing) {
            chunk.writeBits(0b10, 2);
            chunk.writeBits(xor >>> trailing, 64 - leading - trailing);
        } else {
            leading = lead;
            trailing = trail;
            int significant = 64 - lead - trail;
            chunk.writeBits(0b11, 2);
            chunk.writeBits(lead, 5);
            chunk.writeBits(significant, 6); // 64 does not fit: written as 0, read back as 64
            chunk.writeBits(xor >>> trail, significant);
        }
    }

    private void writeUvarint(long x) {
        while ((x & ~0x7FL) != 0) {
            chunk.writeBits((x & 0x7F) | 0x80, 8);
            x >>>= 7;
        }
        chunk.writeBits(x, 8);
    }
}
