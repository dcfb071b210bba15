package io.mnemo.tsdb.head;

import io.mnemo.tsdb.ChunkSeriesIterator;
import io.mnemo.tsdb.HistogramIterator;
import io.mnemo.tsdb.MergeSampleIterator;
import io.mnemo.tsdb.SampleIterator;
import io.mnemo.tsdb.chunkenc.Chunk;
import io.mnemo.tsdb.chunkenc.ChunkCutter;
import io.mnemo.tsdb.chunkenc.ChunkEncoding;
import io.mnemo.tsdb.chunkenc.ChunkMeta;
import io.mnemo.tsdb.histogram.FloatHistogram;
import io.mnemo.tsdb.histogram.Histogram;

import java.util.Arrays;
import java.util.List;

/**
 * The out-of-order samples of one series: a small sorted buffer that takes inserts (primitive
 * arrays, up to {@value #BUFFER_SAMPLES} samples, like Prometheus's in-memory OOO chunk), and
 * closed chunks that are sorted and never overlap each other. A full buffer is merged with the
 * closed chunks it overlaps and re-encoded ({@link ChunkCutter}), so the chunks stay one sorted
 * sequence and a read merges just two sources: the chunks and the buffer.
 *
 * <p>Samples are floats or native histograms (Prometheus 3 takes histograms out of order too):
 * the buffer keeps a histogram as its own copy next to its timestamp, and the closed chunks are
 * of the encoding their samples need, with an encoding byte each once one is not XOR.
 *
 * <p>Closed chunk byte arrays are never changed once made (a merge makes new ones), so readers
 * may hold them across later inserts. Not thread-safe: the head's thread only.
 */
final class OutOfOrderChunks {
    static final int BUFFER_SAMPLES = 32;
    /** Float samples per re-encoded chunk, Prometheus's head chunk size. */
    static final int CHUNK_SAMPLES = 120;

    /** Outcomes of {@link #insert}. */
    static final int STORED = 0, REPEAT = 1, CONFLICT = 2;

    private static final byte[][] NO_CHUNKS = new byte[0][];
    private static final long[] NO_TIMES = new long[0];
    private static final ChunkMeta[] NO_METAS = new ChunkMeta[0];

    private byte[][] chunks = NO_CHUNKS;   // sorted, non-overlapping
    private long[] times = NO_TIMES;       // min and max time of each chunk
    private byte[] encodings;              // encoding code of each chunk; null while all are XOR
    private long[] bufTimes = new long[4]; // sorted ascending, no repeats
    private long[] bufValues = new long[4]; // raw value bits of floats
    private Object[] bufHistograms;        // Histogram or FloatHistogram copies, null for floats; null until one
    private int bufSize;

    /**
     * Adds a float sample unless one with this timestamp is held: then it is an exact
     * {@link #REPEAT} (same value bits, nothing stored) or a {@link #CONFLICT}.
     */
    int insert(long t, long bits) {
        return insert(t, bits, null);
    }

    /**
     * Adds a native histogram sample ({@link Histogram} or {@link FloatHistogram}, kept: give a
     * copy) as {@link #insert(long, long)} adds a float; a repeat is an equal histogram of the
     * same kind.
     */
    int insertHistogram(long t, Object histogram) {
        return insert(t, 0, histogram);
    }

    private int insert(long t, long bits, Object histogram) {
        int i = Arrays.binarySearch(bufTimes, 0, bufSize, t);
        if (i >= 0) {
            Object held = bufHistograms == null ? null : bufHistograms[i];
            return sameSample(held, bufValues[i], histogram, bits) ? REPEAT : CONFLICT;
        }
        int c = chunkContaining(t);
        if (c >= 0) {
            ChunkSeriesIterator it = new ChunkSeriesIterator(new ChunkMeta[] {chunk(c)}, t, t);
            if (it.next()) return sameSample(it, histogram, bits) ? REPEAT : CONFLICT;
        }
        int at = -i - 1;
        if (bufSize == bufTimes.length) {
            bufTimes = Arrays.copyOf(bufTimes, Math.min(BUFFER_SAMPLES, bufSize * 2));
            bufValues = Arrays.copyOf(bufValues, bufTimes.length);
            if (bufHistograms != null) bufHistograms = Arrays.copyOf(bufHistograms, bufTimes.length);
        }
        if (histogram != null && bufHistograms == null) bufHistograms = new Object[bufTimes.length];
        System.arraycopy(bufTimes, at, bufTimes, at + 1, bufSize - at);
        System.arraycopy(bufValues, at, bufValues, at + 1, bufSize - at);
        if (bufHistograms != null) System.arraycopy(bufHistograms, at, bufHistograms, at + 1, bufSize - at);
        bufTimes[at] = t;
        bufValues[at] = bits;
        if (bufHistograms != null) bufHistograms[at] = histogram;
        if (++bufSize == BUFFER_SAMPLES) mergeBuffer();
        return STORED;
    }

    /**
     * Whether the sample the iterator is on is this one: the same float bits, or an equal
     * histogram of the same kind (Prometheus's {@code Equals}, the counter reset hint aside).
     */
    static boolean sameSample(ChunkSeriesIterator it, Object histogram, long bits) {
        if (!it.isHistogram()) return histogram == null && Double.doubleToRawLongBits(it.value()) == bits;
        if (histogram instanceof Histogram h) return h.equalsIgnoringHint(it.integerHistogram());
        return histogram instanceof FloatHistogram fh && it.integerHistogram() == null && fh.equalsHistogram(it.histogram());
    }

    private static boolean sameSample(Object held, long heldBits, Object histogram, long bits) {
        if (held == null) return histogram == null && heldBits == bits;
        if (held instanceof Histogram h) return histogram instanceof Histogram o && h.equalsIgnoringHint(o);
        return histogram instanceof FloatHistogram o && ((FloatHistogram) held).equalsHistogram(o);
    }

    boolean isEmpty() { return bufSize == 0 && chunks.length == 0; }

    /** Oldest sample; Long.MAX_VALUE when empty. */
    long minTime() {
        long m = chunks.length > 0 ? times[0] : Long.MAX_VALUE;
        return bufSize > 0 ? Math.min(m, bufTimes[0]) : m;
    }

    /** Newest sample; Long.MIN_VALUE when empty. */
    long maxTime() {
        long m = chunks.length > 0 ? times[times.length - 1] : Long.MIN_VALUE;
        return bufSize > 0 ? Math.max(m, bufTimes[bufSize - 1]) : m;
    }

    /**
     * As of now, the samples overlapping [mint, maxt] as two sorted sources: [0] the closed
     * chunks overlapping the range, [1] the buffer's samples in it encoded as chunks (one, unless
     * their type changes; none when it has none in the range). Null when neither overlaps.
     */
    ChunkMeta[][] chunksIn(long mint, long maxt) {
        int first = 0;
        while (first < chunks.length && times[2 * first + 1] < mint) first++;
        int end = first;
        while (end < chunks.length && times[2 * end] <= maxt) end++;
        ChunkMeta[] closed = end == first ? NO_METAS : new ChunkMeta[end - first];
        for (int i = first; i < end; i++) closed[i - first] = chunk(i);
        int from = lowerBound(mint);
        int to = lowerBound(maxt == Long.MAX_VALUE ? maxt : maxt + 1);
        ChunkMeta[] buffer = to > from
                ? ChunkCutter.encode(new BufferIterator(from, to), CHUNK_SAMPLES).toArray(NO_METAS) : NO_METAS;
        if (closed.length == 0 && buffer.length == 0) return null;
        return new ChunkMeta[][] {closed, buffer};
    }

    /** Drops every sample before {@code mint}; true when nothing is left. */
    boolean truncateBefore(long mint) {
        int drop = 0;
        while (drop < chunks.length && times[2 * drop + 1] < mint) drop++;
        if (drop < chunks.length && times[2 * drop] < mint) {
            // Straddles mint: keep exactly its samples from mint on, so no sample is compacted twice.
            ChunkSeriesIterator kept = new ChunkSeriesIterator(new ChunkMeta[] {chunk(drop)}, mint, Long.MAX_VALUE);
            replace(drop, drop + 1, ChunkCutter.encode(kept, CHUNK_SAMPLES));
        }
        if (drop > 0) replace(0, drop, List.of());
        int keepFrom = lowerBound(mint);
        if (keepFrom > 0) {
            System.arraycopy(bufTimes, keepFrom, bufTimes, 0, bufSize - keepFrom);
            System.arraycopy(bufValues, keepFrom, bufValues, 0, bufSize - keepFrom);
            if (bufHistograms != null) {
                System.arraycopy(bufHistograms, keepFrom, bufHistograms, 0, bufSize - keepFrom);
                Arrays.fill(bufHistograms, bufSize - keepFrom, bufSize, null);
            }
            bufSize -= keepFrom;
        }
        return isEmpty();
    }

    /** Merges the buffer into the closed chunks it overlaps, re-encoding them; empties the buffer. */
    private void mergeBuffer() {
        long lo = bufTimes[0], hi = bufTimes[bufSize - 1];
        int first = 0;
        while (first < chunks.length && times[2 * first + 1] < lo) first++;
        int end = first;
        while (end < chunks.length && times[2 * end] <= hi) end++;
        ChunkMeta[] overlapping = new ChunkMeta[end - first];
        for (int i = first; i < end; i++) overlapping[i - first] = chunk(i);
        SampleIterator merged = new MergeSampleIterator(
                new ChunkSeriesIterator(overlapping, Long.MIN_VALUE, Long.MAX_VALUE), new BufferIterator(0, bufSize));
        replace(first, end, ChunkCutter.encode(merged, CHUNK_SAMPLES));
        bufSize = 0;
        if (bufHistograms != null) Arrays.fill(bufHistograms, null);
    }

    /** Closed chunk i as a view of its bytes. */
    private ChunkMeta chunk(int i) {
        byte[] b = chunks[i];
        return new ChunkMeta(Chunk.wrap(MemSeries.encoding(encodings, i), b, 0, b.length), times[2 * i], times[2 * i + 1]);
    }

    /** Replaces chunks [from, to) with the given ones, in new arrays (readers may hold the old). */
    private void replace(int from, int to, List<ChunkMeta> with) {
        int n = chunks.length - (to - from) + with.size();
        byte[][] c = n == 0 ? NO_CHUNKS : new byte[n][];
        long[] tm = n == 0 ? NO_TIMES : new long[2 * n];
        byte[] e = new byte[n];
        boolean allXor = true;
        for (int i = 0; i < from; i++) e[i] = (byte) MemSeries.encoding(encodings, i).code();
        System.arraycopy(chunks, 0, c, 0, from);
        System.arraycopy(times, 0, tm, 0, 2 * from);
        for (int i = 0; i < with.size(); i++) {
            ChunkMeta m = with.get(i);
            c[from + i] = m.chunk().toByteArray();
            tm[2 * (from + i)] = m.minTime();
            tm[2 * (from + i) + 1] = m.maxTime();
            e[from + i] = (byte) m.chunk().encoding().code();
        }
        for (int i = to; i < chunks.length; i++) e[i - to + from + with.size()] = (byte) MemSeries.encoding(encodings, i).code();
        System.arraycopy(chunks, to, c, from + with.size(), chunks.length - to);
        System.arraycopy(times, 2 * to, tm, 2 * (from + with.size()), times.length - 2 * to);
        for (byte b : e) if (b != ChunkEncoding.XOR.code()) allXor = false;
        chunks = c;
        times = tm;
        encodings = allXor ? null : e;
    }

    /** Index of the closed chunk whose range holds t, or -1. */
    private int chunkContaining(long t) {
        int lo = 0, hi = chunks.length - 1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            if (times[2 * mid + 1] < t) lo = mid + 1;
            else if (times[2 * mid] > t) hi = mid - 1;
            else return mid;
        }
        return -1;
    }

    /** First buffer index with timestamp >= t. */
    private int lowerBound(long t) {
        int i = Arrays.binarySearch(bufTimes, 0, bufSize, t);
        return i >= 0 ? i : -i - 1;
    }

    /** The buffer's samples [from, to) as they are now, for encoding them. */
    private final class BufferIterator implements HistogramIterator {
        private final int from;
        private final int to;
        private int i;

        BufferIterator(int from, int to) {
            this.from = from;
            this.to = to;
            this.i = from - 1;
        }

        @Override
        public boolean next() { return ++i < to; }

        @Override
        public boolean seek(long t) {
            if (i < from) i = from;
            while (i < to && bufTimes[i] < t) i++;
            return i < to;
        }

        @Override
        public long timestamp() { return bufTimes[i]; }

        @Override
        public double value() { return Double.longBitsToDouble(bufValues[i]); }

        @Override
        public FloatHistogram histogram() {
            Object h = bufHistograms == null ? null : bufHistograms[i];
            if (h instanceof Histogram ih) return ih.toFloat();
            return (FloatHistogram) h;
        }

        @Override
        public Histogram integerHistogram() {
            return bufHistograms != null && bufHistograms[i] instanceof Histogram ih ? ih : null;
        }
    }
}
