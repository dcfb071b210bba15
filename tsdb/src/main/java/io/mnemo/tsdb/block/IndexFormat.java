package io.mnemo.tsdb.block;

import io.mnemo.tsdb.Labels;

import java.io.IOException;

/**
 * Decoders of the structures of Prometheus's index format v2 that a reader fetches on demand: the
 * table of contents, a postings list, a series entry. They read a {@link ByteSource} at the
 * structure's position in the index, so the block reader's mapped index and the bucket store's
 * ranged reads of an index in object storage decode the same bytes with the same code, checksums
 * included. The tables a reader keeps at hand (symbols, postings offsets) are {@link IndexTables}.
 */
public final class IndexFormat {
    public static final int MAGIC = 0xBAAAD700;
    public static final int FORMAT_V2 = 2;
    /** Magic and version. */
    public static final int HEADER_SIZE = 5;
    /** Series entries start at multiples of this; a series' id is its position / SERIES_ALIGN. */
    public static final int SERIES_ALIGN = 16;
    /** Six 8-byte section positions and a CRC32C, at the very end of the index. */
    public static final int TOC_SIZE = 6 * 8 + 4;

    private IndexFormat() {}

    /** Where the sections of an index start. */
    public record Toc(long symbols, long series, long labelIndices, long labelOffsetTable, long postings,
                      long postingsOffsetTable) {}

    /** Looks symbols up by their number in the symbol table, as series entries reference them. */
    public interface SymbolLookup {
        String symbol(int id) throws IOException;

        /** A symbol used as a label name: few distinct ones, so implementations may cache them. */
        default String labelName(int id) throws IOException { return symbol(id); }
    }

    /** Checks the magic and version at the start of an index. */
    public static void checkHeader(ByteSource src) throws IOException {
        int magic = src.be32(0);
        if (magic != MAGIC) throw new IOException(src.name() + ": bad index magic " + Integer.toHexString(magic));
        int version = src.u8(4);
        if (version != FORMAT_V2) {
            throw new IOException(src.name() + ": index format version " + version + " unsupported, only v2 is read");
        }
    }

    /**
     * The table of contents of an index of {@code indexSize} bytes; {@code src} holds its last
     * {@value #TOC_SIZE} bytes. Checks its checksum and that the sections lie in Prometheus's order
     * inside the index.
     */
    public static Toc readToc(ByteSource src, long indexSize) throws IOException {
        if (indexSize < HEADER_SIZE + TOC_SIZE) throw new IOException(src.name() + ": too small for an index (" + indexSize + " bytes)");
        long at = indexSize - TOC_SIZE;
        if (src.crc32c(at, TOC_SIZE - 4) != src.be32(at + TOC_SIZE - 4)) {
            throw new IOException(src.name() + ": table of contents checksum mismatch");
        }
        Toc toc = new Toc(src.be64(at), src.be64(at + 8), src.be64(at + 16), src.be64(at + 24), src.be64(at + 32),
                src.be64(at + 40));
        long[] order = {HEADER_SIZE, toc.symbols, toc.series, toc.labelIndices, toc.postings, toc.labelOffsetTable,
                toc.postingsOffsetTable, at};
        for (int i = 1; i < order.length; i++) {
            if (order[i] < order[i - 1]) throw new IOException(src.name() + ": table of contents out of order: " + toc);
        }
        return toc;
    }

    /** A cursor over the body of a section that starts with a 4-byte length and ends with a CRC32C. */
    static Cursor section(ByteSource src, long at, String what) throws IOException {
        if (at < src.start() || at + 8 > src.size()) throw new IOException(src.name() + ": " + what + " offset " + at + " out of range");
        long len = src.be32(at) & 0xFFFF_FFFFL;
        if (at + 4 + len + 4 > src.size()) throw new IOException(src.name() + ": " + what + " runs past the end (at " + at + ")");
        if (src.crc32c(at + 4, len) != src.be32(at + 4 + len)) throw new IOException(src.name() + ": " + what + " checksum mismatch (at " + at + ")");
        return new Cursor(src, at + 4, at + 4 + len);
    }

    /** The postings list at {@code off}: ascending series ids, its checksum checked. */
    public static int[] readPostings(ByteSource src, long off) throws IOException {
        Cursor c = section(src, off, "postings list");
        int n = c.be32();
        if (n < 0 || c.remaining() != 4L * n) throw c.corrupt("postings length does not match " + n + " entries");
        int[] ids = new int[n];
        src.be32s(c.position(), ids, n);
        if (n > 0 && (ids[0] < 0 || ids[n - 1] < 0)) throw c.corrupt("series id beyond 2^31"); // ids ascend
        return ids;
    }

    /** Position of the entry of series {@code id}, checked to lie in the series section [seriesStart, seriesEnd). */
    public static long seriesPosition(String index, int id, long seriesStart, long seriesEnd) throws IOException {
        long at = (long) id * SERIES_ALIGN;
        if (id < 0 || at < seriesStart || at >= seriesEnd) throw new IOException(index + ": series id " + id + " out of range");
        return at;
    }

    /**
     * Where the series entry at {@code at} ends (its checksum included), or -1 when {@code src}
     * ends before its length does: how a reader that fetched a guessed range learns whether the
     * entry is in it.
     */
    public static long seriesEntryEnd(ByteSource src, long at) throws IOException {
        Cursor c = new Cursor(src, at, src.size());
        long len = 0;
        for (int shift = 0; ; shift += 7) {
            if (c.remaining() == 0) return -1;
            if (shift > 28) throw c.corrupt("series entry length overflows");
            int b = c.u8();
            len |= (long) (b & 0x7F) << shift;
            if ((b & 0x80) == 0) break;
        }
        return c.position() + len + 4;
    }

    /**
     * Decodes the series entry at {@code at} (see {@link #seriesPosition}) into {@code out}, its
     * checksum checked; labels only when {@code withChunks} is false.
     */
    public static void readSeries(ByteSource src, long at, SymbolLookup symbols, SeriesEntry out, boolean withChunks)
            throws IOException {
        Cursor c = new Cursor(src, at, src.size());
        int len = c.uvarintInt();
        long body = c.position();
        if (body + len + 4 > src.size()) throw c.corrupt("series entry runs past the end");
        if (src.crc32c(body, len) != src.be32(body + len)) throw c.corrupt("series " + at / SERIES_ALIGN + " checksum mismatch");
        c.reset(body, body + len);
        int n = c.uvarintInt();
        String[] kv = new String[n * 2];
        for (int i = 0; i < n; i++) {
            kv[2 * i] = symbols.labelName(c.uvarintInt());
            kv[2 * i + 1] = symbols.symbol(c.uvarintInt());
        }
        out.labels = Labels.wrapSorted(kv);
        out.numChunks = 0;
        if (!withChunks) return;
        int k = c.uvarintInt();
        out.ensureCapacity(k);
        long mint = 0;
        long maxt = 0;
        long ref = 0;
        for (int i = 0; i < k; i++) {
            if (i == 0) {
                mint = c.varint();
                maxt = mint + c.uvarint();
                ref = c.uvarint();
            } else {
                mint = maxt + c.uvarint();
                maxt = mint + c.uvarint();
                ref += c.varint();
            }
            out.mins[i] = mint;
            out.maxs[i] = maxt;
            out.refs[i] = ref;
        }
        out.numChunks = k;
    }
}
