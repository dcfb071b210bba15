package io.mnemo.tsdb.head;

import io.mnemo.tsdb.ChunkSeries;
import io.mnemo.tsdb.ChunkSeriesIterator;
import io.mnemo.tsdb.Labels;
import io.mnemo.tsdb.MergeSampleIterator;
import io.mnemo.tsdb.SampleIterator;
import io.mnemo.tsdb.Series;
import io.mnemo.tsdb.SeriesSet;
import io.mnemo.tsdb.chunkenc.Chunk;
import io.mnemo.tsdb.chunkenc.ChunkEncoding;
import io.mnemo.tsdb.chunkenc.ChunkMeta;
import io.mnemo.tsdb.chunkenc.XorChunk;

import java.util.Arrays;

/**
 * What a head select copied out under the head's lock, kept as references and numbers in flat
 * arrays, with no object per series: each series' packed labels, its completed chunks (arrays
 * the head never changes in place, only replaces), the extent of its open chunk at that moment,
 * and the strings of the symbol ids its labels use (symbols may be freed and their ids reused
 * later). Series objects are built one at a time as the {@link #seriesSet} is read, so a
 * stream sending a hundred thousand series holds a few at once, not all of them: a young
 * collection during a large read copies arrays, not a graph of per-series objects.
 *
 * <p>What it sees of appends is what a snapshot of the open chunk sees: the samples it held
 * when copied (chunk views, {@link XorChunk}'s and the histogram ones, capture the sample count; later appends only add bits
 * after them, and a grown buffer is a new array).
 */
final class HeadSelection {
    private static final ChunkMeta[] NO_CHUNKS = new ChunkMeta[0];

    private final long mint;
    private final long maxt;
    private int n;
    private byte[][] labels;
    private byte[][][] closed;
    private long[][] closedTimes;
    private byte[][] closedEncodings; // per series: null while all its chunks are XOR
    private int[] firstClosed;      // first completed chunk in the range
    private int[] endClosed;        // one past the last
    private byte[][] openBuf;       // null: the open chunk is not in the range
    private ChunkEncoding[] openEncoding;
    private int[] openOffset;
    private int[] openLength;
    private int[] openSamples;
    private long[] openMinTime;
    private long[] openMaxTime;
    private ChunkMeta[][][] outOfOrder; // null until a series has out-of-order chunks in the range
    private String[] strings = new String[0];

    /** @param capacity series expected (grown when more are added) */
    HeadSelection(int capacity, long mint, long maxt) {
        this.mint = mint;
        this.maxt = maxt;
        labels = new byte[capacity][];
        closed = new byte[capacity][][];
        closedTimes = new long[capacity][];
        closedEncodings = new byte[capacity][];
        firstClosed = new int[capacity];
        endClosed = new int[capacity];
        openBuf = new byte[capacity][];
        openEncoding = new ChunkEncoding[capacity];
        openOffset = new int[capacity];
        openLength = new int[capacity];
        openSamples = new int[capacity];
        openMinTime = new long[capacity];
        openMaxTime = new long[capacity];
    }

    int size() { return n; }

    /**
     * Copies a series out if it has samples in the range (in order or out of order); called
     * under the head's read lock. The in-order part comes from {@link MemSeries#selectInto}.
     */
    void add(MemSeries s, SymbolTable symbols) {
        if (n == labels.length) grow();
        int i = n;
        boolean inOrder = s.selectInto(this, i, mint, maxt);
        ChunkMeta[][] ooo = s.outOfOrderChunksIn(mint, maxt);
        if (!inOrder && ooo == null) return;
        if (!inOrder) {
            closed[i] = null;
            openBuf[i] = null;
        }
        if (ooo != null) {
            if (outOfOrder == null) outOfOrder = new ChunkMeta[labels.length][][];
            outOfOrder[i] = ooo;
        } else if (outOfOrder != null) {
            outOfOrder[i] = null;
        }
        byte[] packed = s.packedLabels();
        labels[i] = packed;
        if (strings.length < symbols.idLimit()) strings = Arrays.copyOf(strings, symbols.idLimit());
        for (int pos = 0; pos < packed.length; ) {
            int id = PackedLabels.read(packed, pos);
            pos += PackedLabels.size(id);
            if (strings[id] == null) strings[id] = symbols.symbol(id);
        }
        n++;
    }

    /** Room for twice as many series: a select sizes for what it may find, not for every posting. */
    private void grow() {
        int capacity = Math.max(16, labels.length * 2);
        labels = Arrays.copyOf(labels, capacity);
        closed = Arrays.copyOf(closed, capacity);
        closedTimes = Arrays.copyOf(closedTimes, capacity);
        closedEncodings = Arrays.copyOf(closedEncodings, capacity);
        firstClosed = Arrays.copyOf(firstClosed, capacity);
        endClosed = Arrays.copyOf(endClosed, capacity);
        openBuf = Arrays.copyOf(openBuf, capacity);
        openEncoding = Arrays.copyOf(openEncoding, capacity);
        openOffset = Arrays.copyOf(openOffset, capacity);
        openLength = Arrays.copyOf(openLength, capacity);
        openSamples = Arrays.copyOf(openSamples, capacity);
        openMinTime = Arrays.copyOf(openMinTime, capacity);
        openMaxTime = Arrays.copyOf(openMaxTime, capacity);
        if (outOfOrder != null) outOfOrder = Arrays.copyOf(outOfOrder, capacity);
    }

    /**
     * The in-order chunks of series i: completed ones [first, end) of {@code chunks} (of these
     * encodings, null: all XOR), and the open one if buf is not null.
     */
    void setInOrder(int i, byte[][] chunks, long[] times, byte[] encodings, int first, int end, ChunkEncoding open,
                    byte[] buf, int offset, int length, int samples, long openMin, long openMax) {
        closed[i] = chunks;
        closedTimes[i] = times;
        closedEncodings[i] = encodings;
        openEncoding[i] = open;
        firstClosed[i] = first;
        endClosed[i] = end;
        openBuf[i] = buf;
        openOffset[i] = offset;
        openLength[i] = length;
        openSamples[i] = samples;
        openMinTime[i] = openMin;
        openMaxTime[i] = openMax;
    }

    /** The series in label order ({@link LabelOrder}) or as selected, built as they are read. */
    SeriesSet seriesSet(boolean sorted) {
        int[] order = sorted ? LabelOrder.order(labels, n, strings) : null;
        return new SeriesSet() {
            private int next;
            private Series at;

            public boolean next() {
                while (next < n) {
                    int i = order == null ? next : order[next];
                    next++;
                    at = build(i);
                    if (at != null) return true;
                }
                at = null;
                return false;
            }

            public Series at() {
                if (at == null) throw new IllegalStateException();
                return at;
            }
        };
    }

    private Series build(int i) {
        Labels l = PackedLabels.decode(labels[i], strings);
        ChunkMeta[] inOrder = inOrderChunks(i);
        ChunkMeta[][] ooo = outOfOrder == null ? null : outOfOrder[i];
        if (ooo == null) return new ChunkSeries(l, inOrder, mint, maxt);
        Series merged = new OutOfOrderSeries(l, inOrder, ooo, mint, maxt);
        return merged.iterator().next() ? merged : null;
    }

    private ChunkMeta[] inOrderChunks(int i) {
        if (closed[i] == null && openBuf[i] == null) return NO_CHUNKS;
        int first = firstClosed[i];
        int end = endClosed[i];
        int count = end - first + (openBuf[i] != null ? 1 : 0);
        ChunkMeta[] out = new ChunkMeta[count];
        long[] times = closedTimes[i];
        byte[] encodings = closedEncodings[i];
        for (int c = first; c < end; c++) {
            byte[] bytes = closed[i][c];
            out[c - first] = new ChunkMeta(Chunk.wrap(MemSeries.encoding(encodings, c), bytes, 0, bytes.length),
                    times[2 * c], times[2 * c + 1]);
        }
        if (openBuf[i] != null) {
            out[count - 1] = new ChunkMeta(Chunk.view(openEncoding[i], openBuf[i], openOffset[i], openLength[i], openSamples[i]),
                    openMinTime[i], openMaxTime[i]);
        }
        return out;
    }

    /** A series with out-of-order samples: its in-order chunks and both out-of-order sources, merged. */
    private record OutOfOrderSeries(Labels labels, ChunkMeta[] inOrder, ChunkMeta[][] outOfOrder, long mint, long maxt)
            implements Series {
        @Override
        public SampleIterator iterator() {
            return new MergeSampleIterator(
                    inOrder.length == 0 ? SampleIterator.EMPTY : new ChunkSeriesIterator(inOrder, mint, maxt),
                    new ChunkSeriesIterator(outOfOrder[0], mint, maxt),
                    new ChunkSeriesIterator(outOfOrder[1], mint, maxt));
        }
    }
}
