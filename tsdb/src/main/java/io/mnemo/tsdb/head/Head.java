package io.mnemo.tsdb.head;

import io.mnemo.tsdb.Labels;
import io.mnemo.tsdb.Querier;
import io.mnemo.tsdb.Queryable;
import io.mnemo.tsdb.index.MemPostings;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The in-memory part of one tenant's TSDB on one ingester: series with their XOR chunks, the
 * postings index over their labels, and the symbols they share. Accepts in-order samples only,
 * like Prometheus's head without out-of-order support.
 *
 * <p>Not thread-safe: one thread (the ingester's actor) appends and queries. Series returned by
 * a querier stay valid after later appends on that thread; they see the samples as of select.
 */
public final class Head implements Queryable {
    /** Prometheus's default block range, which head chunks never straddle. */
    public static final long DEFAULT_CHUNK_RANGE_MS = 7_200_000L;
    /** Samples per chunk before a new one is cut, Prometheus's default. */
    public static final int DEFAULT_SAMPLES_PER_CHUNK = 120;

    private final long chunkRange;
    private final int samplesPerChunk;
    private final Map<Labels, MemSeries> byLabels = new HashMap<>();
    private final List<MemSeries> byRef = new ArrayList<>(); // index = ref; null once removed
    private final MemPostings postings = new MemPostings();
    private SymbolTable symbols = new SymbolTable();

    private long minTime = Long.MAX_VALUE;
    private long maxTime = Long.MIN_VALUE;
    private long appended;
    private long outOfOrder;
    private long duplicates;

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
     * The ref of the series with these labels, creating it (with interned strings) if new. Refs
     * are small ints, never reused, valid until {@link #truncate} removes the series.
     */
    public int getOrCreateSeries(Labels labels) {
        MemSeries s = byLabels.get(labels);
        if (s != null) return s.ref();
        int ref = byRef.size();
        s = new MemSeries(ref, symbols.intern(labels));
        byRef.add(s);
        byLabels.put(s.labels(), s);
        postings.add(ref, s.labels());
        return ref;
    }

    /** The ref of the series with these labels, or -1. */
    public int seriesRef(Labels labels) {
        MemSeries s = byLabels.get(labels);
        return s == null ? -1 : s.ref();
    }

    /**
     * Appends a float sample (staleness markers included) to a series. Out-of-order and
     * conflicting duplicate samples are rejected and counted; an exact repeat of the newest
     * sample is accepted without storing anything.
     *
     * @throws IllegalArgumentException for a ref that does not name a live series
     */
    public AppendResult append(int ref, long t, double v) {
        MemSeries s = series(ref);
        if (s.hasSamples()) {
            long last = s.maxTime();
            if (t < last) {
                outOfOrder++;
                return AppendResult.OUT_OF_ORDER;
            }
            if (t == last) {
                if (Double.doubleToRawLongBits(v) == s.lastValueBits()) return AppendResult.OK;
                duplicates++;
                return AppendResult.DUPLICATE;
            }
        }
        s.append(t, v, chunkRange, samplesPerChunk);
        appended++;
        if (t < minTime) minTime = t;
        if (t > maxTime) maxTime = t;
        return AppendResult.OK;
    }

    /** @throws IllegalArgumentException for a ref that does not name a live series */
    public MemSeries series(int ref) {
        MemSeries s = ref >= 0 && ref < byRef.size() ? byRef.get(ref) : null;
        if (s == null) throw new IllegalArgumentException("unknown series ref " + ref);
        return s;
    }

    /**
     * Drops every chunk whose samples all precede {@code mint} (e.g. once they are in a shipped
     * block) and the series left without samples; the refs of removed series become invalid.
     * Returns the number of series removed.
     */
    public int truncate(long mint) {
        int removed = 0;
        long newMin = Long.MAX_VALUE;
        for (int ref = 0; ref < byRef.size(); ref++) {
            MemSeries s = byRef.get(ref);
            if (s == null) continue;
            if (s.truncateBefore(mint)) {
                byRef.set(ref, null);
                byLabels.remove(s.labels());
                postings.delete(ref, s.labels());
                removed++;
            } else {
                newMin = Math.min(newMin, s.minTime());
            }
        }
        minTime = newMin;
        if (byLabels.isEmpty()) maxTime = Long.MIN_VALUE;
        if (removed > 0) { // forget symbols only removed series used
            SymbolTable fresh = new SymbolTable();
            for (MemSeries s : byLabels.values()) fresh.intern(s.labels());
            symbols = fresh;
        }
        return removed;
    }

    @Override
    public Querier querier(long mint, long maxt) {
        return new HeadQuerier(this, mint, maxt);
    }

    public MemPostings postings() { return postings; }

    public SymbolTable symbols() { return symbols; }

    public int numSeries() { return byLabels.size(); }

    /** Oldest sample timestamp held; Long.MAX_VALUE when empty. */
    public long minTime() { return minTime; }

    /** Newest sample timestamp held; Long.MIN_VALUE when empty. */
    public long maxTime() { return maxTime; }

    public long chunkRange() { return chunkRange; }

    /** Samples stored. */
    public long appended() { return appended; }

    /** Samples rejected as out of order. */
    public long outOfOrder() { return outOfOrder; }

    /** Samples rejected as duplicates with a different value. */
    public long duplicates() { return duplicates; }
}
