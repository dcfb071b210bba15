package io.mnemo.tsdb.head;

import io.mnemo.tsdb.Labels;
import io.mnemo.tsdb.chunkenc.XorChunk;
import java.util.Arrays;
import java.util.Comparator;

/**
 * A head's series and chunks as bytes, like Prometheus's chunk snapshot: restoring it gives a head
 * whose chunks are byte for byte the ones written, and whose open head chunks continue as if never
 * interrupted, so a restored head ends up exactly as one that took every sample without a restart.
 *
 * <pre>
 *   uvarint version (1)
 *   uvarint symbol count, then each symbol: uvarint length, UTF-8 bytes
 *   uvarint series count, then each series, in ref order:
 *     uvarint string count (2 per label), uvarint symbol index of each name and value
 *     uvarint closed chunk count, then each: varint min time, uvarint max - min, uvarint length, bytes
 *     byte 1 and: varint head chunk min time, uvarint length, bytes   | byte 0 (no samples)
 * </pre>
 *
 * Counters (samples appended, rejected) are not part of it: they count what a process did.
 */
public final class HeadSnapshot {
    private static final int VERSION = 1;

    private HeadSnapshot() {}

    /** Writes the head as it is now; runs on the head's own thread, like every other read. */
    public static void write(Head head, SnapshotOut out) {
        MemSeries[] series = head.allSeries();
        Arrays.sort(series, Comparator.comparingInt(MemSeries::ref));
        SymbolTable symbols = head.symbols();
        // Symbols renumbered densely in order of first use, so indexes stay small varints.
        int[] dense = new int[symbols.idLimit()];
        Arrays.fill(dense, -1);
        String[] used = new String[symbols.size()];
        int numUsed = 0;
        int[][] ids = new int[series.length][];
        for (int i = 0; i < series.length; i++) {
            ids[i] = PackedLabels.ids(series[i].packedLabels());
            for (int id : ids[i]) if (dense[id] < 0) {
                dense[id] = numUsed;
                used[numUsed++] = symbols.symbol(id);
            }
        }
        out.putUvarint(VERSION);
        out.putUvarint(numUsed);
        for (int i = 0; i < numUsed; i++) out.putString(used[i]);
        out.putUvarint(series.length);
        for (int i = 0; i < series.length; i++) {
            MemSeries s = series[i];
            out.putUvarint(ids[i].length);
            for (int id : ids[i]) out.putUvarint(dense[id]);
            byte[][] closed = s.closedChunks();
            long[] times = s.closedChunkTimes();
            out.putUvarint(closed.length);
            for (int c = 0; c < closed.length; c++) {
                out.putVarint(times[2 * c]);
                out.putUvarint(times[2 * c + 1] - times[2 * c]);
                out.putBytes(closed[c]);
            }
            XorChunk open = s.headChunk();
            if (open == null) {
                out.putByte(0);
            } else {
                out.putByte(1);
                out.putVarint(s.headChunkMinTime());
                out.putBytes(open.toByteArray());
            }
        }
    }

    /**
     * Restores a snapshot into an empty head (created with the chunk range and samples per chunk
     * the written head had).
     *
     * @throws IllegalArgumentException if the bytes are not a snapshot this version wrote
     */
    public static void read(SnapshotIn in, Head into) {
        if (into.numSeries() != 0) throw new IllegalStateException("head snapshot restored into a non-empty head");
        long version = in.getUvarint();
        if (version != VERSION) throw new IllegalArgumentException("unknown head snapshot version " + version);
        String[] symbols = new String[in.getCount()];
        for (int i = 0; i < symbols.length; i++) symbols[i] = in.getString();
        int numSeries = in.getCount();
        for (int i = 0; i < numSeries; i++) {
            String[] kv = new String[in.getCount()];
            if ((kv.length & 1) != 0) throw new IllegalArgumentException("odd label string count in head snapshot");
            for (int k = 0; k < kv.length; k++) {
                int idx = in.getCount();
                if (idx >= symbols.length) throw new IllegalArgumentException("symbol index " + idx + " out of range");
                kv[k] = symbols[idx];
            }
            int numClosed = in.getCount();
            byte[][] closed = new byte[numClosed][];
            long[] times = new long[2 * numClosed];
            for (int c = 0; c < numClosed; c++) {
                times[2 * c] = in.getVarint();
                times[2 * c + 1] = times[2 * c] + in.getUvarint();
                closed[c] = in.getBytes();
            }
            byte[] open = null;
            long openMinTime = 0;
            if (in.getByte() == 1) {
                openMinTime = in.getVarint();
                open = in.getBytes();
            }
            into.restoreSeries(Labels.wrapSorted(kv), closed, times, open, openMinTime);
        }
    }
}
