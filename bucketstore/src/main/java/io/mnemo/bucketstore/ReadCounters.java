package io.mnemo.bucketstore;

import java.util.concurrent.atomic.LongAdder;

/** Ranged reads of blocks' objects and the bytes they fetched, over all blocks of a store. */
final class ReadCounters {
    private final LongAdder reads = new LongAdder();
    private final LongAdder bytes = new LongAdder();

    void read(long n) {
        reads.increment();
        bytes.add(n);
    }

    long reads() { return reads.sum(); }

    long bytes() { return bytes.sum(); }
}
