package io.mnemo.tsdb.compact;

import io.mnemo.tsdb.ChunkSeriesIterator;
import io.mnemo.tsdb.block.ChunkSegmentWriter;
import io.mnemo.tsdb.block.SeriesEntry;
import io.mnemo.tsdb.chunkenc.Chunk;
import io.mnemo.tsdb.chunkenc.ChunkCutter;
import io.mnemo.tsdb.chunkenc.ChunkEncoding;
import io.mnemo.tsdb.chunkenc.ChunkMeta;

import java.io.IOException;
import java.util.Arrays;

/**
 * Writes the chunks of one output series from the chunks its inputs hold, then is reset for the
 * next series; every array here is reused, so a series costs no allocation once they have grown.
 *
 * <p>The inputs' chunks are ordered by (min time, max time, input order) and swept into groups
 * of chunks that overlap in time, transitively. A group of one chunk, or of byte-identical copies
 * of one chunk (the zones' copies of a partition), is copied as it is, whatever its encoding: no
 * decoding, which is what makes horizontal compaction fast. Any other group, and any chunk that
 * deleted intervals touch, is decoded and merged by timestamp keeping one sample per timestamp,
 * then re-encoded by a {@link ChunkCutter}, each sample as its type (floats into XOR chunks of
 * at most {@value #SAMPLES_PER_CHUNK} samples, histograms cut as Prometheus's head cuts them),
 * as Prometheus's vertical compaction does. Where samples of two inputs share a timestamp with different values, Prometheus keeps
 * one at random; here the sample of the input first in the compaction's order, by (min time,
 * ULID), wins, so a compaction's output is reproducible.
 */
final class SeriesMerger {
    /** Prometheus's target for chunks it encodes in compaction ({@code seriesToChunkEncoderSplit}). */
    static final int SAMPLES_PER_CHUNK = 120;

    // The series' input chunks, in the order added; sorted through `order`.
    private int n;
    private long[] mins = new long[16];
    private long[] maxs = new long[16];
    private long[] refs = new long[16];
    private InputBlock[] inputs = new InputBlock[16];
    private long[][] deleted = new long[16][];
    private int[] order = new int[16];

    // Per chunk of the group being written (slot k is chunk order[groupStart + k]): its encoding
    // byte and bytes (InputBlock.copyChunk), and a cursor over its samples when merged.
    private int groupStart;
    private byte[][] bytes = new byte[16][];
    private int[] lengths = new int[16];
    private int[] kept = new int[16];
    private ChunkSeriesIterator[] its = new ChunkSeriesIterator[16];
    private long[] heads = new long[16];      // timestamp each merged cursor is on
    private boolean[] live = new boolean[16];
    private int[] delAt = new int[16];        // first deleted interval not before the cursor

    // The output series' chunks.
    private int outN;
    private long[] outMins = new long[16];
    private long[] outMaxs = new long[16];
    private long[] outRefs = new long[16];
    private long floatSamples;
    private long histogramSamples;

    // Encodes merged samples.
    private final ChunkCutter cutter = new ChunkCutter(SAMPLES_PER_CHUNK);

    void reset() {
        n = 0;
        outN = 0;
        floatSamples = 0;
        histogramSamples = 0;
    }

    /** Adds the chunks of the series an input is on, checking they lie in the input block's range. */
    void add(InputBlock in) throws IOException {
        SeriesEntry e = in.entry;
        long[] del = in.deletedOfSeries();
        for (int i = 0; i < e.numChunks(); i++) {
            long min = e.minTime(i);
            long max = e.maxTime(i);
            if (min > max || min < in.meta.minTime() || max >= in.meta.maxTime()) {
                throw new IOException(in.dir + ": chunk [" + min + ", " + max + "] of series " + e.labels()
                        + " lies outside the block's range [" + in.meta.minTime() + ", " + in.meta.maxTime() + ")");
            }
            if (n == mins.length) growInput();
            mins[n] = min;
            maxs[n] = max;
            refs[n] = e.ref(i);
            inputs[n] = in;
            deleted[n] = del;
            order[n] = n;
            n++;
        }
    }

    /** Writes the output chunks of the series; then {@link #numChunks()} and the accessors describe them. */
    void write(ChunkSegmentWriter cw) throws IOException {
        sortChunks();
        int i = 0;
        while (i < n) {
            int start = i;
            long groupMax = maxs[order[i++]];
            while (i < n && mins[order[i]] <= groupMax) groupMax = Math.max(groupMax, maxs[order[i++]]);
            writeGroup(cw, start, i);
        }
    }

    int numChunks() { return outN; }

    long[] chunkMins() { return outMins; }

    long[] chunkMaxs() { return outMaxs; }

    long[] chunkRefs() { return outRefs; }

    /** Float samples in the output chunks of the series. */
    long floatSamples() { return floatSamples; }

    /** Histogram samples (integer and float) in the output chunks of the series. */
    long histogramSamples() { return histogramSamples; }

    /** Insertion sort: each input's chunks arrive sorted, so this is linear for horizontal compaction. */
    private void sortChunks() {
        for (int i = 1; i < n; i++) {
            int c = order[i];
            int j = i - 1;
            while (j >= 0 && before(c, order[j])) {
                order[j + 1] = order[j];
                j--;
            }
            order[j + 1] = c;
        }
    }

    private boolean before(int a, int b) {
        if (mins[a] != mins[b]) return mins[a] < mins[b];
        if (maxs[a] != maxs[b]) return maxs[a] < maxs[b];
        return inputs[a].order < inputs[b].order;
    }

    /** Writes the chunks order[start, end), which overlap one another in time. */
    private void writeGroup(ChunkSegmentWriter cw, int start, int end) throws IOException {
        int g = end - start;
        if (bytes.length < g) growGroup(g);
        groupStart = start;
        int numKept = 0;
        boolean clean = true;
        for (int k = 0; k < g; k++) {
            int c = chunkOf(k);
            load(c, k);
            boolean touched = touchesDeleted(deleted[c], mins[c], maxs[c]);
            clean &= !touched;
            if (!touched && duplicate(k, numKept)) continue;
            kept[numKept++] = k;
        }
        if (clean && numKept == 1) {
            int k = kept[0];
            int c = chunkOf(k);
            int count = ((bytes[k][1] & 0xFF) << 8) | (bytes[k][2] & 0xFF);
            if (count == 0) return;
            ChunkEncoding encoding = ChunkEncoding.of(bytes[k][0]);
            addOutput(mins[c], maxs[c], cw.write(encoding, bytes[k], 1, lengths[k] - 1));
            count(encoding, count);
            return;
        }
        merge(cw, numKept);
    }

    private int chunkOf(int k) { return order[groupStart + k]; }

    /** Reads the encoding byte and bytes of chunk c into the group's slot k. */
    private void load(int c, int k) throws IOException {
        if (bytes[k] == null) bytes[k] = new byte[512];
        int len = inputs[c].copyChunk(refs[c], bytes[k]);
        if (len < 0) {
            bytes[k] = new byte[Math.max(-len, bytes[k].length * 2)];
            len = inputs[c].copyChunk(refs[c], bytes[k]);
        }
        lengths[k] = len;
    }

    /** Whether slot k holds the same chunk as one kept before it (same range and bytes, untouched by deletions). */
    private boolean duplicate(int k, int numKept) {
        int c = chunkOf(k);
        for (int j = 0; j < numKept; j++) {
            int kj = kept[j];
            int cj = chunkOf(kj);
            if (mins[cj] == mins[c] && maxs[cj] == maxs[c] && !touchesDeleted(deleted[cj], mins[cj], maxs[cj])
                    && Arrays.equals(bytes[kj], 0, lengths[kj], bytes[k], 0, lengths[k])) {
                return true;
            }
        }
        return false;
    }

    /**
     * Merges the kept slots of the group by timestamp into new chunks: one sample per timestamp
     * (the first input's where values differ), deleted samples skipped. Per sample: a comparison
     * per slot, no allocation.
     */
    private void merge(ChunkSegmentWriter cw, int numKept) throws IOException {
        if (its.length < numKept) growGroup(numKept);
        for (int j = 0; j < numKept; j++) {
            int k = kept[j];
            Chunk chunk = Chunk.wrap(ChunkEncoding.of(bytes[k][0]), bytes[k], 1, lengths[k] - 1);
            its[j] = new ChunkSeriesIterator(new ChunkMeta[] {new ChunkMeta(chunk, mins[chunkOf(k)], maxs[chunkOf(k)])},
                    Long.MIN_VALUE, Long.MAX_VALUE);
            delAt[j] = 0;
            heads[j] = Long.MIN_VALUE;
            live[j] = step(j, chunkOf(k));
        }
        while (true) {
            int best = -1;
            for (int j = 0; j < numKept; j++) {
                if (!live[j]) continue;
                if (best < 0 || heads[j] < heads[best]
                        || (heads[j] == heads[best] && inputOrder(j) < inputOrder(best))) {
                    best = j;
                }
            }
            if (best < 0) break;
            long t = heads[best];
            cutter.append(its[best]);
            if (cutter.hasClosed()) write(cw, cutter.takeClosed());
            for (int j = 0; j < numKept; j++) {
                if (live[j] && heads[j] == t) live[j] = step(j, chunkOf(kept[j]));
            }
        }
        write(cw, cutter.finish());
    }

    private int inputOrder(int j) { return inputs[chunkOf(kept[j])].order; }

    /** Moves cursor j (over chunk c) to its next sample that is not deleted; false at its end. */
    private boolean step(int j, int c) throws IOException {
        ChunkSeriesIterator it = its[j];
        long[] del = deleted[c];
        while (it.next()) {
            long t = it.timestamp();
            if (t <= heads[j]) {
                throw new IOException(inputs[c].dir + ": chunk at ref " + Long.toHexString(refs[c])
                        + " has timestamps out of order at " + t);
            }
            heads[j] = t;
            if (del == null) return true;
            int d = delAt[j];
            while (d < del.length && del[d + 1] < t) d += 2;
            delAt[j] = d;
            if (d == del.length || del[d] > t) return true;
        }
        return false;
    }

    private void write(ChunkSegmentWriter cw, java.util.List<ChunkMeta> chunks) throws IOException {
        for (ChunkMeta m : chunks) {
            addOutput(m.minTime(), m.maxTime(), cw.write(m.chunk()));
            count(m.chunk().encoding(), m.chunk().numSamples());
        }
    }

    private void count(ChunkEncoding encoding, int samples) {
        if (encoding == ChunkEncoding.XOR) floatSamples += samples;
        else histogramSamples += samples;
    }

    private void addOutput(long min, long max, long ref) {
        if (outN == outMins.length) {
            outMins = Arrays.copyOf(outMins, outN * 2);
            outMaxs = Arrays.copyOf(outMaxs, outN * 2);
            outRefs = Arrays.copyOf(outRefs, outN * 2);
        }
        outMins[outN] = min;
        outMaxs[outN] = max;
        outRefs[outN] = ref;
        outN++;
    }

    /** Whether a deleted interval ({mint, maxt, ...}, sorted, inclusive) meets [min, max]. */
    private static boolean touchesDeleted(long[] del, long min, long max) {
        if (del == null) return false;
        for (int d = 0; d < del.length; d += 2) {
            if (del[d] > max) return false;
            if (del[d + 1] >= min) return true;
        }
        return false;
    }

    private void growInput() {
        int m = n * 2;
        mins = Arrays.copyOf(mins, m);
        maxs = Arrays.copyOf(maxs, m);
        refs = Arrays.copyOf(refs, m);
        inputs = Arrays.copyOf(inputs, m);
        deleted = Arrays.copyOf(deleted, m);
        order = Arrays.copyOf(order, m);
    }

    private void growGroup(int g) {
        int m = Math.max(g, bytes.length * 2);
        bytes = Arrays.copyOf(bytes, m);
        lengths = Arrays.copyOf(lengths, m);
        kept = Arrays.copyOf(kept, m);
        its = Arrays.copyOf(its, m);
        heads = Arrays.copyOf(heads, m);
        live = Arrays.copyOf(live, m);
        delAt = Arrays.copyOf(delAt, m);
    }
}
