package io.mnemo.tsdb.block;

import io.mnemo.tsdb.index.IndexPostingsReader;

import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.function.Predicate;

/**
 * Reads a block's index (format v2) from a mapped file. Opening checks the magic, the version and
 * the checksums of the table of contents, the symbol table and the postings offset table, and
 * keeps in memory only what lookups need to start from ({@link IndexTables}). Postings lists and
 * series entries are checksummed as they are read ({@link IndexFormat}). Matchers resolve through
 * {@link io.mnemo.tsdb.index.PostingsForMatchers}, as the head's do.
 *
 * <p>Immutable after opening and safe for concurrent use. Public for the compactor, which walks
 * every series of its input blocks ({@link #open}, {@link #symbols}, {@link #series}).
 */
public final class IndexReader implements IndexPostingsReader, Closeable {
    static final int TOC_SIZE = IndexFormat.TOC_SIZE;

    private final MappedFile f;
    private final IndexFormat.Toc toc;
    private final IndexTables tables;
    private final TablePostingsReader postings;

    /** Maps and checks the index file of a block; close it to unmap. */
    public static IndexReader open(Path indexFile) throws IOException {
        MappedFile f = MappedFile.open(indexFile, MappedFile.DEFAULT_SLICE_SHIFT);
        try {
            return new IndexReader(f);
        } catch (IOException | RuntimeException e) {
            f.close();
            throw e;
        }
    }

    IndexReader(MappedFile f) throws IOException {
        this.f = f;
        if (f.size() < IndexFormat.HEADER_SIZE + TOC_SIZE) throw new IOException(f.path() + ": too small for an index (" + f.size() + " bytes)");
        IndexFormat.checkHeader(f);
        toc = IndexFormat.readToc(f, f.size());
        tables = new IndexTables(f, toc.symbols(), toc.postingsOffsetTable(), toc.labelOffsetTable());
        postings = new TablePostingsReader(tables, ranges -> {
            List<int[]> out = new ArrayList<>(ranges.size());
            for (IndexTables.PostingsRange r : ranges) out.add(IndexFormat.readPostings(f, r.start()));
            return out;
        });
    }

    /** Sorted label names (Java order), as Querier.labelNames returns them. */
    @Override
    public List<String> labelNames() { return tables.labelNames(); }

    /** Sorted values (Java order) of a label name; empty if unknown. */
    @Override
    public List<String> labelValues(String name) { return tables.labelValues(name); }

    /** Ids of every series in the block, ascending: the postings of the empty label pair. */
    @Override
    public int[] allPostings() { return postings.allPostings(); }

    /** Ids of the series with name=value, ascending; empty if none. */
    @Override
    public int[] postings(String name, String value) { return postings.postings(name, value); }

    @Override
    public int[] postingsForValues(String name, String prefix, String except, Predicate<String> accept) {
        return postings.postingsForValues(name, prefix, except, accept);
    }

    /** Decodes the series with this id into {@code out}; labels only when {@code withChunks} is false. */
    public void series(int id, SeriesEntry out, boolean withChunks) throws IOException {
        long at = IndexFormat.seriesPosition(f.name(), id, toc.series(), toc.labelIndices());
        IndexFormat.readSeries(f, at, tables, out, withChunks);
    }

    String symbol(int id) throws IOException {
        return tables.symbol(id);
    }

    /** The symbol table in its order (UTF-8 byte order), read one symbol at a time. */
    public Iterator<String> symbols() {
        return tables.symbols();
    }

    @Override
    public void close() {
        f.close();
    }
}
