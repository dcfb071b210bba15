package io.mnemo.tsdb.block;

import io.mnemo.tsdb.Labels;
import io.mnemo.tsdb.index.IndexPostingsReader;
import io.mnemo.tsdb.index.Postings;

import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;

/**
 * Reads a block's index (format v2) from a mapped file. Opening checks the magic, the version and
 * the checksums of the table of contents, the symbol table and the postings offset table, and
 * keeps in memory only what lookups need to start from: every 32nd symbol's position, and per
 * label name its values' place in the postings offset table with every 32nd value as a sparse
 * index (Prometheus keeps the same). Postings lists and series entries are checksummed as they
 * are read. Matchers resolve through {@link io.mnemo.tsdb.index.PostingsForMatchers}, as the head's do.
 *
 * <p>Immutable after opening and safe for concurrent use.
 */
final class IndexReader implements IndexPostingsReader, Closeable {
    static final int TOC_SIZE = 6 * 8 + 4;
    private static final int SPARSE = 32;

    private final MappedFile f;
    private final long tocSeries;
    private final long symbolsEnd;
    private final int numSymbols;
    private final long[] symbolIndex;   // position of every SPARSE-th symbol
    private final Map<String, LabelValues> byName = new HashMap<>();
    private final List<String> labelNames; // sorted (Java order), without ""
    private final Map<Integer, String> nameSymbols = new ConcurrentHashMap<>();

    /**
     * Where one label name's values sit in the postings offset table: every SPARSE-th value with
     * the position of its entry (the first entry included), and how many values there are.
     */
    private static final class LabelValues {
        int count;
        final List<String> sparseValues = new ArrayList<>();
        final List<Long> sparsePositions = new ArrayList<>();
    }

    IndexReader(MappedFile f) throws IOException {
        this.f = f;
        if (f.size() < 5 + TOC_SIZE) throw new IOException(f.path() + ": too small for an index (" + f.size() + " bytes)");
        int magic = f.be32(0);
        if (magic != IndexWriter.MAGIC) throw new IOException(f.path() + ": bad index magic " + Integer.toHexString(magic));
        int version = f.u8(4);
        if (version != IndexWriter.FORMAT_V2) {
            throw new IOException(f.path() + ": index format version " + version + " unsupported, only v2 is read");
        }
        long toc = f.size() - TOC_SIZE;
        if (f.crc32c(toc, TOC_SIZE - 4) != f.be32(toc + TOC_SIZE - 4)) {
            throw new IOException(f.path() + ": table of contents checksum mismatch");
        }
        long tocSymbols = f.be64(toc);
        tocSeries = f.be64(toc + 8);
        long tocPostingsTable = f.be64(toc + 40);

        Cursor c = section(tocSymbols, "symbol table");
        numSymbols = c.be32();
        symbolIndex = new long[(numSymbols + SPARSE - 1) / SPARSE];
        for (int i = 0; i < numSymbols; i++) {
            if (i % SPARSE == 0) symbolIndex[i / SPARSE] = c.position();
            c.skipUvarintStr();
        }
        symbolsEnd = c.position();

        readPostingsOffsetTable(section(tocPostingsTable, "postings offset table"));
        List<String> names = new ArrayList<>(byName.keySet());
        names.remove("");
        names.sort(null);
        labelNames = List.copyOf(names);
    }

    /** A cursor over the body of a section that starts with a 4-byte length and ends with a CRC32C. */
    private Cursor section(long at, String what) throws IOException {
        if (at <= 0 || at + 8 > f.size()) throw new IOException(f.path() + ": " + what + " offset " + at + " out of range");
        long len = f.be32(at) & 0xFFFF_FFFFL;
        if (at + 4 + len + 4 > f.size()) throw new IOException(f.path() + ": " + what + " runs past the end");
        if (f.crc32c(at + 4, len) != f.be32(at + 4 + len)) throw new IOException(f.path() + ": " + what + " checksum mismatch");
        return new Cursor(f, at + 4, at + 4 + len);
    }

    private void readPostingsOffsetTable(Cursor c) throws IOException {
        long end = c.position() + c.remaining();
        long count = c.be32() & 0xFFFF_FFFFL;
        LabelValues cur = null;
        byte[] curName = null;
        for (long i = 0; i < count; i++) {
            long entry = c.position();
            if (c.uvarint() != 2) throw c.corrupt("postings offset entry without 2 keys");
            long namePos = c.position();
            if (cur == null || c.compareUvarintStr(curName) != 0) { // entries are grouped by name
                c.reset(namePos, end);
                String name = c.uvarintStr();
                cur = new LabelValues();
                curName = name.getBytes(StandardCharsets.UTF_8);
                if (byName.put(name, cur) != null) throw c.corrupt("label name " + name + " appears twice");
            }
            long valuePos = c.position();
            c.skipUvarintStr();
            c.uvarint(); // postings offset
            if (cur.count % SPARSE == 0) {
                cur.sparseValues.add(new Cursor(f, valuePos, c.position()).uvarintStr());
                cur.sparsePositions.add(entry);
            }
            cur.count++;
        }
    }

    /** Sorted label names (Java order), as Querier.labelNames returns them. */
    @Override
    public List<String> labelNames() { return labelNames; }

    /** Sorted values (Java order) of a label name; empty if unknown. */
    @Override
    public List<String> labelValues(String name) {
        LabelValues lv = byName.get(name);
        if (lv == null || name.isEmpty()) return List.of();
        List<String> out = new ArrayList<>(lv.count);
        visitValues(lv, null, (pos, len, off) -> {
            out.add(string(pos, len));
            return true;
        });
        out.sort(null);
        return out;
    }

    // ---- postings ----

    /** Ids of every series in the block, ascending: the postings of the empty label pair. */
    @Override
    public int[] allPostings() {
        return postingsOf("", "");
    }

    /** Ids of the series with name=value, ascending; empty if none. */
    @Override
    public int[] postings(String name, String value) {
        return name.isEmpty() ? Postings.EMPTY : postingsOf(name, value);
    }

    private int[] postingsOf(String name, String value) {
        LabelValues lv = byName.get(name);
        if (lv == null) return Postings.EMPTY;
        byte[] want = value.getBytes(StandardCharsets.UTF_8);
        // Start from the last sparse value not after the one wanted, then walk at most SPARSE entries.
        int lo = sparseFloor(lv, value);
        Cursor c = new Cursor(f, lv.sparsePositions.get(lo), f.size());
        int remaining = lv.count - lo * SPARSE;
        try {
            for (int i = 0; i < remaining && i < SPARSE; i++) {
                c.uvarint();
                c.skipUvarintStr();
                int cmp = c.compareUvarintStr(want);
                long off = c.uvarint();
                if (cmp == 0) return readPostings(off);
                if (cmp > 0) break;
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return Postings.EMPTY;
    }

    /**
     * The values with the prefix are compared as UTF-8 bytes where they lie, so that a string is
     * made only for {@code accept}.
     */
    @Override
    public int[] postingsForValues(String name, String prefix, String except, Predicate<String> accept) {
        LabelValues lv = name.isEmpty() ? null : byName.get(name);
        if (lv == null) return Postings.EMPTY;
        byte[] prefixBytes = prefix.getBytes(StandardCharsets.UTF_8);
        byte[] exceptBytes = except == null ? null : except.getBytes(StandardCharsets.UTF_8);
        List<int[]> lists = new ArrayList<>();
        visitValues(lv, prefix, (pos, len, off) -> {
            if (!startsWith(pos, len, prefixBytes)) return false; // values ascend: past the prefix's range
            if (exceptBytes != null && len == exceptBytes.length && compareBytes(pos, len, exceptBytes) == 0) return true;
            if (accept == null || accept.test(string(pos, len))) lists.add(readPostings(off));
            return true;
        });
        return Postings.union(lists);
    }

    /** Index of the last sparse value not after {@code value} (0 when all are after it). */
    private static int sparseFloor(LabelValues lv, String value) {
        int lo = 0;
        int hi = lv.sparseValues.size() - 1;
        while (lo < hi) {
            int mid = (lo + hi + 1) >>> 1;
            if (Utf8Order.compare(lv.sparseValues.get(mid), value) <= 0) lo = mid;
            else hi = mid - 1;
        }
        return lo;
    }

    private int[] readPostings(long off) throws IOException {
        Cursor c = section(off, "postings list");
        int n = c.be32();
        if (n < 0 || c.remaining() != 4L * n) throw c.corrupt("postings length does not match " + n + " entries");
        int[] ids = new int[n];
        f.be32s(c.position(), ids, n);
        if (n > 0 && (ids[0] < 0 || ids[n - 1] < 0)) throw c.corrupt("series id beyond 2^31"); // ids ascend
        return ids;
    }

    @FunctionalInterface
    interface ValueVisitor {
        /**
         * Sees one value, as the position and length of its UTF-8 bytes, and the offset of its
         * postings; false stops the walk.
         */
        boolean visit(long valuePos, int valueLen, long postingsOffset) throws IOException;
    }

    /** Walks a name's values in index order, from the first one >= {@code from} if given. */
    private void visitValues(LabelValues lv, String from, ValueVisitor v) {
        boolean seek = from != null && !from.isEmpty();
        byte[] fromBytes = seek ? from.getBytes(StandardCharsets.UTF_8) : null;
        int start = seek ? sparseFloor(lv, from) : 0;
        Cursor c = new Cursor(f, lv.sparsePositions.get(start), f.size());
        try {
            for (int i = start * SPARSE; i < lv.count; i++) {
                c.uvarint();
                c.skipUvarintStr();
                int len = c.uvarintInt();
                long pos = c.position();
                c.skip(len);
                long off = c.uvarint();
                if (seek) {
                    if (compareBytes(pos, len, fromBytes) < 0) continue;
                    seek = false; // values ascend: all later ones are >= from too
                }
                if (!v.visit(pos, len, off)) return;
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private int compareBytes(long pos, int len, byte[] b) {
        int common = Math.min(len, b.length);
        for (int i = 0; i < common; i++) {
            int c = f.u8(pos + i) - (b[i] & 0xFF);
            if (c != 0) return c;
        }
        return len - b.length;
    }

    private boolean startsWith(long pos, int len, byte[] prefix) {
        return len >= prefix.length && compareBytes(pos, prefix.length, prefix) == 0;
    }

    private String string(long pos, int len) {
        byte[] b = new byte[len];
        f.copy(pos, b, 0, len);
        return new String(b, StandardCharsets.UTF_8);
    }

    // ---- series ----

    /** A decoded series entry: labels and chunk metas, reused from one series to the next. */
    static final class SeriesEntry {
        Labels labels;
        int numChunks;
        long[] mins = new long[8];
        long[] maxs = new long[8];
        long[] refs = new long[8];

        /** Whether some chunk overlaps [mint, maxt]. */
        boolean overlaps(long mint, long maxt) {
            for (int i = 0; i < numChunks; i++) {
                if (mins[i] <= maxt && maxs[i] >= mint) return true;
            }
            return false;
        }
    }

    /** Decodes the series with this id into {@code out}; labels only when {@code withChunks} is false. */
    void series(int id, SeriesEntry out, boolean withChunks) throws IOException {
        long at = (long) id * IndexWriter.SERIES_ALIGN;
        if (at < tocSeries || at >= f.size()) throw new IOException(f.path() + ": series id " + id + " out of range");
        Cursor c = new Cursor(f, at, f.size());
        int len = c.uvarintInt();
        long body = c.position();
        if (body + len + 4 > f.size()) throw c.corrupt("series entry runs past the end");
        if (f.crc32c(body, len) != f.be32(body + len)) throw c.corrupt("series " + id + " checksum mismatch");
        c.reset(body, body + len);
        int n = c.uvarintInt();
        String[] kv = new String[n * 2];
        for (int i = 0; i < n; i++) {
            kv[2 * i] = nameSymbol(c.uvarintInt());
            kv[2 * i + 1] = symbol(c.uvarintInt());
        }
        out.labels = Labels.wrapSorted(kv);
        out.numChunks = 0;
        if (!withChunks) return;
        int k = c.uvarintInt();
        if (out.mins.length < k) {
            out.mins = new long[k];
            out.maxs = new long[k];
            out.refs = new long[k];
        }
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

    /** A label name: few distinct ones, looked up constantly, so cached. */
    private String nameSymbol(int id) throws IOException {
        String s = nameSymbols.get(id);
        if (s == null) {
            s = symbol(id);
            nameSymbols.put(id, s);
        }
        return s;
    }

    String symbol(int id) throws IOException {
        if (id < 0 || id >= numSymbols) throw new IOException(f.path() + ": unknown symbol " + id);
        Cursor c = new Cursor(f, symbolIndex[id / SPARSE], symbolsEnd);
        for (int i = id % SPARSE; i > 0; i--) c.skipUvarintStr();
        return c.uvarintStr();
    }

    @Override
    public void close() {
        f.close();
    }
}
