package io.mnemo.tsdb.head;

import io.mnemo.tsdb.Labels;
import io.mnemo.tsdb.chunkenc.ChunkMeta;
import io.mnemo.tsdb.chunkenc.XorAppender;
import io.mnemo.tsdb.chunkenc.XorChunk;
import io.mnemo.tsdb.chunkenc.XorIterator;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * One series of the head: its labels, its completed XOR chunks and the open head chunk that
 * takes new samples. A new head chunk is cut when the open one holds the configured number of
 * samples or when a sample reaches the end of the chunk range the open chunk started in
 * (aligned like Prometheus's: [k*range, (k+1)*range)), so chunks never straddle block bounds.
 */
public final class MemSeries {
    private static final ChunkMeta[] NO_CHUNKS = new ChunkMeta[0];

    private final int ref;
    private final Labels labels;
    private ChunkMeta[] closed = NO_CHUNKS; // completed chunks, oldest first
    private int numClosed;
    private XorChunk headChunk;             // null until the first sample
    private XorAppender appender;
    private long headMinTime;
    private long headMaxTime;
    private long nextAt;                    // first timestamp that must go to a new chunk
    private long lastValueBits;

    MemSeries(int ref, Labels labels) {
        this.ref = ref;
        this.labels = labels;
    }

    public int ref() { return ref; }

    public Labels labels() { return labels; }

    public boolean hasSamples() { return headChunk != null; }

    /** Timestamp of the oldest sample held; Long.MAX_VALUE when none. */
    public long minTime() {
        if (numClosed > 0) return closed[0].minTime();
        return headChunk != null ? headMinTime : Long.MAX_VALUE;
    }

    /** Timestamp of the newest sample; Long.MIN_VALUE when none. */
    public long maxTime() { return headChunk != null ? headMaxTime : Long.MIN_VALUE; }

    /** Raw bits of the newest sample's value. */
    long lastValueBits() { return lastValueBits; }

    /**
     * Stores a sample newer than every sample held; the head has checked the order.
     */
    void append(long t, double v, long chunkRange, int samplesPerChunk) {
        if (headChunk != null && t <= headMaxTime) {
            throw new IllegalArgumentException("sample at " + t + " is not after " + headMaxTime);
        }
        if (headChunk == null || headChunk.numSamples() >= samplesPerChunk || t >= nextAt) {
            cutHeadChunk(t, chunkRange);
        }
        appender.append(t, v);
        headMaxTime = t;
        lastValueBits = Double.doubleToRawLongBits(v);
    }

    private void cutHeadChunk(long t, long chunkRange) {
        if (headChunk != null) {
            headChunk.compact();
            if (numClosed == closed.length) closed = Arrays.copyOf(closed, Math.max(4, numClosed * 2));
            closed[numClosed++] = new ChunkMeta(headChunk, headMinTime, headMaxTime);
        }
        headChunk = new XorChunk();
        appender = headChunk.appender();
        headMinTime = t;
        nextAt = Math.floorDiv(t, chunkRange) * chunkRange + chunkRange;
    }

    /** Number of chunks, the open head chunk included. */
    public int numChunks() { return numClosed + (headChunk != null ? 1 : 0); }

    /**
     * All chunks, oldest first; the last one is a snapshot of the open head chunk. The list stays
     * valid (unchanged) when more samples are appended later. For block writers and tests.
     */
    public List<ChunkMeta> chunks() {
        List<ChunkMeta> out = new ArrayList<>(numChunks());
        out.addAll(Arrays.asList(closed).subList(0, numClosed));
        if (headChunk != null) out.add(headSnapshot());
        return out;
    }

    /**
     * The chunks overlapping [mint, maxt] as they are now, or null when no sample falls in the
     * range (a chunk may overlap the range with samples on both sides of it only).
     */
    ChunkMeta[] chunksWithSamplesIn(long mint, long maxt) {
        if (headChunk == null || headMaxTime < mint || minTime() > maxt) return null;
        int first = 0;
        while (first < numClosed && closed[first].maxTime() < mint) first++;
        int end = first;
        while (end < numClosed && closed[end].minTime() <= maxt) end++;
        boolean withHead = headMinTime <= maxt; // headMaxTime >= mint checked above
        int n = end - first + (withHead ? 1 : 0);
        if (n == 0) return null;
        ChunkMeta[] out = new ChunkMeta[n];
        System.arraycopy(closed, first, out, 0, end - first);
        if (withHead) out[n - 1] = headSnapshot();
        if (n == 1 && out[0].minTime() < mint && out[0].maxTime() > maxt && !hasSampleIn(out[0], mint, maxt)) {
            return null;
        }
        return out;
    }

    /** Drops the chunks that end before mint; true when nothing is left. */
    boolean truncateBefore(long mint) {
        int drop = 0;
        while (drop < numClosed && closed[drop].maxTime() < mint) drop++;
        if (drop > 0) {
            System.arraycopy(closed, drop, closed, 0, numClosed - drop);
            Arrays.fill(closed, numClosed - drop, numClosed, null);
            numClosed -= drop;
        }
        return numClosed == 0 && (headChunk == null || headMaxTime < mint);
    }

    private ChunkMeta headSnapshot() {
        return new ChunkMeta(headChunk.snapshot(), headMinTime, headMaxTime);
    }

    private static boolean hasSampleIn(ChunkMeta c, long mint, long maxt) {
        XorIterator it = c.chunk().iterator();
        return it.seek(mint) && it.timestamp() <= maxt;
    }

    @Override
    public String toString() {
        return "MemSeries{ref=" + ref + ", " + labels + ", chunks=" + numChunks() + "}";
    }
}
