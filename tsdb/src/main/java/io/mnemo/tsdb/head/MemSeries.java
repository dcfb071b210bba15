package io.mnemo.tsdb.head;

import io.mnemo.tsdb.ChunkSeriesIterator;
import io.mnemo.tsdb.Labels;
import io.mnemo.tsdb.MergeSampleIterator;
import io.mnemo.tsdb.SampleIterator;
import io.mnemo.tsdb.chunkenc.Chunk;
import io.mnemo.tsdb.chunkenc.ChunkCutter;
import io.mnemo.tsdb.chunkenc.ChunkEncoding;
import io.mnemo.tsdb.chunkenc.ChunkMeta;
import io.mnemo.tsdb.chunkenc.FloatHistogramAppender;
import io.mnemo.tsdb.chunkenc.FloatHistogramChunk;
import io.mnemo.tsdb.chunkenc.HistogramAppender;
import io.mnemo.tsdb.chunkenc.HistogramChunk;
import io.mnemo.tsdb.chunkenc.XorAppender;
import io.mnemo.tsdb.chunkenc.XorChunk;
import io.mnemo.tsdb.histogram.FloatHistogram;
import io.mnemo.tsdb.histogram.Histogram;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * One series of the head: its labels (packed symbol ids), its completed chunks and the open
 * head chunk that takes new samples. Chunks hold floats (XOR), integer native histograms or float
 * native histograms, Prometheus's encodings; a series' samples may change type, and a change
 * starts a new chunk. A new head chunk is also cut when a sample reaches the end of the chunk
 * range the open chunk started in (aligned like Prometheus's: [k*range, (k+1)*range)), so chunks
 * never straddle block bounds; when a float chunk holds the configured number of samples; and
 * when a histogram chunk is full or its appender starts a new one (counter reset, schema change),
 * as Prometheus's head cuts them ({@link ChunkCutter#isFullHistogramChunk}).
 *
 * <p>Completed chunks are kept as their exact bytes plus two timestamps and, once a series has a
 * histogram chunk, an encoding byte each, with no object per chunk; {@link #chunks()} wraps them
 * in views on demand. A float-only series pays nothing for histograms but one null field
 * ({@link Histograms}).
 */
public final class MemSeries {
    private static final byte[][] NO_CHUNKS = new byte[0][];
    private static final long[] NO_TIMES = new long[0];
    private static final byte XOR = (byte) ChunkEncoding.XOR.code();
    /** Buffer of a series' first chunk; later ones start at the size of the previous one. */
    private static final int FIRST_CHUNK_CAPACITY = 64;

    private final int ref;
    private final SymbolTable symbols;
    private final byte[] labels;            // see PackedLabels
    private byte[][] closed = NO_CHUNKS;    // completed chunks, oldest first, exactly sized
    private long[] closedTimes = NO_TIMES;  // min and max time of each completed chunk
    private XorChunk headChunk;             // the open chunk while it holds floats, else null
    private XorAppender appender;           // knows the newest float sample's time and value
    private Histograms hist;                // null until the series holds a histogram chunk
    private long headMinTime;
    private long nextAt;                    // first timestamp that must go to a new chunk
    private OutOfOrderChunks ooo;           // null until the first out-of-order sample

    /**
     * What a series that holds histogram chunks needs beyond a float series, kept apart so a
     * float-only series pays one null field: the encoding of each completed chunk, and while
     * the open chunk holds native histograms, its appender (of one of the two encodings) and the
     * newest sample as appended (Prometheus's {@code lastHistogramValue}), which tells an exact
     * repeat from another value at the same timestamp. Reused across chunks.
     */
    private static final class Histograms {
        byte[] closedEncodings; // encoding code of each completed chunk; null while all are XOR
        HistogramAppender integer;
        FloatHistogramAppender floats;
        final Histogram lastInteger = new Histogram();
        final FloatHistogram lastFloat = FloatHistogram.empty();
        boolean lastKnown; // false after a restore, until the next append: decode the chunk instead

        /** Whether the open chunk holds histograms. */
        boolean open() { return integer != null || floats != null; }

        /** The open chunk does not hold histograms (any more). */
        void closeOpen() {
            integer = null;
            floats = null;
        }

        Chunk chunk() { return integer != null ? integer.chunk() : floats.chunk(); }

        long lastTimestamp() { return integer != null ? integer.lastTimestamp() : floats.lastTimestamp(); }
    }

    MemSeries(int ref, SymbolTable symbols, byte[] packedLabels) {
        this.ref = ref;
        this.symbols = symbols;
        this.labels = packedLabels;
    }

    public int ref() { return ref; }

    /** The label set, built from the symbol table on every call. */
    public Labels labels() { return PackedLabels.decode(labels, symbols); }

    byte[] packedLabels() { return labels; }

    public boolean hasSamples() { return headChunk != null || openHistograms(); }

    private boolean openHistograms() { return hist != null && hist.open(); }

    /** Timestamp of the oldest sample held; Long.MAX_VALUE when none. */
    public long minTime() {
        if (closed.length > 0) return closedTimes[0];
        return hasSamples() ? headMinTime : Long.MAX_VALUE;
    }

    /** Timestamp of the newest sample; Long.MIN_VALUE when none. */
    public long maxTime() {
        if (appender != null) return appender.lastTimestamp();
        return openHistograms() ? hist.lastTimestamp() : Long.MIN_VALUE;
    }

    /** Whether the newest sample is a float (false too when there is none). */
    boolean lastIsFloat() { return headChunk != null; }

    /** Whether the newest sample is an integer histogram, or a float histogram. */
    boolean lastIsHistogram(boolean integer) {
        return hist != null && (integer ? hist.integer != null : hist.floats != null);
    }

    /** Raw bits of the newest sample's value; the newest sample is a float. */
    long lastValueBits() { return appender.lastValueBits(); }

    /**
     * Stores a sample newer than every sample held; the head has checked the order.
     */
    void append(long t, double v, long chunkRange, int samplesPerChunk) {
        if (headChunk == null || headChunk.numSamples() >= samplesPerChunk || t >= nextAt) {
            checkNewer(t);
            cutHeadChunk(t, chunkRange);
        } else if (t <= appender.lastTimestamp()) {
            throw new IllegalArgumentException("sample at " + t + " is not after " + appender.lastTimestamp());
        }
        appender.append(t, v);
    }

    private void checkNewer(long t) {
        long last = maxTime();
        if (last != Long.MIN_VALUE && t <= last) {
            throw new IllegalArgumentException("sample at " + t + " is not after " + last);
        }
    }

    private void cutHeadChunk(long t, long chunkRange) {
        int capacity = headChunk != null ? headChunk.length() + (headChunk.length() >> 3) : FIRST_CHUNK_CAPACITY;
        closeOpenChunk();
        if (hist != null) hist.closeOpen();
        headChunk = new XorChunk(capacity);
        appender = headChunk.appender();
        startChunk(t, chunkRange);
    }

    private void startChunk(long t, long chunkRange) {
        headMinTime = t;
        nextAt = Math.floorDiv(t, chunkRange) * chunkRange + chunkRange;
    }

    /**
     * Stores an integer native histogram newer than every sample held; valid
     * ({@link Histogram#validate()}), checked by the head; not kept (copied).
     */
    void appendHistogram(long t, Histogram h, long chunkRange) {
        checkNewer(t);
        Histograms o = hist;
        if (o == null || o.integer == null || t >= nextAt || ChunkCutter.isFullHistogramChunk(o.integer.chunk())) {
            HistogramAppender previous = o != null ? o.integer : null; // for the new chunk's counter reset header
            openHistogramChunk(t, chunkRange);
            hist.integer = new HistogramChunk().appender().append(t, h, previous);
        } else {
            HistogramAppender next = o.integer.append(t, h);
            if (next.outcome() == HistogramAppender.Outcome.NEW_CHUNK) {
                closeOpenChunk();
                startChunk(t, chunkRange);
            }
            o.integer = next; // RECODED: the rewritten chunk replaces the open one
        }
        hist.lastInteger.setFrom(h);
        hist.lastKnown = true;
    }

    /** As {@link #appendHistogram}, for a float native histogram. */
    void appendFloatHistogram(long t, FloatHistogram h, long chunkRange) {
        checkNewer(t);
        Histograms o = hist;
        if (o == null || o.floats == null || t >= nextAt || ChunkCutter.isFullHistogramChunk(o.floats.chunk())) {
            FloatHistogramAppender previous = o != null ? o.floats : null;
            openHistogramChunk(t, chunkRange);
            hist.floats = new FloatHistogramChunk().appender().append(t, h, previous);
        } else {
            FloatHistogramAppender next = o.floats.append(t, h);
            if (next.outcome() == HistogramAppender.Outcome.NEW_CHUNK) {
                closeOpenChunk();
                startChunk(t, chunkRange);
            }
            o.floats = next;
        }
        hist.lastFloat.setFrom(h);
        hist.lastKnown = true;
    }

    /** Closes the open chunk and starts an empty histogram one, whose appender the caller sets. */
    private void openHistogramChunk(long t, long chunkRange) {
        closeOpenChunk();
        headChunk = null;
        appender = null;
        if (hist == null) hist = new Histograms();
        hist.closeOpen();
        startChunk(t, chunkRange);
    }

    /**
     * Whether the newest sample, a histogram of the same kind, is this one (Prometheus's
     * {@code Equals}: the counter reset hint does not count); false when the newest is not
     * a histogram of this kind.
     */
    boolean lastHistogramEquals(Histogram h) {
        if (!lastIsHistogram(true)) return false;
        if (!hist.lastKnown) return lastDecoded().integerHistogram().equalsIgnoringHint(h);
        return hist.lastInteger.equalsIgnoringHint(h);
    }

    /** As {@link #lastHistogramEquals(Histogram)} for a float histogram. */
    boolean lastHistogramEquals(FloatHistogram h) {
        if (!lastIsHistogram(false)) return false;
        if (!hist.lastKnown) return lastDecoded().histogram().equalsHistogram(h);
        return hist.lastFloat.equalsHistogram(h);
    }

    /** The open chunk positioned on its newest sample (after a restore, when it was not appended here). */
    private ChunkSeriesIterator lastDecoded() {
        long t = maxTime();
        ChunkSeriesIterator it = new ChunkSeriesIterator(new ChunkMeta[] {headSnapshot()}, t, t);
        if (!it.next()) throw new IllegalStateException("series " + ref + " lost its newest sample");
        return it;
    }

    /** Moves the open chunk, if any, to the completed ones. */
    private void closeOpenChunk() {
        Chunk c;
        long max;
        if (headChunk != null) {
            c = headChunk;
            max = appender.lastTimestamp();
        } else if (openHistograms()) {
            c = hist.chunk();
            max = hist.lastTimestamp();
        } else {
            return;
        }
        int n = closed.length;
        byte encoding = (byte) c.encoding().code();
        byte[] encodings = closedChunkEncodings();
        if (encodings != null || encoding != XOR) { // then hist is there: the series held a histogram chunk
            byte[] e = new byte[n + 1];
            if (encodings != null) System.arraycopy(encodings, 0, e, 0, n);
            else Arrays.fill(e, 0, n, XOR);
            e[n] = encoding;
            hist.closedEncodings = e;
        }
        closed = Arrays.copyOf(closed, n + 1);
        closed[n] = c.toByteArray();
        closedTimes = Arrays.copyOf(closedTimes, 2 * n + 2);
        closedTimes[2 * n] = headMinTime;
        closedTimes[2 * n + 1] = max;
    }

    // ---- for HeadSnapshot: the chunks as stored, and restoring them ----

    byte[][] closedChunks() { return closed; }

    long[] closedChunkTimes() { return closedTimes; }

    /** Encoding codes of the completed chunks ({@link ChunkEncoding#code()}); null when all are XOR. */
    byte[] closedChunkEncodings() { return hist == null ? null : hist.closedEncodings; }

    /** The open chunk (of any encoding), null before the first sample. */
    Chunk headChunk() {
        if (headChunk != null) return headChunk;
        return openHistograms() ? hist.chunk() : null;
    }

    long headChunkMinTime() { return headMinTime; }

    /**
     * Takes chunks a snapshot held (the series has none yet). The open chunk's appender is
     * recovered by decoding it, so later appends write the bytes an uninterrupted head would.
     *
     * @param closedChunkEncodings encoding codes of the closed chunks, null when all are XOR
     */
    void restore(byte[][] closedChunks, long[] closedChunkTimes, byte[] closedChunkEncodings,
                 ChunkEncoding openEncoding, byte[] open, long openMinTime, long chunkRange) {
        if (hasSamples()) throw new IllegalStateException("series " + ref + " already has samples");
        if (open == null) {
            if (closedChunks.length > 0) throw new IllegalArgumentException("closed chunks without an open one");
            return;
        }
        closed = closedChunks.length == 0 ? NO_CHUNKS : closedChunks;
        closedTimes = closedChunks.length == 0 ? NO_TIMES : closedChunkTimes;
        if (closedChunks.length > 0 && closedChunkEncodings != null) {
            hist = new Histograms();
            hist.closedEncodings = closedChunkEncodings;
        }
        switch (openEncoding) {
            case XOR -> {
                headChunk = XorChunk.wrap(open);
                appender = headChunk.appender();
            }
            case HISTOGRAM -> {
                if (hist == null) hist = new Histograms();
                hist.integer = HistogramChunk.wrap(open).appender();
            }
            case FLOAT_HISTOGRAM -> {
                if (hist == null) hist = new Histograms();
                hist.floats = FloatHistogramChunk.wrap(open).appender();
            }
        }
        startChunk(openMinTime, chunkRange);
    }

    /** Number of chunks, the open head chunk included. */
    public int numChunks() { return closed.length + (hasSamples() ? 1 : 0); }

    /**
     * All chunks, oldest first; the last one is a snapshot of the open head chunk. The list stays
     * valid (unchanged) when more samples are appended later. For block writers and tests.
     */
    public List<ChunkMeta> chunks() {
        List<ChunkMeta> out = new ArrayList<>(numChunks());
        for (int i = 0; i < closed.length; i++) out.add(closedChunk(i));
        if (hasSamples()) out.add(headSnapshot());
        return out;
    }

    /**
     * Copies into {@code out} (as its series {@code i}) the in-order chunks overlapping
     * [mint, maxt] as they are now: the completed ones by reference (the arrays are replaced,
     * never changed), the open one by its extent. False when no in-order sample falls in the
     * range (a chunk may overlap the range with samples on both sides of it only).
     */
    boolean selectInto(HeadSelection out, int i, long mint, long maxt) {
        if (!hasSamples()) return false;
        long last = maxTime();
        if (last < mint || minTime() > maxt) return false;
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
        long lone1 = withOpen && n == 1 ? last : times[2 * first + 1];
        if (n == 1 && lone0 < mint && lone1 > maxt) {
            ChunkMeta c = withOpen ? headSnapshot() : closedChunk(first);
            if (!new ChunkSeriesIterator(new ChunkMeta[] {c}, mint, maxt).next()) return false;
        }
        if (withOpen) {
            Chunk open = headChunk();
            out.setInOrder(i, chunks, times, closedChunkEncodings(), first, end, open.encoding(), open.array(), open.offset(),
                    open.length(), open.numSamples(), headMinTime, last);
        } else {
            out.setInOrder(i, chunks, times, closedChunkEncodings(), first, end, null, null, 0, 0, 0, 0, 0);
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
            byte[] encodings = closedChunkEncodings();
            if (encodings != null) {
                hist.closedEncodings = closed.length == 0 ? null : Arrays.copyOfRange(encodings, drop, encodings.length);
            }
        }
        boolean inOrderGone = closed.length == 0 && (!hasSamples() || maxTime() < mint);
        if (ooo != null && ooo.truncateBefore(mint)) ooo = null;
        if (inOrderGone && ooo != null) {
            headChunk = null; // out-of-order samples outlive the in-order ones: keep only those
            appender = null;
            if (hist != null) hist.closeOpen();
        }
        if (hist != null && !hist.open() && hist.closedEncodings == null) hist = null; // floats only again
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
     * Compares with the in-order sample at t: -1 when there is none, 0 when it is this one (these
     * float value bits, or with {@code histogram} not null an equal histogram of its kind), 1
     * when it is another.
     */
    int compareInOrder(long t, long bits, Object histogram) {
        if (!hasSamples() || t < minTime() || t > maxTime()) return -1;
        ChunkMeta c = null;
        if (t >= headMinTime) {
            c = headSnapshot();
        } else {
            for (int i = 0; i < closed.length && c == null; i++) {
                if (closedTimes[2 * i] <= t && t <= closedTimes[2 * i + 1]) c = closedChunk(i);
            }
        }
        if (c == null) return -1;
        ChunkSeriesIterator it = new ChunkSeriesIterator(new ChunkMeta[] {c}, t, t);
        if (!it.next()) return -1;
        return OutOfOrderChunks.sameSample(it, histogram, bits) ? 0 : 1;
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
        ChunkCutter cutter = new ChunkCutter(OutOfOrderChunks.CHUNK_SAMPLES);
        while (it.next()) cutter.append(it);
        return cutter.finish();
    }

    private ChunkMeta closedChunk(int i) {
        return new ChunkMeta(Chunk.wrap(encoding(closedChunkEncodings(), i), closed[i], 0, closed[i].length),
                closedTimes[2 * i], closedTimes[2 * i + 1]);
    }

    /** The encoding of completed chunk i, given the series' encodings array (null: all XOR). */
    static ChunkEncoding encoding(byte[] encodings, int i) {
        return encodings == null ? ChunkEncoding.XOR : ChunkEncoding.of(encodings[i]);
    }

    private ChunkMeta headSnapshot() {
        Chunk open;
        if (headChunk != null) open = headChunk.snapshot();
        else if (hist.integer != null) open = hist.integer.chunk().snapshot();
        else open = hist.floats.chunk().snapshot();
        return new ChunkMeta(open, headMinTime, maxTime());
    }

    @Override
    public String toString() {
        return "MemSeries{ref=" + ref + ", " + labels() + ", chunks=" + numChunks() + "}";
    }
}
