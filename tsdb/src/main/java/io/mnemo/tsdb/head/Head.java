package io.mnemo.tsdb.head;

import io.mnemo.tsdb.Labels;
import io.mnemo.tsdb.Querier;
import io.mnemo.tsdb.Queryable;
import io.mnemo.tsdb.SeriesHasher;
import io.mnemo.tsdb.StaleNaN;
import io.mnemo.tsdb.chunkenc.ChunkEncoding;
import io.mnemo.tsdb.histogram.FloatHistogram;
import io.mnemo.tsdb.histogram.Histogram;
import io.mnemo.tsdb.histogram.InvalidHistogramException;
import io.mnemo.tsdb.index.IntList;
import io.mnemo.tsdb.index.MemPostings;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * The in-memory part of one tenant's TSDB on one ingester: series with their chunks (float
 * samples and native histograms, in Prometheus's encodings), the
 * postings index over their labels, and the symbols they share. Samples older than their
 * series' newest are rejected unless an out-of-order window is set: then those within it go to
 * the series' out-of-order chunks ({@link OutOfOrderChunks}), which queries and block writers
 * merge with the in-order ones, as Prometheus's out-of-order head.
 *
 * <p>Appends come in batches ({@link #beginAppend}, one per ingest record), as Prometheus's
 * appenders: a batch takes in order only samples at or after {@link #inOrderMinTime}, the later of
 * the min valid time (the end of the blocks) and half a chunk range before the head's high-water
 * mark as the batch began (Prometheus's {@code appendableMinValidTime}); older ones are out of
 * bounds, or go out of order when the window allows. The high-water mark is the newest in-order
 * timestamp the head took; a head that never took one is seeded by the first sample of its first
 * batch ({@link #seed}, Prometheus's {@code initTime}). Truncation keeps it.
 *
 * <p>Series are found by ref in pages of consecutive refs ({@link SeriesByRef}) and by labels
 * through a table of label-set hashes to refs ({@link HashIndex}); a series stores its labels as
 * packed symbol ids ({@link PackedLabels}), so the head keeps no {@code Labels} object or map
 * entry per series. {@link #truncate} returns the memory of series that lost all their samples:
 * their postings, and the symbols no other series uses.
 *
 * <p>One thread appends (the ingester's actor); queriers read from any thread at the same time.
 * The appending thread holds {@link #appendLock} around each batch of appends (and around any
 * other change), and a querier reads under the matching read lock a bounded number of series
 * at a time, so a huge select delays appends by one such batch at most, not by its whole
 * length. What a select returns is a snapshot: series with their chunks as they were when it
 * read them (never a torn chunk: a view keeps the sample count it saw), unchanged by later
 * appends; samples appended while a select runs may or may not be in it. {@link #truncate} is
 * the exception: it must not run while a select of the same range is in progress (its owner
 * ensures that, see {@code TenantDb}), because a select reads a series' chunks after its refs.
 */
public final class Head implements Queryable {
    /** Prometheus's default block range, which head chunks never straddle. */
    public static final long DEFAULT_CHUNK_RANGE_MS = 7_200_000L;
    /** Samples per chunk before a new one is cut, Prometheus's default. */
    public static final int DEFAULT_SAMPLES_PER_CHUNK = 120;

    private final long chunkRange;
    private final int samplesPerChunk;
    private static final Histogram STALE_HISTOGRAM = Histogram.staleMarker();
    private static final FloatHistogram STALE_FLOAT_HISTOGRAM =
            FloatHistogram.of(0, 0, 0, 0, StaleNaN.VALUE, new int[0], new double[0], new int[0], new double[0], null, null);
    private final SeriesByRef byRef = new SeriesByRef();
    private final HashIndex byLabels = new HashIndex(); // hash(packed labels) -> refs
    private int[] lookupIds = new int[32];      // seriesRef(Labels) scratch
    private byte[] lookupPacked = new byte[64]; // seriesRef(int[]) scratch
    private final MemPostings postings = new MemPostings();
    private final SymbolTable symbols = new SymbolTable();
    private int nextRef;

    private long minTime = Long.MAX_VALUE;
    private long maxTime = Long.MIN_VALUE;
    private long appended;
    private long outOfOrder;
    private long duplicates;
    private long invalidHistograms;
    // Out-of-order part: see setOutOfOrderTimeWindow and OutOfOrderChunks.
    private long outOfOrderWindow;
    private long minValidTime = Long.MIN_VALUE;
    private long outOfOrderMaxTime = Long.MIN_VALUE;
    private long outOfOrderAppended;
    private long tooOld;
    private long outOfBounds;
    // Out-of-bounds rule: see beginAppend.
    private long highWaterMark = Long.MIN_VALUE;
    private long batchWindowStart = Long.MIN_VALUE; // high-water mark - chunkRange / 2 as the batch began
    private long inOrderMinTime = Long.MIN_VALUE;   // max(minValidTime, batchWindowStart)
    /** Fair, so a steady stream of reads cannot hold off the appending thread for long. */
    private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock(true);

    public Head() {
        this(DEFAULT_CHUNK_RANGE_MS);
    }

    public Head(long chunkRangeMs) {
        this(chunkRangeMs, DEFAULT_SAMPLES_PER_CHUNK);
    }

    public Head(long chunkRangeMs, int samplesPerChunk) {
        if (chunkRangeMs <= 0) throw new IllegalArgumentException("chunk range must be positive: " + chunkRangeMs);
        if (samplesPerChunk < 1 || samplesPerChunk > 0xFFFF) {
            throw new IllegalArgumentException("samples per chunk must be in 1..65535: " + samplesPerChunk);
        }
        this.chunkRange = chunkRangeMs;
        this.samplesPerChunk = samplesPerChunk;
    }

    /**
     * The ref of the series with these labels, creating it (its strings held once, in the symbol
     * table) if new. Refs are small ints, never reused, valid until {@link #truncate} removes the
     * series.
     */
    public int getOrCreateSeries(Labels labels) {
        int ref = seriesRef(labels);
        if (ref >= 0) return ref;
        if (nextRef == Integer.MAX_VALUE) throw new IllegalStateException("series refs exhausted");
        ref = nextRef++;
        byte[] packed = PackedLabels.acquire(labels, symbols);
        MemSeries s = new MemSeries(ref, symbols, packed);
        byRef.add(s);
        byLabels.add(hash(packed, packed.length), ref);
        postings.add(ref, s.labels()); // the symbol table's strings become the index keys
        return ref;
    }

    /** The ref of the series with these labels, or -1. */
    public int seriesRef(Labels labels) {
        int n = labels.size() * 2;
        if (lookupIds.length < n) lookupIds = new int[Math.max(n, lookupIds.length * 2)];
        for (int i = 0; i < labels.size(); i++) {
            if ((lookupIds[2 * i] = symbols.id(labels.name(i))) < 0) return -1;
            if ((lookupIds[2 * i + 1] = symbols.id(labels.value(i))) < 0) return -1;
        }
        return seriesRef(lookupIds, n);
    }

    /**
     * The ref of the series whose labels are these symbol ids of {@link #symbols()} (name, value,
     * name, value... in label order), or -1; -1 too when an id is negative (a string the table
     * does not hold). Finds a series of a write request from ids its strings were resolved to once
     * per request, comparing a few packed bytes instead of strings.
     */
    public int seriesRef(int[] symbolIds, int count) {
        for (int i = 0; i < count; i++) if (symbolIds[i] < 0) return -1;
        lookupPacked = PackedLabels.pack(symbolIds, count, lookupPacked);
        int len = PackedLabels.packedLength(symbolIds, count);
        int hash = hash(lookupPacked, len);
        for (int i = byLabels.first(hash); i >= 0; i = byLabels.next(i, hash)) {
            int ref = byLabels.id(i);
            byte[] packed = byRef.get(ref).packedLabels();
            if (Arrays.equals(packed, 0, packed.length, lookupPacked, 0, len)) return ref;
        }
        return -1;
    }

    /**
     * Starts a batch of appends (Prometheus: a new appender): samples before
     * {@code max(min valid time, high-water mark - chunk range / 2)} are not taken in order from
     * here on. A head without a high-water mark gets its bound from {@link #seed}.
     */
    public void beginAppend() {
        batchWindowStart = highWaterMark == Long.MIN_VALUE ? Long.MIN_VALUE : minus(highWaterMark, chunkRange / 2);
        inOrderMinTime = Math.max(minValidTime, batchWindowStart);
    }

    /**
     * Seeds a head that never took an in-order sample with the first timestamp of its batch, as
     * Prometheus's head initializes its time bounds with its first sample: the batch's bound is
     * then half a chunk range before it. Does nothing once the head has a high-water mark.
     */
    public void seed(long t) {
        if (highWaterMark != Long.MIN_VALUE) return;
        highWaterMark = t;
        beginAppend();
    }

    /**
     * Appends a float sample (staleness markers included) to a series. Samples before the
     * batch's in-order bound, out-of-order and conflicting duplicate samples are rejected and
     * counted unless the out-of-order window takes them; an exact repeat of the newest sample is
     * accepted without storing anything.
     *
     * @throws IllegalArgumentException for a ref that does not name a live series
     */
    public AppendResult append(int ref, long t, double v) {
        MemSeries s = series(ref);
        if (t < inOrderMinTime) return appendOutOfOrder(s, t, v);
        if (s.hasSamples()) {
            long last = s.maxTime();
            if (t < last) return appendOutOfOrder(s, t, v);
            if (t == last) {
                if (s.lastIsFloat() && Double.doubleToRawLongBits(v) == s.lastValueBits()) return AppendResult.OK;
                duplicates++; // another value, or a float where a histogram is
                return AppendResult.DUPLICATE;
            }
            if (!s.lastIsFloat() && StaleNaN.is(v)) return appendStaleHistogram(s, t);
        }
        s.append(t, v, chunkRange, samplesPerChunk);
        tookInOrder(t);
        return AppendResult.OK;
    }

    private void tookInOrder(long t) {
        appended++;
        if (t < minTime) minTime = t;
        if (t > maxTime) maxTime = t;
        if (t > highWaterMark) highWaterMark = t;
    }

    /**
     * A float stale marker for a series whose newest sample is a histogram becomes a histogram
     * stale marker of that kind, as Prometheus's head stores it: the series' chunks keep their type.
     */
    private AppendResult appendStaleHistogram(MemSeries s, long t) {
        if (s.lastIsHistogram(true)) s.appendHistogram(t, STALE_HISTOGRAM, chunkRange);
        else s.appendFloatHistogram(t, STALE_FLOAT_HISTOGRAM, chunkRange);
        tookInOrder(t);
        return AppendResult.OK;
    }

    /**
     * Appends an integer native histogram sample (stale markers included: {@link Histogram#staleMarker()})
     * with the rules of {@link #append}: a repeat of the newest sample (Prometheus's
     * {@code Histogram.Equals}) is accepted silently, another value at its timestamp (a float or
     * the other histogram kind too) is a duplicate; out-of-order ones go to the series'
     * out-of-order chunks within the window, as floats do. A histogram that breaks Prometheus's
     * validation rules is refused first ({@link AppendResult#INVALID_HISTOGRAM}) and counted.
     * Not kept: the caller may reuse it.
     *
     * @throws IllegalArgumentException for a ref that does not name a live series
     */
    public AppendResult appendHistogram(int ref, long t, Histogram h) {
        return appendAnyHistogram(series(ref), t, h);
    }

    /** As {@link #appendHistogram}, for a float native histogram. */
    public AppendResult appendFloatHistogram(int ref, long t, FloatHistogram h) {
        return appendAnyHistogram(series(ref), t, h);
    }

    /** The rules of {@link #appendHistogram} for either kind ({@link Histogram} or {@link FloatHistogram}). */
    private AppendResult appendAnyHistogram(MemSeries s, long t, Object h) {
        if (!valid(h)) {
            invalidHistograms++;
            return AppendResult.INVALID_HISTOGRAM;
        }
        if (t < inOrderMinTime) return appendOutOfOrderHistogram(s, t, h);
        if (s.hasSamples()) {
            long last = s.maxTime();
            if (t < last) return appendOutOfOrderHistogram(s, t, h);
            if (t == last) {
                boolean repeat = h instanceof Histogram ih ? s.lastHistogramEquals(ih) : s.lastHistogramEquals((FloatHistogram) h);
                return repeat ? AppendResult.OK : duplicate();
            }
        }
        if (h instanceof Histogram ih) s.appendHistogram(t, ih, chunkRange);
        else s.appendFloatHistogram(t, (FloatHistogram) h, chunkRange);
        tookInOrder(t);
        return AppendResult.OK;
    }

    /** Whether a histogram passes Prometheus's validation; stale markers are not validated. */
    private static boolean valid(Object h) {
        try {
            if (h instanceof Histogram ih) {
                if (!ih.isStale()) ih.validate();
            } else {
                FloatHistogram fh = (FloatHistogram) h;
                if (!StaleNaN.is(fh.sum())) fh.validate();
            }
            return true;
        } catch (InvalidHistogramException e) {
            return false;
        }
    }

    /**
     * A histogram older than its series' newest, or before the batch's in-order bound: into the
     * series' out-of-order chunks within the window, as {@link #appendOutOfOrder} takes floats
     * (Prometheus 3 takes native histograms out of order too); a copy is kept.
     */
    private AppendResult appendOutOfOrderHistogram(MemSeries s, long t, Object h) {
        AppendResult refused = outOfOrderRefusal(t);
        if (refused != null) return refused;
        int inOrder = s.compareInOrder(t, 0, h);
        int r = inOrder >= 0 ? (inOrder == 0 ? OutOfOrderChunks.REPEAT : OutOfOrderChunks.CONFLICT)
                : s.outOfOrder(true).insertHistogram(t, copy(h));
        if (r == OutOfOrderChunks.REPEAT) return AppendResult.OK;
        if (r == OutOfOrderChunks.CONFLICT) return duplicate();
        appended++;
        outOfOrderAppended++;
        if (t < minTime) minTime = t;
        if (t > outOfOrderMaxTime) outOfOrderMaxTime = t;
        return AppendResult.OK_OUT_OF_ORDER;
    }

    private static Object copy(Object h) {
        return h instanceof Histogram ih ? ih.copy() : ((FloatHistogram) h).copy();
    }

    /**
     * Puts back an out-of-order histogram ({@link Histogram} or {@link FloatHistogram}) this head
     * accepted before a restart, as {@link #restoreOutOfOrder} puts back floats.
     */
    public boolean restoreOutOfOrderHistogram(int ref, long t, Object histogram) {
        MemSeries s = series(ref);
        if (s.compareInOrder(t, 0, histogram) >= 0
                || s.outOfOrder(true).insertHistogram(t, copy(histogram)) != OutOfOrderChunks.STORED) return false;
        appended++;
        outOfOrderAppended++;
        if (t < minTime) minTime = t;
        if (t > outOfOrderMaxTime) outOfOrderMaxTime = t;
        return true;
    }

    private AppendResult duplicate() {
        duplicates++;
        return AppendResult.DUPLICATE;
    }

    /**
     * Why a sample at t cannot go out of order, counted (too old with a window; out of bounds or
     * out of order without one), or null when the window takes it.
     */
    private AppendResult outOfOrderRefusal(long t) {
        if (outOfOrderWindow == 0) {
            if (t < inOrderMinTime) {
                outOfBounds++;
                return AppendResult.OUT_OF_BOUNDS;
            }
            outOfOrder++;
            return AppendResult.OUT_OF_ORDER;
        }
        if (t < outOfOrderBound()) {
            tooOld++;
            return AppendResult.TOO_OLD;
        }
        return null;
    }

    /**
     * A sample older than its series' newest, or before the batch's in-order bound: into the
     * series' out-of-order chunks if within the window of the head's newest sample (Prometheus
     * measures it from the head's max time), else rejected: too old with a window, out of bounds
     * or out of order without one. A repeat of a held sample (in-order or not) is accepted
     * silently; another value at a held timestamp is a duplicate.
     */
    private AppendResult appendOutOfOrder(MemSeries s, long t, double v) {
        AppendResult refused = outOfOrderRefusal(t);
        if (refused != null) return refused;
        long bits = Double.doubleToRawLongBits(v);
        int inOrder = s.compareInOrder(t, bits, null);
        int r = inOrder >= 0 ? (inOrder == 0 ? OutOfOrderChunks.REPEAT : OutOfOrderChunks.CONFLICT)
                : s.outOfOrder(true).insert(t, bits);
        if (r == OutOfOrderChunks.REPEAT) return AppendResult.OK;
        if (r == OutOfOrderChunks.CONFLICT) {
            duplicates++;
            return AppendResult.DUPLICATE;
        }
        appended++;
        outOfOrderAppended++;
        if (t < minTime) minTime = t;
        if (t > outOfOrderMaxTime) outOfOrderMaxTime = t;
        return AppendResult.OK_OUT_OF_ORDER;
    }

    /**
     * Puts back an out-of-order sample this head accepted before a restart (from a write-behind
     * log): into the series' out-of-order chunks whatever the window says now. False when the
     * series holds a sample at t already.
     */
    public boolean restoreOutOfOrder(int ref, long t, double v) {
        MemSeries s = series(ref);
        long bits = Double.doubleToRawLongBits(v);
        if (s.compareInOrder(t, bits, null) >= 0 || s.outOfOrder(true).insert(t, bits) != OutOfOrderChunks.STORED) return false;
        appended++;
        outOfOrderAppended++;
        if (t < minTime) minTime = t;
        if (t > outOfOrderMaxTime) outOfOrderMaxTime = t;
        return true;
    }

    /**
     * Takes samples this old and older than their series' newest into out-of-order chunks: the
     * oldest acceptable timestamp is the head's max time (or, while the head is empty, the last
     * one before its min valid time) minus the window. 0, the default, rejects them all, as
     * Prometheus and Mimir do by default.
     */
    public void setOutOfOrderTimeWindow(long windowMs) {
        if (windowMs < 0) throw new IllegalArgumentException("out-of-order time window must be >= 0: " + windowMs);
        outOfOrderWindow = windowMs;
    }

    public long outOfOrderTimeWindow() { return outOfOrderWindow; }

    /**
     * Samples before {@code t} are in blocks: the in-order chunks take none of them, and only
     * the out-of-order window can (they become blocks overlapping the old ones).
     */
    public void setMinValidTime(long t) {
        minValidTime = t;
        inOrderMinTime = Math.max(minValidTime, batchWindowStart);
    }

    public long minValidTime() { return minValidTime; }

    /**
     * The oldest timestamp the current batch takes in order (Prometheus's
     * {@code appendableMinValidTime}): the later of the min valid time and half a chunk range
     * before the high-water mark as the batch began.
     */
    public long inOrderMinTime() { return inOrderMinTime; }

    /**
     * The newest in-order timestamp this head took (or was seeded with), kept across truncation;
     * Long.MIN_VALUE when none.
     */
    public long highWaterMark() { return highWaterMark; }

    /** Restores the high-water mark (from a snapshot, or from the blocks a head was cut into). */
    public void setHighWaterMark(long t) { highWaterMark = t; }

    /**
     * The oldest timestamp any series may take in the current batch; older samples are refused:
     * out of bounds without an out-of-order window, too old with one.
     */
    public long minAppendableTime() {
        return outOfOrderWindow == 0 ? inOrderMinTime : Math.min(inOrderMinTime, outOfOrderBound());
    }

    /** The oldest out-of-order sample the window allows now. */
    private long outOfOrderBound() {
        long newest = Math.max(maxTime, minValidTime == Long.MIN_VALUE ? Long.MIN_VALUE : minValidTime - 1);
        return newest == Long.MIN_VALUE ? Long.MIN_VALUE : minus(newest, outOfOrderWindow);
    }

    /** a - b for b >= 0, held at Long.MIN_VALUE instead of wrapping (timestamps come from clients). */
    private static long minus(long a, long b) {
        return a < Long.MIN_VALUE + b ? Long.MIN_VALUE : a - b;
    }

    /**
     * Whether a sample at t would not go to the series' in-order chunks (it is older than the
     * series' newest or before the batch's in-order bound); a repeat of the newest is in order.
     */
    public boolean isOutOfOrder(int ref, long t) {
        MemSeries s = series(ref);
        return t < inOrderMinTime || (s.hasSamples() && t < s.maxTime());
    }

    /** The hash index key of a series: its packed symbol ids, which stay fixed while it lives. */
    private static int hash(byte[] packed, int len) {
        long h = SeriesHasher.bytes(packed, 0, len);
        return (int) (h ^ h >>> 32);
    }

    /** @throws IllegalArgumentException for a ref that does not name a live series */
    public MemSeries series(int ref) {
        MemSeries s = byRef.get(ref);
        if (s == null) throw new IllegalArgumentException("unknown series ref " + ref);
        return s;
    }

    /** As {@link #series}, for queriers: safe alongside other readers (see {@link SeriesByRef#find}). */
    MemSeries seriesForReading(int ref) {
        MemSeries s = byRef.find(ref);
        if (s == null) throw new IllegalArgumentException("unknown series ref " + ref);
        return s;
    }

    /**
     * Drops every chunk whose samples all precede {@code mint} (e.g. once they are in a shipped
     * block) and the series left without samples, with their postings and the symbols only they
     * used; the refs of removed series become invalid. Returns the number of series removed.
     */
    public int truncate(long mint) {
        IntList dead = new IntList();
        long newMin = Long.MAX_VALUE;
        long newOooMax = Long.MIN_VALUE;
        for (MemSeries s : byRef.all()) {
            if (s.truncateBefore(mint)) {
                dead.add(s.ref());
            } else {
                newMin = Math.min(newMin, Math.min(s.minTime(), s.outOfOrderMinTime()));
                newOooMax = Math.max(newOooMax, s.outOfOrderMaxTime());
            }
        }
        int[] refs = dead.toArray();
        List<Labels> deadLabels = new ArrayList<>(refs.length);
        for (int ref : refs) {
            MemSeries s = byRef.get(ref);
            Labels labels = s.labels();
            deadLabels.add(labels);
            byLabels.remove(hash(s.packedLabels(), s.packedLabels().length), ref);
            PackedLabels.release(s.packedLabels(), symbols);
            byRef.remove(ref);
        }
        postings.delete(refs, deadLabels);
        symbols.sweep();
        minTime = newMin;
        outOfOrderMaxTime = newOooMax;
        if (byRef.size() == 0) maxTime = Long.MIN_VALUE;
        return refs.length;
    }

    /** Every live series, in no particular order; for {@link HeadSnapshot}. */
    MemSeries[] allSeries() {
        return byRef.all();
    }

    /**
     * Adds a series with chunks read from a snapshot; for {@link HeadSnapshot}. Encodings: of the
     * closed chunks (codes, null: all XOR) and of the open one.
     */
    void restoreSeries(Labels labels, byte[][] closed, long[] closedTimes, byte[] closedEncodings,
                       ChunkEncoding headEncoding, byte[] headChunk, long headMinTime) {
        MemSeries s = series(getOrCreateSeries(labels));
        s.restore(closed, closedTimes, closedEncodings, headEncoding, headChunk, headMinTime, chunkRange);
        if (s.hasSamples()) {
            minTime = Math.min(minTime, s.minTime());
            maxTime = Math.max(maxTime, s.maxTime());
        }
    }

    @Override
    public Querier querier(long mint, long maxt) {
        return new HeadQuerier(this, mint, maxt);
    }

    /**
     * Orders series by their label sets, pair by pair with a shorter prefix first (as
     * {@link Labels#compareTo}), comparing label strings with {@code strings} (e.g. UTF-8 byte
     * order for a block index) only where they differ; builds no {@code Labels}. For sorting
     * many series without holding a decoded label set for each.
     */
    public Comparator<MemSeries> labelOrder(Comparator<String> strings) {
        return (a, b) -> PackedLabels.compare(a.packedLabels(), b.packedLabels(), symbols, strings);
    }

    /**
     * Held by the appending thread around each batch of appends, and around any change of the
     * head (truncation, restoring a snapshot): readers on other threads wait for it.
     */
    public Lock appendLock() { return lock.writeLock(); }

    /** What a querier holds while it reads; see the class comment. */
    Lock readLock() { return lock.readLock(); }

    public MemPostings postings() { return postings; }

    public SymbolTable symbols() { return symbols; }

    public int numSeries() { return byRef.size(); }

    /** Oldest sample timestamp held; Long.MAX_VALUE when empty. */
    public long minTime() { return minTime; }

    /** Newest sample timestamp held; Long.MIN_VALUE when empty. */
    public long maxTime() { return maxTime; }

    public long chunkRange() { return chunkRange; }

    /** Newest out-of-order sample held; Long.MIN_VALUE when none. */
    public long outOfOrderMaxTime() { return outOfOrderMaxTime; }

    /** Samples stored, out-of-order ones included. */
    public long appended() { return appended; }

    /** Samples stored in out-of-order chunks. */
    public long outOfOrderAppended() { return outOfOrderAppended; }

    /** Samples rejected as out of order (no window). */
    public long outOfOrder() { return outOfOrder; }

    /** Samples rejected as older than the out-of-order window allows. */
    public long tooOld() { return tooOld; }

    /** Samples rejected, without an out-of-order window, as before the batch's in-order bound. */
    public long outOfBounds() { return outOfBounds; }

    /** Samples rejected as duplicates with a different value. */
    public long duplicates() { return duplicates; }

    /** Native histogram samples rejected as invalid (Prometheus's histogram validation rules). */
    public long invalidHistograms() { return invalidHistograms; }
}
