package io.mnemo.actors.distributor;

import java.io.IOException;
import org.xerial.snappy.Snappy;

/**
 * Decompresses a remote-write push body (1.0 or 2.0): snappy <em>block</em> format (not the framed
 * stream format) around a protobuf WriteRequest. The output goes into a buffer owned by this
 * object and reused by the next call, so one instance per worker keeps the distributor from
 * allocating a fresh multi-megabyte array for every push. Not thread-safe.
 *
 * <p>The decompressed size is checked against the limit from the snappy header before anything
 * is allocated (config {@code mnemo.distributor.max-decompressed-size}, Mimir's
 * {@code max_recv_msg_size}, 100 MiB by default).
 */
public final class RemoteWriteBody {
    /** Buffers above this size are dropped after use, so one huge push does not pin memory. */
    private static final int RETAINED_CAPACITY = 8 << 20;
    private static final String LIMIT_KEY = "mnemo.distributor.max-decompressed-size";

    private final long maxDecompressedSize;
    private byte[] buffer = new byte[64 << 10];
    private int length;

    public RemoteWriteBody(long maxDecompressedSize) {
        if (maxDecompressedSize <= 0) throw new IllegalArgumentException("maxDecompressedSize must be positive");
        this.maxDecompressedSize = maxDecompressedSize;
    }

    /**
     * Decompresses {@code body[offset, offset+len)} into {@link #buffer()}.
     *
     * @return the decompressed length, also available as {@link #length()}
     * @throws RemoteWriteException when the body is not valid snappy block data ("decompress
     *     snappy: ...") or decompresses to more than the limit ({@link RemoteWriteException#isTooLarge()})
     */
    public int decompress(byte[] body, int offset, int len) {
        length = 0;
        if (len == 0) throw new RemoteWriteException("decompress snappy: empty body");
        int size;
        try {
            size = Snappy.uncompressedLength(body, offset, len);
        } catch (IOException e) {
            throw new RemoteWriteException("decompress snappy: corrupt input, the length header is invalid", e);
        }
        // The header is a uvarint of up to 32 bits; snappy-java hands back an int, so sizes above
        // 2 GiB come back negative.
        long declared = size < 0 ? size & 0xFFFFFFFFL : size;
        if (size < 0 || declared > maxDecompressedSize) {
            throw RemoteWriteException.tooLarge("decompress snappy: the push body decompresses to " + declared
                    + " bytes, more than the limit of " + maxDecompressedSize + " bytes (" + LIMIT_KEY
                    + "); send smaller batches (Prometheus: queue_config.max_samples_per_send) or raise the limit");
        }
        try {
            // Checked first: uncompressing garbage with the native decoder is not guaranteed to fail cleanly.
            if (!Snappy.isValidCompressedBuffer(body, offset, len)) {
                throw new RemoteWriteException("decompress snappy: corrupt input (is the body snappy block format, "
                        + "Content-Encoding: snappy, and not framed or another compression?)");
            }
            ensureCapacity(size);
            int n = Snappy.uncompress(body, offset, len, buffer, 0);
            if (n != size) {
                throw new RemoteWriteException("decompress snappy: corrupt input, header says " + size
                        + " bytes but " + n + " were decoded");
            }
            length = n;
            return n;
        } catch (IOException e) {
            throw new RemoteWriteException("decompress snappy: " + e.getMessage(), e);
        }
    }

    public int decompress(byte[] body) {
        return decompress(body, 0, body.length);
    }

    /** Decompressed bytes of the last successful call are {@code buffer()[0, length())}. */
    public byte[] buffer() { return buffer; }

    public int length() { return length; }

    private void ensureCapacity(int size) {
        if (size <= buffer.length) {
            if (buffer.length > RETAINED_CAPACITY && size <= RETAINED_CAPACITY) buffer = new byte[RETAINED_CAPACITY];
            return;
        }
        long grown = Math.max(size, Math.min((long) buffer.length * 2, maxDecompressedSize));
        buffer = new byte[(int) Math.min(grown, Integer.MAX_VALUE - 8)];
    }
}
