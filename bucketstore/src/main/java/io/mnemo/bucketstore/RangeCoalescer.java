package io.mnemo.bucketstore;

import java.util.ArrayList;
import java.util.List;

/**
 * Plans the ranged reads of one object that fetch many small byte ranges (series entries,
 * postings lists, chunks): ranges closer than a gap are read as one, so that a select reads a
 * block's objects in a few requests rather than one per series (Thanos's gap-based partitioner).
 * Bytes in the gaps are read and dropped: a request costs far more than a few hundred KiB more of
 * it. A merged read stops growing at a bound, which bounds the memory one read holds.
 *
 * @param maxGap  ranges at most this far apart are merged; negative merges only overlapping ones
 * @param maxRead a merged read grows no longer than this (a single longer range is read alone)
 */
record RangeCoalescer(long maxGap, long maxRead) {
    /** One read: [start, end), covering the requested ranges first..last-1. */
    record Read(long start, long end, int first, int last) {}

    /** The reads for ranges [starts[i], ends[i]) of i in [0, n), sorted by start. */
    List<Read> plan(long[] starts, long[] ends, int n) {
        List<Read> out = new ArrayList<>();
        int i = 0;
        while (i < n) {
            int first = i;
            long start = starts[i];
            long end = ends[i];
            i++;
            while (i < n && starts[i] - end <= maxGap && Math.max(end, ends[i]) - start <= maxRead) {
                end = Math.max(end, ends[i]);
                i++;
            }
            out.add(new Read(start, end, first, i));
        }
        return out;
    }
}
