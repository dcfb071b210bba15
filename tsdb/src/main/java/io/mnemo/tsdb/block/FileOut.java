package io.mnemo.tsdb.block;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.zip.CRC32C;

/**
 * Writes a new file sequentially through one reused buffer, knowing its position at all times
 * (sections of the block files refer to each other by offset). While a checksum is open, every
 * byte written also goes into a CRC32 Castagnoli, the checksum Prometheus uses everywhere.
 */
final class FileOut implements Closeable {
    private static final byte[] ZEROS = new byte[16];

    private final Path path;
    private final FileChannel ch;
    private final ByteBuffer buf;
    private final CRC32C crc = new CRC32C();
    private boolean crcOpen;
    private long pos;
    private boolean closed;

    FileOut(Path path) throws IOException {
        this.path = path;
        this.ch = FileChannel.open(path, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE,
                StandardOpenOption.READ);
        this.buf = ByteBuffer.allocate(1 << 20);
    }

    Path path() { return path; }

    long position() { return pos; }

    void write(byte[] b, int off, int len) throws IOException {
        if (crcOpen) crc.update(b, off, len);
        pos += len;
        while (len > 0) {
            if (!buf.hasRemaining()) drain();
            int n = Math.min(len, buf.remaining());
            buf.put(b, off, n);
            off += n;
            len -= n;
        }
    }

    void write(EncBuf e) throws IOException {
        write(e.array(), 0, e.length());
    }

    void writeByte(int v) throws IOException {
        if (crcOpen) crc.update(v);
        pos++;
        if (!buf.hasRemaining()) drain();
        buf.put((byte) v);
    }

    void writeBE32(int v) throws IOException {
        writeByte(v >>> 24);
        writeByte(v >>> 16);
        writeByte(v >>> 8);
        writeByte(v);
    }

    /** Zero bytes up to the next multiple of {@code align} (at most 16). */
    void pad(int align) throws IOException {
        int rem = (int) (pos % align);
        if (rem != 0) write(ZEROS, 0, align - rem);
    }

    /** Starts a checksum over the bytes written from now on. */
    void beginCrc() {
        crc.reset();
        crcOpen = true;
    }

    /** Ends the checksum and writes it, big-endian, as Prometheus stores it. */
    void endCrc() throws IOException {
        crcOpen = false;
        writeBE32((int) crc.getValue());
    }

    /** Overwrites bytes already written (e.g. a length known only at the end of its section). */
    void writeAt(long at, byte[] b) throws IOException {
        drain();
        ByteBuffer src = ByteBuffer.wrap(b);
        while (src.hasRemaining()) at += ch.write(src, at);
    }

    /** Appends all bytes of another file, not checksummed. */
    void append(Path other) throws IOException {
        drain();
        try (FileChannel in = FileChannel.open(other, StandardOpenOption.READ)) {
            long size = in.size();
            long done = 0;
            while (done < size) done += in.transferTo(done, size - done, ch);
            pos += size;
        }
    }

    /** Flushes, forces the bytes to disk and closes. */
    void finish() throws IOException {
        drain();
        ch.force(true);
        close();
    }

    private void drain() throws IOException {
        buf.flip();
        while (buf.hasRemaining()) ch.write(buf);
        buf.clear();
    }

    /** Closes without flushing: for abandoning a file after a failure. */
    @Override
    public void close() throws IOException {
        if (closed) return;
        closed = true;
        ch.close();
    }
}
