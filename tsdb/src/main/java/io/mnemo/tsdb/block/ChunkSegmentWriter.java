package io.mnemo.tsdb.block;

import io.mnemo.tsdb.Varint;
import io.mnemo.tsdb.chunkenc.Chunk;
import io.mnemo.tsdb.chunkenc.ChunkEncoding;
import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Path;

/**
 * Writes the {@code chunks/000001, 000002, ...} segment files of a block. A segment starts with
 * the magic 0x85BD40DD, format version 1 and three bytes of padding; each chunk is its data
 * length (uvarint), its encoding byte ({@link ChunkEncoding}: 1 XOR, 2 histogram, 3 float
 * histogram), its data and a CRC32C of encoding and data, as Prometheus writes them. A chunk
 * is referenced from the index by (segment index << 32 | offset in the segment), the segment
 * index counting from 0 for file 000001. A new segment is cut before a chunk that would take
 * the current one past the segment size, so a segment outgrows it only with a single chunk.
 */
public final class ChunkSegmentWriter implements Closeable {
    static final int MAGIC = 0x85BD40DD;
    static final int FORMAT_V1 = 1;
    static final int HEADER_SIZE = 8;
    /** Prometheus's segment size. */
    public static final long DEFAULT_SEGMENT_BYTES = 512L << 20;

    private final Path dir;
    private final long segmentBytes;
    private final EncBuf head = new EncBuf(16);
    private FileOut current;
    private int segments;

    public ChunkSegmentWriter(Path dir, long segmentBytes) {
        if (segmentBytes < HEADER_SIZE + 64 || segmentBytes > 0xFFFF_FFFFL) {
            throw new IllegalArgumentException("chunk segment size out of range: " + segmentBytes);
        }
        this.dir = dir;
        this.segmentBytes = segmentBytes;
    }

    /**
     * Writes one chunk in its own encoding and returns its ref. The sample count is the chunk's
     * own: a view of a head chunk may share an array whose count has moved on since.
     */
    public long write(Chunk c) throws IOException {
        int n = c.numSamples();
        return write(c.encoding(), (byte) (n >>> 8), (byte) n, c.array(), c.offset() + 2, c.length() - 2);
    }

    /** Writes one chunk of this encoding (its bytes, sample-count header included) and returns its ref. */
    public long write(ChunkEncoding encoding, byte[] data, int off, int len) throws IOException {
        if (len < 2) throw new IllegalArgumentException("a chunk has at least its 2-byte sample count, got " + len + " bytes");
        return write(encoding, data[off], data[off + 1], data, off + 2, len - 2);
    }

    /** A chunk given as its sample count's two bytes and the rest of its bytes. */
    private long write(ChunkEncoding encoding, byte count0, byte count1, byte[] data, int off, int rest) throws IOException {
        int len = rest + 2;
        long size = Varint.size(len) + 1L + len + 4;
        if (current == null || (current.position() > HEADER_SIZE && current.position() + size > segmentBytes)) {
            cut();
        }
        long ref = ((long) (segments - 1) << 32) | current.position();
        head.reset();
        head.putUvarint(len);
        current.write(head);
        current.beginCrc();
        current.writeByte(encoding.code());
        current.writeByte(count0);
        current.writeByte(count1);
        current.write(data, off, rest);
        current.endCrc();
        return ref;
    }

    private void cut() throws IOException {
        if (current != null) current.finish();
        current = null;
        segments++;
        FileOut f = new FileOut(dir.resolve(segmentName(segments)));
        f.writeBE32(MAGIC);
        f.writeByte(FORMAT_V1);
        f.writeByte(0);
        f.writeByte(0);
        f.writeByte(0);
        current = f;
    }

    static String segmentName(int seq) {
        return String.format("%06d", seq);
    }

    /** Flushes and syncs the last segment. */
    public void finish() throws IOException {
        if (current != null) current.finish();
        current = null;
    }

    @Override
    public void close() throws IOException {
        if (current != null) current.close();
    }
}
