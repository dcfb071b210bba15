package io.mnemo.tsdb.block;

import io.mnemo.tsdb.Labels;
import io.mnemo.tsdb.Varint;

import java.io.BufferedInputStream;
import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Writes a block's {@code index} file in Prometheus's index format v2, in the order Prometheus
 * lays it out: header, symbol table, series (16-byte aligned; a series' id is its offset / 16),
 * label indices, postings lists, label offset table, postings offset table, table of contents.
 * Every section ends with a CRC32C of its body, as Prometheus writes them.
 *
 * <p>Calls come in stages: {@link #writeSymbols} once, then {@link #addSeries} in Prometheus's
 * label order, then {@link #addPostings} for every label pair in (name, value) order starting
 * with the all-series key ("", ""), then {@link #finish}. Postings and their offset table go to
 * two temporary files next to the index (they come after the label indices, which are written
 * as the postings pass moves from one label name to the next), so memory stays bounded by one
 * series or one postings list, plus the label offset table (one entry per label name).
 */
public final class IndexWriter implements Closeable {
    static final int MAGIC = IndexFormat.MAGIC;
    static final int FORMAT_V2 = IndexFormat.FORMAT_V2;
    static final int SERIES_ALIGN = IndexFormat.SERIES_ALIGN;

    private final Path path;
    private final FileOut out;
    private final EncBuf series = new EncBuf(1024);
    private final EncBuf entry = new EncBuf(256);
    private SymbolIndex symbols;

    private long tocSymbols;
    private long tocSeries;
    private long tocLabelIndices;
    private long tocPostings;
    private long tocLabelOffsetTable;
    private long tocPostingsOffsetTable;

    private Labels lastSeries;

    private FileOut postingsTmp;
    private FileOut offsetsTmp;
    private long numPostingsEntries;
    private String lastName;
    private String lastValue;
    private int[] valueSymbols = new int[1024]; // symbol ids of the current name's values
    private int numValues;
    private final List<String> labelIndexNames = new ArrayList<>();
    private final List<Long> labelIndexOffsets = new ArrayList<>();

    public IndexWriter(Path path) throws IOException {
        this.path = path;
        this.out = new FileOut(path);
        out.writeBE32(MAGIC);
        out.writeByte(FORMAT_V2);
    }

    /** The symbol table: every label name and value the series will use, frozen and sorted. */
    public void writeSymbols(SymbolIndex symbolIndex) throws IOException {
        if (symbols != null) throw new IllegalStateException("symbols already written");
        symbols = symbolIndex;
        String[] sorted = symbolIndex.freeze();
        long len = 4;
        for (String s : sorted) {
            int n = EncBuf.utf8Length(s);
            len += Varint.size(n) + n;
        }
        if (len > 0xFFFF_FFFFL) throw new IOException("symbol table of " + len + " bytes exceeds 4 GiB");
        tocSymbols = out.position();
        out.writeBE32((int) len);
        out.beginCrc();
        out.writeBE32(sorted.length);
        for (String s : sorted) {
            entry.reset();
            entry.putUvarintStr(s);
            out.write(entry);
        }
        out.endCrc();
        tocSeries = out.position();
    }

    /**
     * Adds the next series with its chunks (time-ordered, non-overlapping); returns its id.
     *
     * @param chunkRefs refs from {@link ChunkSegmentWriter}, increasing across all series
     */
    public int addSeries(Labels labels, long[] chunkMins, long[] chunkMaxs, long[] chunkRefs, int numChunks)
            throws IOException {
        if (symbols == null) throw new IllegalStateException("symbols must be written first");
        if (postingsTmp != null) throw new IllegalStateException("series after postings");
        if (lastSeries != null && Utf8Order.compare(labels, lastSeries) <= 0) {
            throw new IllegalArgumentException("series " + labels + " not after " + lastSeries);
        }
        out.pad(SERIES_ALIGN);
        long id = out.position() / SERIES_ALIGN;
        if (id > Integer.MAX_VALUE) throw new IOException("index exceeds 32 GiB of series");

        series.reset();
        series.putUvarint(labels.size());
        for (int i = 0; i < labels.size(); i++) {
            series.putUvarint(symbolId(labels.name(i)));
            series.putUvarint(symbolId(labels.value(i)));
        }
        series.putUvarint(numChunks);
        long prevMax = 0;
        long prevRef = 0;
        for (int i = 0; i < numChunks; i++) {
            long mint = chunkMins[i];
            long maxt = chunkMaxs[i];
            if (maxt < mint || (i > 0 && mint <= prevMax)) {
                throw new IllegalArgumentException("chunks of " + labels + " overlap or are out of order at " + mint);
            }
            if (i == 0) {
                series.putVarint(mint);
                series.putUvarint(maxt - mint);
                series.putUvarint(chunkRefs[i]);
            } else {
                series.putUvarint(mint - prevMax);
                series.putUvarint(maxt - mint);
                series.putVarint(chunkRefs[i] - prevRef);
            }
            prevMax = maxt;
            prevRef = chunkRefs[i];
        }
        entry.reset();
        entry.putUvarint(series.length());
        out.write(entry);
        out.beginCrc();
        out.write(series);
        out.endCrc();
        lastSeries = labels;
        return (int) id;
    }

    /**
     * Adds the postings list of one label pair: ascending series ids. Pairs come in UTF-8 order
     * of name, then value; the first is ("", "") with every series.
     */
    public void addPostings(String name, String value, int[] ids, int n) throws IOException {
        if (postingsTmp == null) startPostings(name, value);
        else checkPairOrder(name, value);
        if (n == 0) throw new IllegalArgumentException("empty postings for " + name + "=" + value);
        if (!name.equals(lastName)) {
            writeLabelIndex();
            lastName = name;
        }
        lastValue = value;
        if (!name.isEmpty()) {
            if (numValues == valueSymbols.length) valueSymbols = Arrays.copyOf(valueSymbols, numValues * 2);
            valueSymbols[numValues++] = symbolId(value);
        }

        postingsTmp.pad(4); // Prometheus aligns each list to 4 bytes
        long rel = postingsTmp.position();
        postingsTmp.writeBE32(4 + 4 * n);
        postingsTmp.beginCrc();
        postingsTmp.writeBE32(n);
        for (int i = 0; i < n; i++) postingsTmp.writeBE32(ids[i]);
        postingsTmp.endCrc();

        entry.reset();
        entry.putUvarint(2);
        entry.putUvarintStr(name);
        entry.putUvarintStr(value);
        entry.putUvarint(rel);
        offsetsTmp.write(entry);
        numPostingsEntries++;
    }

    private void startPostings(String name, String value) throws IOException {
        if (!name.isEmpty() || !value.isEmpty()) {
            throw new IllegalArgumentException("the first postings must be the all-series key \"\"=\"\"");
        }
        postingsTmp = new FileOut(tmpPath("_tmp_p"));
        offsetsTmp = new FileOut(tmpPath("_tmp_po"));
        tocLabelIndices = out.position();
        lastName = "";
    }

    private void checkPairOrder(String name, String value) {
        int c = Utf8Order.compare(name, lastName);
        if (c < 0 || (c == 0 && Utf8Order.compare(value, lastValue) <= 0)) {
            throw new IllegalArgumentException("postings " + name + "=" + value + " not after "
                    + lastName + "=" + lastValue);
        }
    }

    /** The label index of the name just finished: the symbol ids of its values, in order. */
    private void writeLabelIndex() throws IOException {
        if (lastName == null || lastName.isEmpty() || numValues == 0) return;
        out.pad(4);
        labelIndexNames.add(lastName);
        labelIndexOffsets.add(out.position());
        int n = numValues;
        out.writeBE32(8 + 4 * n);
        out.beginCrc();
        out.writeBE32(1); // one label name per index, the only kind Prometheus writes
        out.writeBE32(n);
        for (int i = 0; i < n; i++) out.writeBE32(valueSymbols[i]);
        out.endCrc();
        numValues = 0;
    }

    /** Writes what remains after the postings, syncs and closes the index. */
    public void finish() throws IOException {
        if (postingsTmp == null) throw new IllegalStateException("no postings were added");
        writeLabelIndex();

        out.pad(4);
        tocPostings = out.position();
        postingsTmp.finish();
        out.append(postingsTmp.path());
        Files.delete(postingsTmp.path());

        tocLabelOffsetTable = out.position();
        long start = beginSized();
        out.writeBE32(labelIndexNames.size());
        for (int i = 0; i < labelIndexNames.size(); i++) {
            entry.reset();
            entry.putUvarint(1);
            entry.putUvarintStr(labelIndexNames.get(i));
            entry.putUvarint(labelIndexOffsets.get(i));
            out.write(entry);
        }
        endSized(start);

        tocPostingsOffsetTable = out.position();
        offsetsTmp.finish();
        start = beginSized();
        out.writeBE32((int) numPostingsEntries);
        copyOffsetTable(offsetsTmp.path(), tocPostings);
        endSized(start);
        Files.delete(offsetsTmp.path());

        out.beginCrc();
        for (long ref : new long[] {tocSymbols, tocSeries, tocLabelIndices, tocLabelOffsetTable,
                tocPostings, tocPostingsOffsetTable}) {
            out.writeBE32((int) (ref >>> 32));
            out.writeBE32((int) ref);
        }
        out.endCrc();
        out.finish();
    }

    /** Starts a section whose 4-byte length is only known at its end. */
    private long beginSized() throws IOException {
        long start = out.position();
        out.writeBE32(0);
        out.beginCrc();
        return start;
    }

    private void endSized(long start) throws IOException {
        long len = out.position() - start - 4;
        if (len > 0xFFFF_FFFFL) throw new IOException("index section of " + len + " bytes exceeds 4 GiB");
        out.endCrc();
        out.writeAt(start, new byte[] {(byte) (len >>> 24), (byte) (len >>> 16), (byte) (len >>> 8), (byte) len});
    }

    /** Re-encodes the temporary offset table with offsets relative to the postings section made absolute. */
    private void copyOffsetTable(Path tmp, long postingsStart) throws IOException {
        try (InputStream in = new BufferedInputStream(Files.newInputStream(tmp), 1 << 16)) {
            byte[] str = new byte[256];
            for (long i = 0; i < numPostingsEntries; i++) {
                entry.reset();
                entry.putUvarint(readUvarint(in)); // key count
                for (int k = 0; k < 2; k++) {
                    int n = (int) readUvarint(in);
                    if (n > str.length) str = new byte[Math.max(n, str.length * 2)];
                    if (in.readNBytes(str, 0, n) != n) throw new EOFException(tmp.toString());
                    entry.putUvarint(n);
                    entry.putBytes(str, 0, n);
                }
                entry.putUvarint(readUvarint(in) + postingsStart);
                out.write(entry);
            }
        }
    }

    private static long readUvarint(InputStream in) throws IOException {
        long x = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            int b = in.read();
            if (b < 0) throw new EOFException();
            x |= (long) (b & 0x7F) << shift;
            if ((b & 0x80) == 0) return x;
        }
        throw new IOException("uvarint overflows 64 bits");
    }

    private int symbolId(String s) {
        int id = symbols.id(s);
        if (id < 0) throw new IllegalArgumentException("symbol \"" + s + "\" is not in the symbol table");
        return id;
    }

    private Path tmpPath(String suffix) {
        return path.resolveSibling(path.getFileName() + suffix);
    }

    /** Abandons the index: closes files and removes the temporary ones. */
    @Override
    public void close() throws IOException {
        out.close();
        for (FileOut f : new FileOut[] {postingsTmp, offsetsTmp}) {
            if (f != null) {
                f.close();
                Files.deleteIfExists(f.path());
            }
        }
    }
}
