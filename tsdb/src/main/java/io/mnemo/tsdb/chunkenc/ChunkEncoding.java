package io.mnemo.tsdb.chunkenc;

/** Prometheus's chunk encodings, by the byte that precedes a chunk in a block's segment files. */
public enum ChunkEncoding {
    XOR(1),
    HISTOGRAM(2),
    FLOAT_HISTOGRAM(3);

    private final int code;

    ChunkEncoding(int code) { this.code = code; }

    /** The encoding byte. */
    public int code() { return code; }

    /** The encoding of this byte, or null for one this store does not read (e.g. Prometheus 3's XOR2). */
    public static ChunkEncoding of(int code) {
        return switch (code) {
            case 1 -> XOR;
            case 2 -> HISTOGRAM;
            case 3 -> FLOAT_HISTOGRAM;
            default -> null;
        };
    }
}
