package io.mnemo.objstore;

import java.io.IOException;
import java.io.InputStream;

/**
 * The bytes of an upload's stream, which must be exactly the length the caller declared: the
 * stream ending early or going on past it is an error, so that an upload never stores a truncated
 * object as if it were whole.
 */
final class LengthCheckedInputStream extends InputStream {
    private final InputStream in;
    private final long length;
    private long read;
    private boolean checkedEnd;

    LengthCheckedInputStream(InputStream in, long length) {
        if (length < 0) throw new IllegalArgumentException("upload length is negative: " + length);
        this.in = in;
        this.length = length;
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
        if (read == length) {
            checkEnd();
            return -1;
        }
        int n = in.read(b, off, (int) Math.min(len, length - read));
        if (n < 0) throw new IOException("upload stream ended after " + read + " of its " + length + " bytes");
        read += n;
        return n;
    }

    /** Called once all declared bytes were read: the stream must end there. */
    private void checkEnd() throws IOException {
        if (checkedEnd) return;
        if (in.read() >= 0) throw new IOException("upload stream holds more than its declared " + length + " bytes");
        checkedEnd = true;
    }

    /** Reads until {@code buf} is full or the declared bytes are all read; returns how many. */
    int readFully(byte[] buf, int len) throws IOException {
        int n = 0;
        while (n < len) {
            int r = read(buf, n, len - n);
            if (r < 0) break;
            n += r;
        }
        return n;
    }

    /** Whether every declared byte was read and the stream ends there. */
    void requireEnd() throws IOException {
        if (read != length) throw new IOException("upload stream read " + read + " of its " + length + " bytes");
        checkEnd();
    }

    @Override
    public void close() {
        // The caller owns the stream.
    }
}
