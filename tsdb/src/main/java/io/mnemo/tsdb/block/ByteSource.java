package io.mnemo.tsdb.block;

import java.util.Objects;
import java.util.zip.CRC32C;

/**
 * Bytes of a block file addressed by their position in the file: a whole file mapped into memory
 * ({@link MappedFile}), or a part of it fetched by a ranged read ({@link #wrap}), which keeps the
 * file's positions so that offsets the index holds (series ids, postings offsets, chunk refs)
 * address it unchanged. The block format's decoders ({@link IndexFormat}, {@link IndexTables},
 * {@link ChunkSegmentReader#decode}) read through it, whichever the bytes came from.
 *
 * <p>Reads are absolute, so one source serves any number of threads. Reading outside
 * [{@link #start()}, {@link #size()}) throws {@link IndexOutOfBoundsException}.
 */
public interface ByteSource {
    /** The file's name, for errors. */
    String name();

    /** The first position held (0 for a whole file). */
    default long start() { return 0; }

    /** The position after the last byte held (the file's size for a whole file). */
    long size();

    int u8(long pos);

    /** A big-endian 32-bit int. */
    int be32(long pos);

    /** A big-endian 64-bit long. */
    long be64(long pos);

    /** Copies {@code len} bytes at {@code pos} into dst. */
    void copy(long pos, byte[] dst, int off, int len);

    /** Reads {@code n} big-endian ints at {@code pos} into dst. */
    void be32s(long pos, int[] dst, int n);

    /** CRC32 Castagnoli of {@code len} bytes at {@code pos}. */
    int crc32c(long pos, long len);

    /** The bytes at [start, start + bytes.length) of a file (not copied). */
    static ByteSource wrap(byte[] bytes, long start, String name) {
        return new Bytes(bytes, start, name);
    }

    /** A part of a file held in an array. */
    final class Bytes implements ByteSource {
        private final byte[] b;
        private final long start;
        private final String name;

        private Bytes(byte[] b, long start, String name) {
            if (start < 0) throw new IllegalArgumentException("negative start " + start);
            this.b = Objects.requireNonNull(b);
            this.start = start;
            this.name = name;
        }

        @Override
        public String name() { return name; }

        @Override
        public long start() { return start; }

        @Override
        public long size() { return start + b.length; }

        private int at(long pos, long len) {
            if (pos < start || len < 0 || pos + len > start + b.length) {
                throw new IndexOutOfBoundsException(name + ": " + len + " bytes at " + pos + " are outside the "
                        + b.length + " bytes held from " + start);
            }
            return (int) (pos - start);
        }

        @Override
        public int u8(long pos) { return b[at(pos, 1)] & 0xFF; }

        @Override
        public int be32(long pos) {
            int i = at(pos, 4);
            return (b[i] & 0xFF) << 24 | (b[i + 1] & 0xFF) << 16 | (b[i + 2] & 0xFF) << 8 | (b[i + 3] & 0xFF);
        }

        @Override
        public long be64(long pos) {
            at(pos, 8);
            return ((long) be32(pos) << 32) | (be32(pos + 4) & 0xFFFF_FFFFL);
        }

        @Override
        public void copy(long pos, byte[] dst, int off, int len) {
            System.arraycopy(b, at(pos, len), dst, off, len);
        }

        @Override
        public void be32s(long pos, int[] dst, int n) {
            at(pos, 4L * n);
            for (int i = 0; i < n; i++) dst[i] = be32(pos + 4L * i);
        }

        @Override
        public int crc32c(long pos, long len) {
            CRC32C crc = new CRC32C();
            crc.update(b, at(pos, len), (int) len);
            return (int) crc.getValue();
        }
    }
}
