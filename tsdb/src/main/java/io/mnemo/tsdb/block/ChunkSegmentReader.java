package io.mnemo.tsdb.block;

import io.mnemo.tsdb.chunkenc.Chunk;
import io.mnemo.tsdb.chunkenc.ChunkEncoding;

import java.io.Closeable;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads chunks from a block's mapped {@code chunks/} segment files by the refs the index holds
 * (segment index << 32 | offset). Opening checks each segment's magic and version; reading a
 * chunk checks its CRC32C. Safe for concurrent use.
 *
 * <p>Its decoders of a segment's header and of one chunk ({@link #checkSegmentHeader},
 * {@link #chunkEnd}, {@link #decode}) read any {@link ByteSource}, so the bucket store decodes
 * the chunks it fetches by ranged reads with them.
 */
public final class ChunkSegmentReader implements Closeable {
    /** Magic, version, padding. */
    public static final int SEGMENT_HEADER_SIZE = ChunkSegmentWriter.HEADER_SIZE;
    private final MappedFile[] segments;

    private ChunkSegmentReader(MappedFile[] segments) {
        this.segments = segments;
    }

    /** Maps and checks the chunk segments of a block's {@code chunks/} directory; close it to unmap. */
    public static ChunkSegmentReader open(Path chunksDir) throws IOException {
        return open(chunksDir, MappedFile.DEFAULT_SLICE_SHIFT);
    }

    static ChunkSegmentReader open(Path chunksDir, int sliceShift) throws IOException {
        List<Path> files = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(chunksDir)) {
            for (Path p : ds) {
                String n = p.getFileName().toString();
                if (n.length() == 6 && n.chars().allMatch(Character::isDigit)) files.add(p);
            }
        }
        files.sort(null);
        List<MappedFile> mapped = new ArrayList<>(files.size());
        try {
            for (int i = 0; i < files.size(); i++) {
                Path p = files.get(i);
                if (!p.getFileName().toString().equals(ChunkSegmentWriter.segmentName(i + 1))) {
                    throw new IOException(chunksDir + ": chunk segments are not numbered 000001 on without gaps at " + p.getFileName());
                }
                MappedFile f = MappedFile.open(p, sliceShift);
                mapped.add(f);
                if (f.size() < ChunkSegmentWriter.HEADER_SIZE) throw new IOException(p + ": not a chunk segment (bad magic)");
                checkSegmentHeader(f);
            }
        } catch (IOException | RuntimeException e) {
            for (MappedFile f : mapped) f.close();
            throw e;
        }
        return new ChunkSegmentReader(mapped.toArray(new MappedFile[0]));
    }

    /**
     * The chunk at this ref in its own encoding (XOR, histogram or float histogram), copied out
     * of the mapping.
     *
     * @throws IOException for damage, or an encoding this store does not read (a query fails
     *     rather than leave the chunk's samples out)
     */
    public Chunk readChunk(long ref) throws IOException {
        int seg = (int) (ref >>> 32);
        if (seg >= segments.length) throw new IOException("chunk ref " + Long.toHexString(ref) + " names missing segment " + (seg + 1));
        return decode(segments[seg], ref & 0xFFFF_FFFFL);
    }

    /**
     * Copies the chunk at this ref, its encoding byte first ({@link ChunkEncoding#code()}) and
     * then its bytes (sample-count header included), checksum checked, into {@code dst} and
     * returns how many bytes that is; when {@code dst} is too short, copies nothing and returns
     * minus the length needed. How the compactor copies chunks of any encoding without a new
     * array each.
     *
     * @throws IOException for damage, or an encoding this store does not read
     */
    public int copyChunk(long ref, byte[] dst) throws IOException {
        int seg = (int) (ref >>> 32);
        if (seg >= segments.length) throw new IOException("chunk ref " + Long.toHexString(ref) + " names missing segment " + (seg + 1));
        MappedFile f = segments[seg];
        long off = ref & 0xFFFF_FFFFL;
        Cursor c = new Cursor(f, off, f.size());
        int len = c.uvarintInt();
        if (len + 1 > dst.length) return -(len + 1);
        long encodingAt = c.position();
        int encoding = c.u8();
        c.skip(len);
        int crc = c.be32();
        if (f.crc32c(encodingAt, 1L + len) != crc) throw new IOException(f.name() + ": checksum mismatch of chunk at " + off);
        if (ChunkEncoding.of(encoding) == null) {
            throw new IOException(f.name() + ": chunk at " + off + " has encoding " + encoding + ", which this store does not read");
        }
        f.copy(encodingAt, dst, 0, len + 1);
        return len + 1;
    }

    /** Checks the magic and version at the start of a segment file. */
    public static void checkSegmentHeader(ByteSource f) throws IOException {
        if (f.be32(0) != ChunkSegmentWriter.MAGIC) throw new IOException(f.name() + ": not a chunk segment (bad magic)");
        if (f.u8(4) != ChunkSegmentWriter.FORMAT_V1) throw new IOException(f.name() + ": unsupported chunk segment version " + f.u8(4));
    }

    /**
     * Where the chunk at {@code off} of a segment ends (its checksum included), or -1 when
     * {@code f} ends before its length does: how a reader that fetched a guessed range learns
     * whether the chunk is in it.
     */
    public static long chunkEnd(ByteSource f, long off) throws IOException {
        Cursor c = new Cursor(f, off, f.size());
        long len = 0;
        for (int shift = 0; ; shift += 7) {
            if (c.remaining() == 0) return -1;
            if (shift > 28) throw c.corrupt("chunk length overflows");
            int b = c.u8();
            len |= (long) (b & 0x7F) << shift;
            if ((b & 0x80) == 0) break;
        }
        return c.position() + 1 + len + 4;
    }

    /**
     * The chunk at {@code off} of a segment in its own encoding, its checksum checked and its
     * bytes copied out.
     *
     * @throws IOException for damage, or an encoding this store does not read
     */
    public static Chunk decode(ByteSource f, long off) throws IOException {
        Cursor c = new Cursor(f, off, f.size());
        int len = c.uvarintInt();
        long encodingAt = c.position();
        int code = c.u8();
        c.skip(len);
        int crc = c.be32();
        if (f.crc32c(encodingAt, 1L + len) != crc) throw new IOException(f.name() + ": checksum mismatch of chunk at " + off);
        ChunkEncoding encoding = ChunkEncoding.of(code);
        if (encoding == null) {
            throw new IOException(f.name() + ": chunk at " + off + " has encoding " + code + ", which this store does not read");
        }
        byte[] data = new byte[len];
        f.copy(encodingAt + 1, data, 0, len);
        return Chunk.wrap(encoding, data, 0, len);
    }

    @Override
    public void close() {
        for (MappedFile f : segments) f.close();
    }
}
