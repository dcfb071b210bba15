package io.mnemo.tsdb.exemplar;

import io.mnemo.tsdb.LabelMatcher;
import io.mnemo.tsdb.Labels;
import io.mnemo.tsdb.head.SnapshotIn;
import io.mnemo.tsdb.head.SnapshotOut;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * One tenant's exemplars, as Prometheus's circular exemplar storage keeps them: a ring of a fixed
 * number of exemplars shared by all the tenant's series, the newest overwriting the oldest, and
 * per series a chain through the ring from its oldest to its newest exemplar. Exemplars are kept
 * by series labels, not by head series, so they outlive a head truncation as Prometheus's do.
 *
 * <p>Per series, exemplars are kept in order: one equal to the series' newest (same timestamp,
 * value and labels) is a duplicate and skipped (a scrape repeats its exemplar until a new one
 * comes); one older than the newest, or at its timestamp with a lower value or lower-sorting
 * labels, is out of order and refused (Prometheus's rule, which lets a native histogram's
 * buckets carry several exemplars at one timestamp).
 *
 * <p>Thread-safe: appended to on the ingester's thread, read on read threads; every call holds
 * the store's monitor for its duration (a select copies out what it returns).
 */
public final class ExemplarStore {
    /** What {@link #add} did. */
    public enum AddResult { ADDED, DUPLICATE, OUT_OF_ORDER }

    /** A series' chain through the ring. */
    private static final class Chain {
        final Labels series;
        int oldest;
        int newest;

        Chain(Labels series, int at) {
            this.series = series;
            this.oldest = this.newest = at;
        }
    }

    private final int capacity;
    private final long[] timestamps;
    private final long[] valueBits;
    private final byte[][] labels;
    private final int[] next; // the series' next exemplar in the ring, -1 for its newest
    private final Chain[] owner; // null: the slot was never written
    private final Map<Labels, Chain> index = new HashMap<>();
    private int nextSlot;
    private int size;
    private long appended;
    private long outOfOrder;

    /** @param capacity exemplars kept, at least 1 */
    public ExemplarStore(int capacity) {
        if (capacity < 1) throw new IllegalArgumentException("an exemplar store holds at least one exemplar, got " + capacity);
        this.capacity = capacity;
        timestamps = new long[capacity];
        valueBits = new long[capacity];
        labels = new byte[capacity][];
        next = new int[capacity];
        owner = new Chain[capacity];
    }

    public int capacity() { return capacity; }

    /** Exemplars held now. */
    public synchronized int size() { return size; }

    /** Series with at least one exemplar held. */
    public synchronized int seriesCount() { return index.size(); }

    /** Exemplars added since the store was made (duplicates and out-of-order ones not counted). */
    public synchronized long appended() { return appended; }

    /** Exemplars refused as out of order since the store was made. */
    public synchronized long outOfOrder() { return outOfOrder; }

    /**
     * Adds an exemplar of a series: its labels as {@link ExemplarLabels} bytes at
     * {@code [off, off + len)} of {@code b} (copied when added), its value as IEEE-754 bits.
     */
    public synchronized AddResult add(Labels series, byte[] b, int off, int len, long timestamp, long bits) {
        Chain chain = index.get(series);
        if (chain != null) {
            int n = chain.newest;
            long t = timestamps[n];
            byte[] l = labels[n];
            int cmp = timestamp != t ? Long.compare(timestamp, t) : bits != valueBits[n]
                    ? Double.compare(Double.longBitsToDouble(bits), Double.longBitsToDouble(valueBits[n]))
                    : Arrays.compareUnsigned(b, off, off + len, l, 0, l.length);
            if (cmp == 0) return AddResult.DUPLICATE;
            if (cmp < 0) {
                outOfOrder++;
                return AddResult.OUT_OF_ORDER;
            }
        }
        int at = nextSlot;
        evict(at);
        chain = index.get(series); // the eviction may have emptied it
        timestamps[at] = timestamp;
        valueBits[at] = bits;
        labels[at] = Arrays.copyOfRange(b, off, off + len);
        next[at] = -1;
        if (chain == null) {
            chain = new Chain(series, at);
            index.put(series, chain);
        } else {
            next[chain.newest] = at;
            chain.newest = at;
        }
        owner[at] = chain;
        nextSlot = at + 1 == capacity ? 0 : at + 1;
        size++;
        appended++;
        return AddResult.ADDED;
    }

    /** Adds an exemplar given as decoded labels (tests, slow paths). */
    public AddResult add(Labels series, Labels exemplarLabels, double value, long timestamp) {
        byte[] b = ExemplarLabels.encode(exemplarLabels);
        return add(series, b, 0, b.length, timestamp, Double.doubleToRawLongBits(value));
    }

    /** Empties a slot about to be overwritten: it holds the oldest exemplar of its series. */
    private void evict(int at) {
        Chain c = owner[at];
        if (c == null) return;
        if (next[at] < 0) index.remove(c.series);
        else c.oldest = next[at];
        owner[at] = null;
        labels[at] = null;
        size--;
    }

    /**
     * The exemplars in [start, end] (ms, inclusive) of the series that match any of the matcher
     * sets, series sorted by labels, each series' exemplars oldest first (Prometheus's
     * {@code ExemplarQuerier.Select}).
     */
    public synchronized List<SeriesExemplars> select(long start, long end, List<LabelMatcher[]> matcherSets) {
        List<SeriesExemplars> out = new ArrayList<>();
        for (Chain c : index.values()) {
            if (timestamps[c.oldest] > end || timestamps[c.newest] < start) continue;
            if (!matchesAny(c.series, matcherSets)) continue;
            List<Exemplar> exemplars = new ArrayList<>();
            for (int i = c.oldest; i >= 0; i = next[i]) {
                long t = timestamps[i];
                if (t < start) continue;
                if (t > end) break;
                exemplars.add(new Exemplar(ExemplarLabels.decode(labels[i]), Double.longBitsToDouble(valueBits[i]), t));
            }
            if (!exemplars.isEmpty()) out.add(new SeriesExemplars(c.series, exemplars));
        }
        out.sort((a, b) -> a.seriesLabels().compareTo(b.seriesLabels()));
        return out;
    }

    private static boolean matchesAny(Labels series, List<LabelMatcher[]> matcherSets) {
        for (LabelMatcher[] set : matcherSets) {
            boolean all = true;
            for (LabelMatcher m : set) {
                if (!m.matches(series.get(m.name()))) {
                    all = false;
                    break;
                }
            }
            if (all) return true;
        }
        return false;
    }

    // ---- snapshots ----------------------------------------------------------------------------

    /**
     * Writes the exemplars oldest first, so that reading them back keeps the ring's order (what is
     * evicted next):
     * <pre>
     *   uvarint series count, then each: uvarint label count, then (string name, string value) each
     *   uvarint exemplar count, then each, oldest first:
     *     uvarint series index   bytes labels ({@link ExemplarLabels})   varint timestamp   8 bytes value bits, little-endian
     * </pre>
     */
    public synchronized void write(SnapshotOut out) {
        Map<Chain, Integer> seriesIndex = new IdentityHashMap<>();
        List<Chain> series = new ArrayList<>();
        int start = size < capacity ? 0 : nextSlot;
        for (int k = 0; k < capacity; k++) {
            Chain c = owner[(start + k) % capacity];
            if (c != null && seriesIndex.putIfAbsent(c, series.size()) == null) series.add(c);
        }
        out.putUvarint(series.size());
        for (Chain c : series) {
            out.putUvarint(c.series.size());
            for (int i = 0; i < c.series.size(); i++) {
                out.putString(c.series.name(i));
                out.putString(c.series.value(i));
            }
        }
        out.putUvarint(size);
        for (int k = 0; k < capacity; k++) {
            int at = (start + k) % capacity;
            if (owner[at] == null) continue;
            out.putUvarint(seriesIndex.get(owner[at]));
            out.putBytes(labels[at]);
            out.putVarint(timestamps[at]);
            long bits = valueBits[at];
            for (int i = 0; i < 8; i++) out.putByte((int) (bits >>> (8 * i)));
        }
    }

    /**
     * Adds what {@link #write} wrote, oldest first; a store smaller than the one written keeps
     * the newest that fit.
     */
    public void read(SnapshotIn in) {
        int n = in.getCount();
        Labels[] series = new Labels[n];
        for (int s = 0; s < n; s++) {
            String[] kv = new String[2 * in.getCount()];
            for (int i = 0; i < kv.length; i++) kv[i] = in.getString();
            series[s] = Labels.of(kv);
        }
        int count = in.getCount();
        for (int e = 0; e < count; e++) {
            int s = in.getCount();
            if (s >= n) throw new IllegalArgumentException("exemplar of series " + s + " of " + n + " at byte " + in.position());
            byte[] l = in.getBytes();
            long t = in.getVarint();
            long bits = 0;
            for (int i = 0; i < 8; i++) bits |= (long) in.getByte() << (8 * i);
            add(series[s], l, 0, l.length, t, bits);
        }
    }

    /** Skips what {@link #write} wrote (a tenant whose exemplars are no longer kept). */
    public static void skip(SnapshotIn in) {
        int n = in.getCount();
        for (int s = 0; s < n; s++) {
            int k = 2 * in.getCount();
            for (int i = 0; i < k; i++) in.getBytes();
        }
        int count = in.getCount();
        for (int e = 0; e < count; e++) {
            in.getCount();
            in.getBytes();
            in.getVarint();
            for (int i = 0; i < 8; i++) in.getByte();
        }
    }
}
