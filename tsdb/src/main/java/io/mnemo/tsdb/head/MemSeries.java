package io.mnemo.tsdb.head;

import io.mnemo.tsdb.ChunkSeriesIterator;
import io.mnemo.tsdb.Labels;
import io.mnemo.tsdb.MergeSampleIterator;
import io.mnemo.tsdb.SampleIterator;
import io.mnemo.tsdb.chunkenc.ChunkMeta;
import io.mnemo.tsdb.chunkenc.XorAppender;
import io.mnemo.tsdb.chunkenc.XorChunk;
import io.mnemo.tsdb.chunkenc.XorIterator;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * One series of the head: its labels (packed symbol ids), its completed XOR chunks and the open
 * head chunk that takes new samples. A new head chunk is cut when the open one holds the
 * configured number of samples or when a sample reaches the end of the chunk range the open
 * chunk started in (aligned like Prometheus's: [k*range, (k+1)*range)), so chunks never
 * straddle block bounds.
 *
 * <p>Completed chunks are kept as their exact bytes plus two timestamps, with no object per
 * chunk; {@link #chunks()} wraps them in views on demand.
 */
public final class MemSeries {
    private static final byte[][] NO_CHUNKS = new byte[0][];
    private static final long[] NO_TIMES = new long[0];
    /** Buffer of a series' first chunk; later ones start at the size of the previous one. */
    private static final int FIRST_CHUNK_CAPACITY = 64;

    private final int ref;
    private final SymbolTable symbols;
    private final byte[] labels;            // see PackedLabels
    private byte[][] closed = NO_CHUNKS;    // completed chunks, oldest first, exactly sized
    private long[] closedTimes = NO_TIMES;  // min and max time of each completed chunk
    private XorChunk headChunk;             // null until the first sample
    private XorAppender appender;           // knows the newest sample's time and value
    private long headMinTime;
    private long nextAt;                    // first timestamp that must go to a new chunk
    private OutOfOrderChunks ooo;           // null until the first out-of-order sample

    MemSeries(int ref, SymbolTable symbols, byte[] packedLabels) {
        this.ref = ref;
        this.symbols = symbols;
        this.labels = packedLabels;
    }

    public int ref() { return ref; }

    /** The label set, built from the symbol table on every call. */
    public Labels labels() { return PackedLabels.decode(labels, symbols); }

    byte[] packedLabels() { return labels; }

    public boolean hasSamples() { return headChunk != null; }

    /** Timestamp of the oldest sample held; Long.MAX_VALUE when none. */
    public long minTime() {
        if (closed.length > 0) return closedTimes[0];
        return headChunk != null ? headMinTime : Long.MAX_VALUE;
    }

    /** Timestamp of the newest sample; Long.MIN_VALUE when none. */
    public long maxTime() { return headChunk != null ? appender.lastTimestamp() : Long.MIN_VALUE; }

    /** Raw bits of the newest sample's value. */
    long lastValueBits() { return appender.lastValueBits(); }

    /**
     * Stores a sample newer than every sample held; the head has checked the order.
     */
    void append(long t, double v, long chunkRange, int samplesPerChunk) {
        if (headChunk != null && t <= appender.lastTimestamp()) {
            throw new IllegalArgumentException("sample at " + t + " is not after " + appender.lastTimestamp());
        }
        if (headChunk == null || headChunk.numSamples() >= samplesPerChunk || t >= nextAt) {
            cutHeadChunk(t, chunkRange);
        }
        appender.append(t, v);
    }

    private void cutHeadChunk(long t, long chunkRange) {
        int capacity = FIRST_CHUNK_CAPACITY;
        if (headChunk != null) {
            int n = closed.length;
            closed = Arrays.copyOf(closed, n + 1);
            closed[n] = headChunk.toByteArray();
            closedTimes = Arrays.copyOf(closedTimes, 2 * n + 2);
            closedTimes[2 * n] = headMinTime;
            closedTimes[2 * n + 1] = appender.lastTimestamp();
            capacity = headChunk.length() + (headChunk.length() >> 3);
        }
        headChunk = new XorChunk(capacity);
        appender = headChunk.appender();
        headMinTime = t;
        nextAt = Math.floorDiv(t, chunkRange) * chunkRange + chunkRange;
    }

    // ---- for HeadSnapshot: the chunks as stored, and restoring them ----

    byte[][] closedChunks() { return closed; }

    long[] closedChunkTimes() { return closedTimes; }

    /** The open chunk, null before the first sample. */
    XorChunk headChunk() { return headChunk; }

    long headChunkMinTime() { return headMinTime; }

    /**
     * Takes chunks a snapshot held (the series has none yet). The open chunk's appender is
     * recovered by decoding it, so later appends write the bytes an uninterrupted head would.
     */
    void restore(byte[][] closedChunks, long[] closedChunkTimes, byte[] open, long openMinTime, long chunkRange) {
        if (headChunk != null) throw new IllegalStateException("series " + ref + " already has samples");
        if (open == null) {
            if (closedChunks.length > 0) throw new IllegalArgumentException("closed chunks without an open one");
            return;
        }
        closed = closedChunks.length == 0 ? NO_CHUNKS : closedChunks;
        closedTimes = closedChunks.length == 0 ? NO_TIMES : closedChunkTimes;
        headChunk = XorChunk.wrap(open);
        appender = headChunk.appender();
        headMinTime = openMinTime;
        nextAt = Math.floorDiv(openMinTime, chunkRange) * chunkRange + chunkRange;
    }

    /** Number of chunks, the open head chunk included. */
    public int numChunks() { return closed.length + (headChunk != null ? 1 : 0); }

    /**
     * All chunks, oldest first; the last one is a snapshot of the open head chunk. The list stays
     * valid (unchanged) when more samples are appended later. For block writers and tests.
     */
    public List<ChunkMeta> chunks() {
        List<ChunkMeta> out = new ArrayList<>(numChunks());
        for (int i = 0; i < closed.length; i++) out.add(closedChunk(i));
        if (headChunk != null) out.add(headSnapshot());
        return out;
    }

    /**
     * Copies into {@code out} (as its series {@code i}) the in-order chunks overlapping
     * [mint, maxt] as they are now: the completed ones by reference (the arrays are replaced,
     * never changed), the open one by its extent. False when no in-order sample falls in the
     * range (a chunk may overlap the range with samples on both sides of it only).
     */
    boolean selectInto(HeadSelection out, int i, long mint, long maxt) {
        if (headChunk == null || appender.lastTimestamp() < mint || minTime() > maxt) return false;
        byte[][] chunks = closed;
        long[] times = closedTimes;
        int first = 0;
        while (first < chunks.length && times[2 * first + 1] < mint) first++;
        int end = first;
        while (end < chunks.length && times[2 * end] <= maxt) end++;
        boolean withOpen = headMinTime <= maxt; // newest sample >= mint checked above
        int n = end - first + (withOpen ? 1 : 0);
        if (n == 0) return false;
        long lone0 = withOpen && n == 1 ? headMinTime : times[2 * first];
        long lone1 = withOpen && n == 1 ? appender.lastTimestamp() : times[2 * first + 1];
        if (n == 1 && lone0 < mint && lone1 > maxt) {
            XorChunk c = withOpen ? headChunk.snapshot() : XorChunk.wrap(chunks[first]);
            XorIterator it = c.iterator();
            if (!it.seek(mint) || it.timestamp() > maxt) return false;
        }
        if (withOpen) {
            out.setInOrder(i, chunks, times, first, end, headChunk.array(), headChunk.offset(), headChunk.length(),
                    headChunk.numSamples(), headMinTime, appender.lastTimestamp());
        } else {
            out.setInOrder(i, chunks, times, first, end, null, 0, 0, 0, 0, 0);
        }
        return true;
    }

    /** Drops the chunks that end before mint; true when nothing is left. */
    boolean truncateBefore(long mint) {
        int drop = 0;
        while (drop < closed.length && closedTimes[2 * drop + 1] < mint) drop++;
        if (drop > 0) {
            closed = drop == closed.length ? NO_CHUNKS : Arrays.copyOfRange(closed, drop, closed.length);
            closedTimes = closed.length == 0 ? NO_TIMES : Arrays.copyOfRange(closedTimes, 2 * drop, closedTimes.length);
        }
        boolean inOrderGone = closed.length == 0 && (headChunk == null || appender.lastTimestamp() < mint);
        if (ooo != null && ooo.truncateBefore(mint)) ooo = null;
        if (inOrderGone && ooo != null) {
            headChunk = null; // out-of-order samples outlive the in-order ones: keep only those
            appender = null;
        }
        return inOrderGone && ooo == null;
    }

    // ---- out-of-order samples (OutOfOrderChunks), routed here by the head ----

    /** The out-of-order part, created on first use. */
    OutOfOrderChunks outOfOrder(boolean create) {
        if (ooo == null && create) ooo = new OutOfOrderChunks();
        return ooo;
    }

    /** Oldest out-of-order sample; Long.MAX_VALUE when none. */
    long outOfOrderMinTime() { return ooo == null ? Long.MAX_VALUE : ooo.minTime(); }

    /** Newest out-of-order sample; Long.MIN_VALUE when none. */
    long outOfOrderMaxTime() { return ooo == null ? Long.MIN_VALUE : ooo.maxTime(); }

    /**
     * Compares with the in-order sample at t: -1 when there is none, 0 when it has these value
     * bits, 1 when it has others.
     */
    int compareInOrder(long t, long bits) {
        if (headChunk == null || t < minTime() || t > appender.lastTimestamp()) return -1;
        XorChunk c = null;
        if (t >= headMinTime) {
            c = headChunk.snapshot();
        } else {
            for (int i = 0; i < closed.length && c == null; i++) {
                if (closedTimes[2 * i] <= t && t <= closedTimes[2 * i + 1]) c = XorChunk.wrap(closed[i]);
            }
        }
        if (c == null) return -1;
        XorIterator it = c.iterator();
        if (!it.seek(t) || it.timestamp() != t) return -1;
        return Double.doubleToRawLongBits(it.value()) == bits ? 0 : 1;
    }

    /**
     * The out-of-order samples overlapping [mint, maxt] as two sorted sources (see
     * {@link OutOfOrderChunks#chunksIn}), or null.
     */
    ChunkMeta[][] outOfOrderChunksIn(long mint, long maxt) {
        return ooo == null ? null : ooo.chunksIn(mint, maxt);
    }

    /**
     * What a block over [mint, last] takes from this series, as time-ordered, non-overlapping
     * chunks: the in-order chunks as they are when no out-of-order sample falls in the range
     * (the writer trims those straddling its bounds), else the in-order and out-of-order samples
     * merged and re-encoded; with {@code outOfOrderOnly}, only the out-of-order samples.
     */
    public List<ChunkMeta> chunksForBlock(long mint, long last, boolean outOfOrderOnly) {
        ChunkMeta[][] o = outOfOrderChunksIn(mint, last);
        if (o == null) return outOfOrderOnly ? List.of() : chunks();
        SampleIterator it = new MergeSampleIterator(
                outOfOrderOnly ? SampleIterator.EMPTY
                        : new ChunkSeriesIterator(chunks().toArray(new ChunkMeta[0]), mint, last),
                new ChunkSeriesIterator(o[0], mint, last),
                new ChunkSeriesIterator(o[1], mint, last));
        List<ChunkMeta> out = new ArrayList<>();
        XorChunk c = null;
        XorAppender app = null;
        long first = 0, t = 0;
        while (it.next()) {
            if (c != null && c.numSamples() == OutOfOrderChunks.CHUNK_SAMPLES) {
                out.add(new ChunkMeta(c, first, t));
                c = null;
            }
            t = it.timestamp();
            if (c == null) {
                c = new XorChunk();
                app = c.appender();
                first = t;
            }
            app.append(t, it.value());
        }
        if (c != null) out.add(new ChunkMeta(c, first, t));
        return out;
    }

    private ChunkMeta closedChunk(int i) {
        return new ChunkMeta(XorChunk.wrap(closed[i]), closedTimes[2 * i], closedTimes[2 * i + 1]);
    }

    private ChunkMeta headSnapshot() {
        return new ChunkMeta(headChunk.snapshot(), headMinTime, appender.lastTimestamp());
    }

    @Override
    public String toString() {
        return "MemSeries{ref=" + ref + ", " + labels() + ", chunks=" + numChunks() + "}";
    }
}
