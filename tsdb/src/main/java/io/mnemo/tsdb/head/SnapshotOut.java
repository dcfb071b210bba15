package io.mnemo.tsdb.head;

import io.mnemo.tsdb.Varint;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The byte sink a snapshot is encoded into: varints, strings and raw byte runs, with no
 * synchronisation and no object per value (a snapshot of a large head writes millions). Bytes go
 * into pages of at most {@link #PAGE_SIZE}, so a snapshot may outgrow one Java array (2 GiB):
 * a head of several million series does.
 */
public final class SnapshotOut {
    /** Size of every page but the last; the first page starts small and grows up to it. */
    public static final int PAGE_SIZE = 16 << 20;

    private final int pageSize;
    private final List<byte[]> full = new ArrayList<>();
    private byte[] page;
    private int len;
    private long fullBytes;

    public SnapshotOut(int capacity) {
        this(capacity, PAGE_SIZE);
    }

    /** With a page size other than {@link #PAGE_SIZE}: tests use tiny pages to cross page borders often. */
    SnapshotOut(int capacity, int pageSize) {
        this.pageSize = pageSize;
        page = new byte[Math.min(Math.max(capacity, 64), pageSize)];
    }

    /** Bytes written so far. */
    public long length() { return fullBytes + len; }

    /** What was written, as pages: every one full but the last, which is trimmed. */
    public List<byte[]> pages() {
        List<byte[]> out = new ArrayList<>(full.size() + 1);
        out.addAll(full);
        if (len > 0 || full.isEmpty()) out.add(Arrays.copyOf(page, len));
        return out;
    }

    /** What was written, as one array; only for snapshots known to be small (tests, tools). */
    public byte[] toByteArray() {
        long n = length();
        if (n > Integer.MAX_VALUE - 16) throw new IllegalStateException("snapshot of " + n + " bytes does not fit one array");
        byte[] out = new byte[(int) n];
        int at = 0;
        for (byte[] p : pages()) {
            System.arraycopy(p, 0, out, at, p.length);
            at += p.length;
        }
        return out;
    }

    public void putByte(int v) {
        if (len == page.length) room();
        page[len++] = (byte) v;
    }

    public void putUvarint(long v) {
        if (page.length - len < Varint.MAX_BYTES) {
            // slow path only near a page's end: byte by byte, each may open the next page
            while ((v & ~0x7FL) != 0) {
                putByte((int) ((v & 0x7F) | 0x80));
                v >>>= 7;
            }
            putByte((int) v);
            return;
        }
        len = Varint.put(page, len, v);
    }

    /** A signed value, zig-zag encoded. */
    public void putVarint(long v) {
        putUvarint(Varint.zigZag(v));
    }

    public void putBytes(byte[] b) {
        putUvarint(b.length);
        int at = 0;
        while (at < b.length) {
            if (len == page.length) room();
            int n = Math.min(b.length - at, page.length - len);
            System.arraycopy(b, at, page, len, n);
            len += n;
            at += n;
        }
    }

    public void putString(String s) {
        putBytes(s.getBytes(StandardCharsets.UTF_8));
    }

    /** The current page is full: grow it while it is smaller than a page, else start the next. */
    private void room() {
        if (page.length < pageSize) {
            page = Arrays.copyOf(page, (int) Math.min((long) page.length * 2, pageSize));
            return;
        }
        full.add(page);
        fullBytes += page.length;
        page = new byte[pageSize];
        len = 0;
    }
}
