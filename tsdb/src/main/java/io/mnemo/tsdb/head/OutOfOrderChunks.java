package io.mnemo.tsdb.head;

import io.mnemo.tsdb.chunkenc.ChunkMeta;
import io.mnemo.tsdb.chunkenc.XorAppender;
import io.mnemo.tsdb.chunkenc.XorChunk;
import io.mnemo.tsdb.chunkenc.XorIterator;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The out-of-order samples of one series: a small sorted buffer that takes inserts (primitive
 * arrays, up to {@value #BUFFER_SAMPLES} samples, like Prometheus's in-memory OOO chunk), and
 * closed XOR chunks that are sorted and never overlap each other. A full buffer is merged with the
 * closed chunks it overlaps and re-encoded, so the chunks stay one sorted sequence and a read
 * merges just two sources: the chunks and the buffer.
 *
 * <p>Closed chunk byte arrays are never changed once made (a merge makes new ones), so readers
 * may hold them across later inserts. Not thread-safe: the head's thread only.
 */
final class OutOfOrderChunks {
    static final int BUFFER_SAMPLES = 32;
    /** Samples per re-encoded chunk, Prometheus's head chunk size. */
    static final int CHUNK_SAMPLES = 120;

    /** Outcomes of {@link #insert}. */
    static final int STORED = 0, REPEAT = 1, CONFLICT = 2;

    private static final byte[][] NO_CHUNKS = new byte[0][];
    private static final long[] NO_TIMES = new long[0];

    private byte[][] chunks = NO_CHUNKS;   // sorted, non-overlapping
    private long[] times = NO_TIMES;       // min and max time of each chunk
    private long[] bufTimes = new long[4]; // sorted ascending, no repeats
    private long[] bufValues = new long[4]; // raw value bits
    private int bufSize;

    /**
     * Adds a sample unless one with this timestamp is held: then it is an exact {@link #REPEAT}
     * (same value bits, nothing stored) or a {@link #CONFLICT}.
     */
    int insert(long t, long bits) {
        int i = Arrays.binarySearch(bufTimes, 0, bufSize, t);
        if (i >= 0) return bufValues[i] == bits ? REPEAT : CONFLICT;
        int c = chunkContaining(t);
        if (c >= 0) {
            XorIterator it = XorChunk.wrap(chunks[c]).iterator();
            if (it.seek(t) && it.timestamp() == t) {
                return Double.doubleToRawLongBits(it.value()) == bits ? REPEAT : CONFLICT;
            }
        }
        int at = -i - 1;
        if (bufSize == bufTimes.length) {
            bufTimes = Arrays.copyOf(bufTimes, Math.min(BUFFER_SAMPLES, bufSize * 2));
            bufValues = Arrays.copyOf(bufValues, bufTimes.length);
        }
        System.arraycopy(bufTimes, at, bufTimes, at + 1, bufSize - at);
        System.arraycopy(bufValues, at, bufValues, at + 1, bufSize - at);
        bufTimes[at] = t;
        bufValues[at] = bits;
        if (++bufSize == BUFFER_SAMPLES) mergeBuffer();
        return STORED;
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
     * chunks overlapping the range, [1] the buffer encoded as one chunk (empty when it has none
     * in the range). Null when neither overlaps.
     */
    ChunkMeta[][] chunksIn(long mint, long maxt) {
        List<ChunkMeta> closed = new ArrayList<>();
        for (int i = 0; i < chunks.length; i++) {
            if (times[2 * i + 1] < mint) continue;
            if (times[2 * i] > maxt) break;
            closed.add(new ChunkMeta(XorChunk.wrap(chunks[i]), times[2 * i], times[2 * i + 1]));
        }
        int from = lowerBound(mint);
        int to = lowerBound(maxt == Long.MAX_VALUE ? maxt : maxt + 1);
        ChunkMeta[] buffer = new ChunkMeta[0];
        if (to > from) {
            XorChunk c = new XorChunk();
            XorAppender app = c.appender();
            for (int i = from; i < to; i++) app.append(bufTimes[i], Double.longBitsToDouble(bufValues[i]));
            buffer = new ChunkMeta[] {new ChunkMeta(c, bufTimes[from], bufTimes[to - 1])};
        }
        if (closed.isEmpty() && buffer.length == 0) return null;
        return new ChunkMeta[][] {closed.toArray(new ChunkMeta[0]), buffer};
    }

    /** Drops every sample before {@code mint}; true when nothing is left. */
    boolean truncateBefore(long mint) {
        int drop = 0;
        while (drop < chunks.length && times[2 * drop + 1] < mint) drop++;
        if (drop < chunks.length && times[2 * drop] < mint) {
            // Straddles mint: keep exactly its samples from mint on, so no sample is compacted twice.
            long[][] kept = decode(chunks[drop], mint);
            List<byte[]> enc = new ArrayList<>();
            List<long[]> encTimes = new ArrayList<>();
            encode(kept[0], kept[1], kept[0].length, enc, encTimes);
            replace(drop, drop + 1, enc, encTimes); // one chunk in, one out (fewer samples)
        }
        if (drop > 0) replace(0, drop, List.of(), List.of());
        int keepFrom = lowerBound(mint);
        if (keepFrom > 0) {
            System.arraycopy(bufTimes, keepFrom, bufTimes, 0, bufSize - keepFrom);
            System.arraycopy(bufValues, keepFrom, bufValues, 0, bufSize - keepFrom);
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
        int n = bufSize;
        for (int i = first; i < end; i++) n += XorChunk.wrap(chunks[i]).numSamples();
        long[] ts = new long[n], vs = new long[n];
        int k = 0, b = 0;
        for (int i = first; i < end; i++) {
            XorIterator it = XorChunk.wrap(chunks[i]).iterator();
            while (it.next()) {
                long t = it.timestamp();
                while (b < bufSize && bufTimes[b] < t) { ts[k] = bufTimes[b]; vs[k++] = bufValues[b++]; }
                ts[k] = t;
                vs[k++] = Double.doubleToRawLongBits(it.value());
            }
        }
        while (b < bufSize) { ts[k] = bufTimes[b]; vs[k++] = bufValues[b++]; }
        List<byte[]> enc = new ArrayList<>();
        List<long[]> encTimes = new ArrayList<>();
        encode(ts, vs, k, enc, encTimes);
        replace(first, end, enc, encTimes);
        bufSize = 0;
    }

    /** Replaces chunks [from, to) with the given ones, in new arrays (readers may hold the old). */
    private void replace(int from, int to, List<byte[]> with, List<long[]> withTimes) {
        int n = chunks.length - (to - from) + with.size();
        byte[][] c = n == 0 ? NO_CHUNKS : new byte[n][];
        long[] tm = n == 0 ? NO_TIMES : new long[2 * n];
        System.arraycopy(chunks, 0, c, 0, from);
        System.arraycopy(times, 0, tm, 0, 2 * from);
        for (int i = 0; i < with.size(); i++) {
            c[from + i] = with.get(i);
            tm[2 * (from + i)] = withTimes.get(i)[0];
            tm[2 * (from + i) + 1] = withTimes.get(i)[1];
        }
        System.arraycopy(chunks, to, c, from + with.size(), chunks.length - to);
        System.arraycopy(times, 2 * to, tm, 2 * (from + with.size()), times.length - 2 * to);
        chunks = c;
        times = tm;
    }

    private static void encode(long[] ts, long[] vs, int n, List<byte[]> out, List<long[]> outTimes) {
        for (int start = 0; start < n; start += CHUNK_SAMPLES) {
            int end = Math.min(n, start + CHUNK_SAMPLES);
            XorChunk c = new XorChunk();
            XorAppender app = c.appender();
            for (int i = start; i < end; i++) app.append(ts[i], Double.longBitsToDouble(vs[i]));
            out.add(c.toByteArray());
            outTimes.add(new long[] {ts[start], ts[end - 1]});
        }
    }

    /** The samples of a chunk from {@code mint} on: [timestamps, value bits]. */
    private static long[][] decode(byte[] chunk, long mint) {
        XorChunk c = XorChunk.wrap(chunk);
        long[] ts = new long[c.numSamples()], vs = new long[c.numSamples()];
        int n = 0;
        XorIterator it = c.iterator();
        while (it.next()) {
            if (it.timestamp() < mint) continue;
            ts[n] = it.timestamp();
            vs[n++] = Double.doubleToRawLongBits(it.value());
        }
        return new long[][] {Arrays.copyOf(ts, n), Arrays.copyOf(vs, n)};
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
}
