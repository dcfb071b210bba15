package io.mnemo.tsdb.block;

import java.io.Closeable;
import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.zip.CRC32C;

/**
 * A read-only file mapped into memory, as a {@link ByteSource}. A single mapping cannot exceed 2 GiB in Java, so the file
 * is mapped as consecutive slices (1 GiB by default) and every read is addressed by a long
 * position; reads that cross a slice border are assembled byte by byte. Only absolute reads are
 * used, so one instance serves any number of threads.
 *
 * <p>{@link #close()} unmaps at once (through the JDK's buffer cleaner) instead of waiting for
 * the garbage collector, which keeps deleted block files from holding disk space. Reading after
 * close would touch unmapped memory, so the owner must guarantee no reader is left; see
 * {@link BlockReader}'s reference counting.
 */
public final class MappedFile implements ByteSource, Closeable {
    static final int DEFAULT_SLICE_SHIFT = 30;

    private final Path path;
    private final long size;
    private final int shift;
    private final long mask;
    private final MappedByteBuffer[] slices;
    private volatile boolean closed;

    public static MappedFile open(Path path) throws IOException {
        return open(path, DEFAULT_SLICE_SHIFT);
    }

    /** @param sliceShift log2 of the slice size (small in tests, to cross borders often) */
    static MappedFile open(Path path, int sliceShift) throws IOException {
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            return new MappedFile(path, ch, sliceShift);
        }
    }

    private MappedFile(Path path, FileChannel ch, int shift) throws IOException {
        if (shift < 3 || shift > 30) throw new IllegalArgumentException("slice shift out of range: " + shift);
        this.path = path;
        this.size = ch.size();
        this.shift = shift;
        this.mask = (1L << shift) - 1;
        int n = (int) ((size + mask) >>> shift);
        slices = new MappedByteBuffer[n];
        for (int i = 0; i < n; i++) {
            long start = (long) i << shift;
            slices[i] = ch.map(FileChannel.MapMode.READ_ONLY, start, Math.min(1L << shift, size - start));
        }
    }

    Path path() { return path; }

    @Override
    public String name() { return path.toString(); }

    @Override
    public long size() { return size; }

    @Override
    public int u8(long pos) {
        check(pos, 1);
        return slices[(int) (pos >>> shift)].get((int) (pos & mask)) & 0xFF;
    }

    @Override
    public int be32(long pos) {
        check(pos, 4);
        int off = (int) (pos & mask);
        ByteBuffer s = slices[(int) (pos >>> shift)];
        if (off + 4 <= s.limit()) return s.getInt(off); // mapped buffers are big-endian
        return (u8(pos) << 24) | (u8(pos + 1) << 16) | (u8(pos + 2) << 8) | u8(pos + 3);
    }

    @Override
    public long be64(long pos) {
        check(pos, 8);
        int off = (int) (pos & mask);
        ByteBuffer s = slices[(int) (pos >>> shift)];
        if (off + 8 <= s.limit()) return s.getLong(off);
        return ((long) be32(pos) << 32) | (be32(pos + 4) & 0xFFFF_FFFFL);
    }

    @Override
    public void copy(long pos, byte[] dst, int off, int len) {
        check(pos, len);
        while (len > 0) {
            ByteBuffer s = slices[(int) (pos >>> shift)];
            int at = (int) (pos & mask);
            int n = Math.min(len, s.limit() - at);
            s.get(at, dst, off, n);
            pos += n;
            off += n;
            len -= n;
        }
    }

    @Override
    public void be32s(long pos, int[] dst, int n) {
        check(pos, 4L * n);
        ByteBuffer s = slices[(int) (pos >>> shift)];
        int at = (int) (pos & mask);
        if (at + 4L * n <= s.limit()) {
            s.slice(at, 4 * n).asIntBuffer().get(dst, 0, n); // slices are big-endian
            return;
        }
        for (int i = 0; i < n; i++) dst[i] = be32(pos + 4L * i);
    }

    @Override
    public int crc32c(long pos, long len) {
        check(pos, len);
        CRC32C crc = new CRC32C();
        while (len > 0) {
            ByteBuffer s = slices[(int) (pos >>> shift)];
            int at = (int) (pos & mask);
            int n = (int) Math.min(len, s.limit() - at);
            crc.update(s.slice(at, n));
            pos += n;
            len -= n;
        }
        return (int) crc.getValue();
    }

    private void check(long pos, long len) {
        if (closed) throw new IllegalStateException(path + " is closed");
        if (pos < 0 || len < 0 || pos + len > size) {
            throw new IndexOutOfBoundsException(path + ": " + len + " bytes at " + pos + " run past its end (" + size + ")");
        }
    }

    @Override
    public void close() {
        if (closed) return;
        closed = true;
        for (int i = 0; i < slices.length; i++) {
            Unmapper.unmap(slices[i]);
            slices[i] = null;
        }
    }

    /** Frees a mapping now through sun.misc.Unsafe#invokeCleaner when the JDK offers it. */
    private static final class Unmapper {
        private static final Object UNSAFE;
        private static final Method INVOKE_CLEANER;

        static {
            Object unsafe = null;
            Method m = null;
            try {
                Class<?> c = Class.forName("sun.misc.Unsafe");
                Field f = c.getDeclaredField("theUnsafe");
                f.setAccessible(true);
                unsafe = f.get(null);
                m = c.getMethod("invokeCleaner", ByteBuffer.class);
            } catch (ReflectiveOperationException | RuntimeException e) {
                // No explicit unmapping: the garbage collector unmaps when the buffer is unreachable.
            }
            UNSAFE = unsafe;
            INVOKE_CLEANER = m;
        }

        static void unmap(MappedByteBuffer b) {
            if (b == null || INVOKE_CLEANER == null) return;
            try {
                INVOKE_CLEANER.invoke(UNSAFE, b);
            } catch (ReflectiveOperationException | RuntimeException e) {
                // Left to the garbage collector.
            }
        }
    }
}
