package io.mnemo.tsdb.block;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.zip.CRC32C;

/**
 * A block's {@code tombstones} file: magic 0x0130BA30, format version 1, the deleted intervals
 * (series ref uvarint, mint varint, maxt varint each, both times inclusive), then a CRC32C of the
 * intervals (the version byte is not covered, as in Prometheus). Blocks cut from a head have
 * none, so the file holds the header and the checksum of nothing. Queries refuse blocks with
 * deletions; the compactor applies them ({@link #read}).
 */
public final class Tombstones {
    public static final String FILE_NAME = "tombstones";
    static final int MAGIC = 0x0130BA30;
    static final int FORMAT_V1 = 1;

    private Tombstones() {}

    static void writeEmpty(Path blockDir) throws IOException {
        write(blockDir, Map.of());
    }

    /**
     * Writes the file with the deleted intervals of each series ref: {mint0, maxt0, mint1, maxt1,
     * ...}, times inclusive (Prometheus's {@code promtool tsdb delete} makes such files; so do tests).
     */
    public static void write(Path blockDir, Map<Integer, long[]> deleted) throws IOException {
        try (FileOut out = new FileOut(blockDir.resolve(FILE_NAME))) {
            out.writeBE32(MAGIC);
            out.writeByte(FORMAT_V1);
            out.beginCrc();
            EncBuf e = new EncBuf(32);
            for (Map.Entry<Integer, long[]> s : new TreeMap<>(deleted).entrySet()) {
                long[] iv = s.getValue();
                for (int i = 0; i + 1 < iv.length; i += 2) {
                    e.reset();
                    e.putUvarint(s.getKey() & 0xFFFF_FFFFL);
                    e.putVarint(iv[i]);
                    e.putVarint(iv[i + 1]);
                    out.write(e);
                }
            }
            out.endCrc();
            out.finish();
        }
    }

    /**
     * The deleted intervals of a block by series ref, each series' intervals sorted and merged
     * where they overlap or touch, as Prometheus's {@code Intervals.Add} keeps them; empty when
     * the block has no tombstones file.
     */
    public static Map<Integer, long[]> read(Path blockDir) throws IOException {
        byte[] b = checkedBytes(blockDir);
        if (b == null) return Map.of();
        Map<Integer, List<long[]>> bySeries = new HashMap<>();
        long[] pos = {5};
        int end = b.length - 4;
        Path p = blockDir.resolve(FILE_NAME);
        while (pos[0] < end) {
            long ref = uvarint(b, pos, end, p);
            long mint = unZigZag(uvarint(b, pos, end, p));
            long maxt = unZigZag(uvarint(b, pos, end, p));
            if (ref > Integer.MAX_VALUE) throw new IOException(p + ": series ref " + ref + " beyond 2^31");
            bySeries.computeIfAbsent((int) ref, k -> new ArrayList<>()).add(new long[] {mint, maxt});
        }
        Map<Integer, long[]> out = new HashMap<>();
        for (Map.Entry<Integer, List<long[]>> s : bySeries.entrySet()) out.put(s.getKey(), merged(s.getValue()));
        return out;
    }

    private static long[] merged(List<long[]> intervals) {
        intervals.sort((x, y) -> Long.compare(x[0], y[0]));
        long[] out = new long[intervals.size() * 2];
        int n = 0;
        for (long[] iv : intervals) {
            if (n > 0 && iv[0] <= out[n - 1] + 1) { // overlaps or touches the last one
                out[n - 1] = Math.max(out[n - 1], iv[1]);
            } else {
                out[n++] = iv[0];
                out[n++] = iv[1];
            }
        }
        return Arrays.copyOf(out, n);
    }

    /**
     * Checks the file and returns whether it records any deletion; a block without the file has
     * none, as Prometheus treats it.
     */
    static boolean hasDeletions(Path blockDir) throws IOException {
        byte[] b = checkedBytes(blockDir);
        return b != null && b.length > 9;
    }

    /** The file's bytes with magic, version and checksum checked; null without a file. */
    private static byte[] checkedBytes(Path blockDir) throws IOException {
        Path p = blockDir.resolve(FILE_NAME);
        if (!Files.exists(p)) return null;
        byte[] b = Files.readAllBytes(p);
        if (b.length < 9) throw new IOException(p + ": too short for a tombstones file (" + b.length + " bytes)");
        int magic = be32(b, 0);
        if (magic != MAGIC) throw new IOException(p + ": bad magic " + Integer.toHexString(magic));
        if (b[4] != FORMAT_V1) throw new IOException(p + ": unsupported tombstones version " + b[4]);
        CRC32C crc = new CRC32C();
        crc.update(b, 5, b.length - 9);
        if ((int) crc.getValue() != be32(b, b.length - 4)) throw new IOException(p + ": checksum mismatch");
        return b;
    }

    private static long uvarint(byte[] b, long[] pos, int end, Path p) throws IOException {
        long x = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            if (pos[0] >= end) throw new IOException(p + ": truncated interval");
            int c = b[(int) pos[0]++] & 0xFF;
            x |= (long) (c & 0x7F) << shift;
            if ((c & 0x80) == 0) return x;
        }
        throw new IOException(p + ": uvarint overflows 64 bits");
    }

    private static long unZigZag(long zz) {
        return (zz >>> 1) ^ -(zz & 1);
    }

    private static int be32(byte[] b, int at) {
        return ((b[at] & 0xFF) << 24) | ((b[at + 1] & 0xFF) << 16) | ((b[at + 2] & 0xFF) << 8) | (b[at + 3] & 0xFF);
    }
}
