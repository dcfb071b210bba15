package io.mnemo.tsdb.head;

import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Reads what {@link SnapshotOut} wrote, from one array or from its pages; a value running past
 * the end is an error, never garbage. Values may straddle page borders.
 */
public final class SnapshotIn {
    private final byte[][] pages;
    private final long size;
    private int pageIndex;
    private byte[] page;
    private int pos;
    /** Bytes in the pages before the current one. */
    private long before;

    public SnapshotIn(byte[] buf) {
        this(List.of(buf));
    }

    public SnapshotIn(List<byte[]> pages) {
        this.pages = pages.toArray(new byte[0][]);
        long n = 0;
        for (byte[] p : this.pages) n += p.length;
        this.size = n;
        this.page = this.pages.length > 0 ? this.pages[0] : new byte[0];
    }

    public boolean hasRemaining() { return position() < size; }

    public long position() { return before + pos; }

    public int getByte() {
        if (pos == page.length) nextPage(1);
        return page[pos++] & 0xFF;
    }

    public long getUvarint() {
        long v = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            int b = getByte();
            v |= (long) (b & 0x7F) << shift;
            if ((b & 0x80) == 0) return v;
        }
        throw new IllegalArgumentException("snapshot varint too long at byte " + position());
    }

    public long getVarint() {
        long u = getUvarint();
        return (u >>> 1) ^ -(u & 1);
    }

    /** An unsigned varint that must fit an int (a count or a length). */
    public int getCount() {
        long v = getUvarint();
        if (v > Integer.MAX_VALUE) throw new IllegalArgumentException("snapshot count " + v + " too large at byte " + position());
        return (int) v;
    }

    public byte[] getBytes() {
        int n = getCount();
        need(n);
        return take(n);
    }

    public String getString() {
        int n = getCount();
        need(n);
        if (page.length - pos >= n) {
            String s = new String(page, pos, n, StandardCharsets.UTF_8);
            pos += n;
            return s;
        }
        return new String(take(n), StandardCharsets.UTF_8); // straddles a page border
    }

    /** The next n bytes, which {@link #need} found there, copied across page borders. */
    private byte[] take(int n) {
        byte[] out = new byte[n];
        int at = 0;
        while (at < n) {
            if (pos == page.length) nextPage(n - at);
            int k = Math.min(n - at, page.length - pos);
            System.arraycopy(page, pos, out, at, k);
            pos += k;
            at += k;
        }
        return out;
    }

    private void nextPage(int needed) {
        do {
            if (pageIndex + 1 >= pages.length) {
                throw new IllegalArgumentException("snapshot truncated: " + needed + " bytes needed at byte " + position() + " of " + size);
            }
            before += page.length;
            page = pages[++pageIndex];
            pos = 0;
        } while (page.length == 0);
    }

    private void need(int n) {
        if (n > size - position()) {
            throw new IllegalArgumentException("snapshot truncated: " + n + " bytes needed at byte " + position() + " of " + size);
        }
    }
}
