package io.mnemo.tsdb.block;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;

/**
 * The two tables of a block's index that every lookup starts from: the symbol table and the
 * postings offset table (label pair → where its postings list lies), read where they are in a
 * {@link ByteSource}: the index itself ({@link IndexReader}), or a copy of both sections made for
 * a block that stays in object storage (the bucket store's index-header). Opening checks both
 * checksums and keeps in memory only what lookups start from: every 32nd symbol's position, and
 * per label name its values' place in the postings offset table with every 32nd value as a sparse
 * index (Prometheus keeps the same).
 *
 * <p>Postings lists lie in the index in the order of the table's entries, so the list of an entry
 * ends where the next entry's begins (the last one where the postings section ends): a reader
 * that fetches lists by ranged reads knows each one's range without reading its length first.
 *
 * <p>Immutable after opening and safe for concurrent use. Lookups surface damage as
 * {@link UncheckedIOException}.
 */
public final class IndexTables implements IndexFormat.SymbolLookup {
    private static final int SPARSE = 32;

    private final ByteSource src;
    private final long symbolsEnd;
    private final int numSymbols;
    private final long[] symbolIndex;   // position of every SPARSE-th symbol
    private final long postingsEnd;
    private final long numEntries;
    private final Map<String, LabelValues> byName = new HashMap<>();
    private final List<String> labelNames; // sorted (Java order), without ""
    private final Map<Integer, String> nameSymbols = new ConcurrentHashMap<>();

    /** The byte range [start, end) of a postings list in the index. */
    public record PostingsRange(long start, long end) implements Comparable<PostingsRange> {
        @Override
        public int compareTo(PostingsRange o) { return Long.compare(start, o.start); }
    }

    /**
     * Where one label name's values sit in the postings offset table: every SPARSE-th value with
     * the position of its entry (the first entry included), how many values there are, and the
     * number of the name's first entry in the whole table.
     */
    private static final class LabelValues {
        long firstEntry;
        int count;
        final List<String> sparseValues = new ArrayList<>();
        final List<Long> sparsePositions = new ArrayList<>();
    }

    /**
     * @param symbolsAt where the symbol table section starts in {@code src}
     * @param postingsTableAt where the postings offset table section starts in {@code src}
     * @param postingsEnd where the postings section ends in the index (its label offset table)
     */
    public IndexTables(ByteSource src, long symbolsAt, long postingsTableAt, long postingsEnd) throws IOException {
        this.src = src;
        this.postingsEnd = postingsEnd;
        Cursor c = IndexFormat.section(src, symbolsAt, "symbol table");
        numSymbols = c.be32();
        if (numSymbols < 0) throw c.corrupt("negative symbol count");
        symbolIndex = new long[(numSymbols + SPARSE - 1) / SPARSE];
        for (int i = 0; i < numSymbols; i++) {
            if (i % SPARSE == 0) symbolIndex[i / SPARSE] = c.position();
            c.skipUvarintStr();
        }
        symbolsEnd = c.position();

        numEntries = readPostingsOffsetTable(IndexFormat.section(src, postingsTableAt, "postings offset table"));
        List<String> names = new ArrayList<>(byName.keySet());
        names.remove("");
        names.sort(null);
        labelNames = List.copyOf(names);
    }

    private long readPostingsOffsetTable(Cursor c) throws IOException {
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
                cur.firstEntry = i;
                curName = name.getBytes(StandardCharsets.UTF_8);
                if (byName.put(name, cur) != null) throw c.corrupt("label name " + name + " appears twice");
            }
            long valuePos = c.position();
            c.skipUvarintStr();
            c.uvarint(); // postings offset
            if (cur.count % SPARSE == 0) {
                cur.sparseValues.add(new Cursor(src, valuePos, c.position()).uvarintStr());
                cur.sparsePositions.add(entry);
            }
            cur.count++;
        }
        return count;
    }

    /** Sorted label names (Java order), without the all-series key "". */
    public List<String> labelNames() { return labelNames; }

    /** Sorted values (Java order) of a label name; empty if unknown. */
    public List<String> labelValues(String name) {
        LabelValues lv = byName.get(name);
        if (lv == null || name.isEmpty()) return List.of();
        List<String> out = new ArrayList<>(lv.count);
        visitValues(lv, null, (pos, len, range) -> {
            out.add(string(pos, len));
            return true;
        });
        out.sort(null);
        return out;
    }

    /** Where the postings list of name=value lies (name "" and value "": every series); null if the pair is absent. */
    public PostingsRange postingsRange(String name, String value) {
        LabelValues lv = byName.get(name);
        if (lv == null) return null;
        byte[] want = value.getBytes(StandardCharsets.UTF_8);
        // Start from the last sparse value not after the one wanted, then walk at most SPARSE entries.
        int lo = sparseFloor(lv, value);
        Cursor c = new Cursor(src, lv.sparsePositions.get(lo), src.size());
        int remaining = lv.count - lo * SPARSE;
        try {
            for (int i = 0; i < remaining && i < SPARSE; i++) {
                c.uvarint();
                c.skipUvarintStr();
                int cmp = c.compareUvarintStr(want);
                long off = c.uvarint();
                if (cmp == 0) return new PostingsRange(off, nextOffset(c, lv.firstEntry + lo * SPARSE + i));
                if (cmp > 0) break;
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return null;
    }

    /**
     * The postings ranges of the values of {@code name} that start with {@code prefix} ("" for
     * every value), other than {@code except} (null: none), for which {@code accept} holds (null:
     * every one), ascending. The values are compared as UTF-8 bytes where they lie, so that a
     * string is made only for {@code accept}.
     */
    public List<PostingsRange> postingsRanges(String name, String prefix, String except, Predicate<String> accept) {
        LabelValues lv = name.isEmpty() ? null : byName.get(name);
        if (lv == null) return List.of();
        byte[] prefixBytes = prefix.getBytes(StandardCharsets.UTF_8);
        byte[] exceptBytes = except == null ? null : except.getBytes(StandardCharsets.UTF_8);
        List<PostingsRange> out = new ArrayList<>();
        visitValues(lv, prefix, (pos, len, range) -> {
            if (!startsWith(pos, len, prefixBytes)) return false; // values ascend: past the prefix's range
            if (exceptBytes != null && len == exceptBytes.length && compareBytes(pos, len, exceptBytes) == 0) return true;
            if (accept == null || accept.test(string(pos, len))) out.add(range);
            return true;
        });
        return out;
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

    /**
     * Where the postings list of table entry {@code entry} ends: where the next entry's list
     * begins, read at the cursor (left just after the entry), or the end of the postings section.
     */
    private long nextOffset(Cursor c, long entry) throws IOException {
        if (entry + 1 >= numEntries) return postingsEnd;
        Cursor next = new Cursor(src, c.position(), src.size());
        next.uvarint();
        next.skipUvarintStr();
        next.skipUvarintStr();
        return next.uvarint();
    }

    @FunctionalInterface
    private interface ValueVisitor {
        /**
         * Sees one value, as the position and length of its UTF-8 bytes, and its postings list's
         * range; false stops the walk.
         */
        boolean visit(long valuePos, int valueLen, PostingsRange range) throws IOException;
    }

    /** Walks a name's values in index order, from the first one >= {@code from} if given. */
    private void visitValues(LabelValues lv, String from, ValueVisitor v) {
        boolean seek = from != null && !from.isEmpty();
        byte[] fromBytes = seek ? from.getBytes(StandardCharsets.UTF_8) : null;
        int start = seek ? sparseFloor(lv, from) : 0;
        Cursor c = new Cursor(src, lv.sparsePositions.get(start), src.size());
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
                if (!v.visit(pos, len, new PostingsRange(off, nextOffset(c, lv.firstEntry + i)))) return;
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private int compareBytes(long pos, int len, byte[] b) {
        int common = Math.min(len, b.length);
        for (int i = 0; i < common; i++) {
            int c = src.u8(pos + i) - (b[i] & 0xFF);
            if (c != 0) return c;
        }
        return len - b.length;
    }

    private boolean startsWith(long pos, int len, byte[] prefix) {
        return len >= prefix.length && compareBytes(pos, prefix.length, prefix) == 0;
    }

    private String string(long pos, int len) {
        byte[] b = new byte[len];
        src.copy(pos, b, 0, len);
        return new String(b, StandardCharsets.UTF_8);
    }

    public int numSymbols() { return numSymbols; }

    /** The symbols in table order, decoded one by one as the iterator moves (nothing held). */
    public Iterator<String> symbols() {
        return new Iterator<>() {
            private final Cursor c = new Cursor(src, symbolIndex.length == 0 ? symbolsEnd : symbolIndex[0], symbolsEnd);
            private int read;

            @Override
            public boolean hasNext() { return read < numSymbols; }

            @Override
            public String next() {
                if (read == numSymbols) throw new NoSuchElementException();
                read++;
                try {
                    return c.uvarintStr();
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
        };
    }

    @Override
    public String symbol(int id) throws IOException {
        if (id < 0 || id >= numSymbols) throw new IOException(src.name() + ": unknown symbol " + id);
        Cursor c = new Cursor(src, symbolIndex[id / SPARSE], symbolsEnd);
        for (int i = id % SPARSE; i > 0; i--) c.skipUvarintStr();
        return c.uvarintStr();
    }

    /** A label name: few distinct ones, looked up constantly, so cached. */
    @Override
    public String labelName(int id) throws IOException {
        String s = nameSymbols.get(id);
        if (s == null) {
            s = symbol(id);
            nameSymbols.put(id, s);
        }
        return s;
    }
}
