package io.mnemo.objstore;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Bytes [position, end) of an open file, by positional reads; closing it closes the file. A ranged
 * read of the filesystem bucket, and a part of a multipart upload to S3.
 */
final class FileRangeInputStream extends InputStream {
    private final FileChannel ch;
    private long position;
    private final long end;

    FileRangeInputStream(FileChannel ch, long position, long end) {
        this.ch = ch;
        this.position = position;
        this.end = end;
    }

    static FileRangeInputStream open(Path file, long position, long length) throws IOException {
        return new FileRangeInputStream(FileChannel.open(file, StandardOpenOption.READ), position, position + length);
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (len == 0) return 0;
        if (position >= end) return -1;
        int n = ch.read(ByteBuffer.wrap(b, off, (int) Math.min(len, end - position)), position);
        if (n < 0) throw new IOException("file ended at byte " + position + ", before " + end + ": truncated while read");
        position += n;
        return n;
    }

    @Override
    public long skip(long n) {
        long skipped = Math.max(0, Math.min(n, end - position));
        position += skipped;
        return skipped;
    }

    @Override
    public int available() {
        return (int) Math.min(Integer.MAX_VALUE, end - position);
    }

    @Override
    public void close() throws IOException {
        ch.close();
    }
}
