package io.mnemo.tsdb.block;

import io.mnemo.tsdb.Labels;

/**
 * A decoded series entry of a block's index: labels and chunk metas (time range and ref of each
 * chunk, in time order), reused from one series to the next ({@link IndexFormat#readSeries}).
 */
public final class SeriesEntry {
    Labels labels;
    int numChunks;
    long[] mins = new long[8];
    long[] maxs = new long[8];
    long[] refs = new long[8];

    public Labels labels() { return labels; }

    public int numChunks() { return numChunks; }

    /** First timestamp of chunk i. */
    public long minTime(int i) { return mins[i]; }

    /** Last timestamp of chunk i (inclusive). */
    public long maxTime(int i) { return maxs[i]; }

    /** Ref of chunk i: segment index << 32 | offset in the segment. */
    public long ref(int i) { return refs[i]; }

    /** Whether some chunk overlaps [mint, maxt]. */
    public boolean overlaps(long mint, long maxt) {
        for (int i = 0; i < numChunks; i++) {
            if (mins[i] <= maxt && maxs[i] >= mint) return true;
        }
        return false;
    }

    /** The first chunk that ends at or after {@code mint} ({@link #numChunks} if none). */
    public int firstChunkFrom(long mint) {
        int i = 0;
        while (i < numChunks && maxs[i] < mint) i++;
        return i;
    }

    /** The end of the chunks from {@code first} on that start at or before {@code maxt}. */
    public int chunksUntil(int first, long maxt) {
        int end = first;
        while (end < numChunks && mins[end] <= maxt) end++;
        return end;
    }

    void ensureCapacity(int k) {
        if (mins.length < k) {
            mins = new long[k];
            maxs = new long[k];
            refs = new long[k];
        }
    }
}
