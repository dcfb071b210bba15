package io.mnemo.tsdb.head;

import io.mnemo.tsdb.Labels;
import io.mnemo.tsdb.chunkenc.Chunk;
import io.mnemo.tsdb.chunkenc.ChunkEncoding;
import java.util.Arrays;
import java.util.Comparator;

/**
 * A head's series and chunks as bytes, like Prometheus's chunk snapshot: restoring it gives a head
 * whose chunks are byte for byte the ones written, and whose open head chunks continue as if never
 * interrupted, so a restored head ends up exactly as one that took every sample without a restart.
 *
 * <pre>
 *   uvarint version (2)
 *   uvarint symbol count, then each symbol: uvarint length, UTF-8 bytes
 *   uvarint series count, then each series, in ref order:
 *     uvarint string count (2 per label), uvarint symbol index of each name and value
 *     uvarint closed chunk count, then each: byte encoding, varint min time, uvarint max - min, uvarint length, bytes
 *     byte 1 and: byte encoding, varint head chunk min time, uvarint length, bytes   | byte 0 (no samples)
 * </pre>
 *
 * The encoding byte is Prometheus's ({@link ChunkEncoding#code()}: 1 XOR, 2 histogram, 3 float
 * histogram). Version 1, written before heads held native histograms, has no encoding bytes (every
 * chunk is XOR) and is still read.
 *
 * Counters (samples appended, rejected) are not part of it: they count what a process did.
 */
public final class HeadSnapshot {
    private static final int VERSION = 2;
    /** Float chunks only, without encoding bytes. */
    private static final int VERSION_XOR_ONLY = 1;

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
            byte[] encodings = s.closedChunkEncodings();
            out.putUvarint(closed.length);
            for (int c = 0; c < closed.length; c++) {
                out.putByte(MemSeries.encoding(encodings, c).code());
                out.putVarint(times[2 * c]);
                out.putUvarint(times[2 * c + 1] - times[2 * c]);
                out.putBytes(closed[c]);
            }
            Chunk open = s.headChunk();
            if (open == null) {
                out.putByte(0);
            } else {
                out.putByte(1);
                out.putByte(open.encoding().code());
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
        if (version != VERSION && version != VERSION_XOR_ONLY) {
            throw new IllegalArgumentException("unknown head snapshot version " + version);
        }
        boolean withEncodings = version != VERSION_XOR_ONLY;
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
            byte[] encodings = null; // stays null while every chunk is XOR, as MemSeries keeps it
            for (int c = 0; c < numClosed; c++) {
                ChunkEncoding e = withEncodings ? encoding(in) : ChunkEncoding.XOR;
                if (e != ChunkEncoding.XOR && encodings == null) {
                    encodings = new byte[numClosed];
                    Arrays.fill(encodings, (byte) ChunkEncoding.XOR.code());
                }
                if (encodings != null) encodings[c] = (byte) e.code();
                times[2 * c] = in.getVarint();
                times[2 * c + 1] = times[2 * c] + in.getUvarint();
                closed[c] = in.getBytes();
            }
            byte[] open = null;
            ChunkEncoding openEncoding = ChunkEncoding.XOR;
            long openMinTime = 0;
            if (in.getByte() == 1) {
                if (withEncodings) openEncoding = encoding(in);
                openMinTime = in.getVarint();
                open = in.getBytes();
            }
            into.restoreSeries(Labels.wrapSorted(kv), closed, times, encodings, openEncoding, open, openMinTime);
        }
    }

    private static ChunkEncoding encoding(SnapshotIn in) {
        int code = in.getByte();
        ChunkEncoding e = ChunkEncoding.of(code);
        if (e == null) throw new IllegalArgumentException("unknown chunk encoding " + code + " in head snapshot");
        return e;
    }
}
