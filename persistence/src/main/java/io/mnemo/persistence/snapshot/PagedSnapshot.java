package io.mnemo.persistence.snapshot;

import java.util.List;

/**
 * A snapshot that is already bytes, in pages: {@link LocalSnapshotStore} writes and reads it
 * as it is, without Pekko serialization, whose single {@code byte[]} caps a snapshot at 2 GiB.
 * An ingester's head snapshot is one: millions of series and their chunks outgrow one array.
 * The pages are handed over: nobody writes to them afterwards.
 */
public record PagedSnapshot(List<byte[]> pages) {

    public PagedSnapshot {
        pages = List.copyOf(pages);
    }

    /** Bytes in all pages. */
    public long size() {
        long n = 0;
        for (byte[] p : pages) n += p.length;
        return n;
    }
}
