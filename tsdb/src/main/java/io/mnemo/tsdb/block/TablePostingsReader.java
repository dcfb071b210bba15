package io.mnemo.tsdb.block;

import io.mnemo.tsdb.index.IndexPostingsReader;
import io.mnemo.tsdb.index.Postings;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.Predicate;

/**
 * A block's inverted index as {@link io.mnemo.tsdb.index.PostingsForMatchers} reads it: label
 * pairs are looked up in the {@link IndexTables}, and the postings lists they point at are read
 * by a {@link PostingsLists}, from the mapped index ({@link IndexReader}) or by ranged reads of an
 * index in object storage (the bucket store), which gets all the lists a matcher needs at once.
 */
public final class TablePostingsReader implements IndexPostingsReader {
    private final IndexTables tables;
    private final PostingsLists lists;

    /** Reads postings lists by their ranges in the index. */
    @FunctionalInterface
    public interface PostingsLists {
        /**
         * The postings lists at these ranges (ascending, as {@link IndexTables} gives them), in the
         * same order, each decoded by {@link IndexFormat#readPostings}.
         */
        List<int[]> read(List<IndexTables.PostingsRange> ranges) throws IOException;
    }

    public TablePostingsReader(IndexTables tables, PostingsLists lists) {
        this.tables = tables;
        this.lists = lists;
    }

    /** Ids of every series in the block, ascending: the postings of the empty label pair. */
    @Override
    public int[] allPostings() {
        return postingsOf("", "");
    }

    @Override
    public int[] postings(String name, String value) {
        return name.isEmpty() ? Postings.EMPTY : postingsOf(name, value);
    }

    private int[] postingsOf(String name, String value) {
        IndexTables.PostingsRange r = tables.postingsRange(name, value);
        return r == null ? Postings.EMPTY : read(List.of(r)).get(0);
    }

    /** The lists of all the values are read at once (in the index's order, whatever the values' order). */
    @Override
    public List<int[]> postings(String name, List<String> values) {
        IndexTables.PostingsRange[] ranges = new IndexTables.PostingsRange[values.size()];
        TreeSet<IndexTables.PostingsRange> distinct = new TreeSet<>();
        for (int i = 0; i < ranges.length; i++) {
            ranges[i] = name.isEmpty() ? null : tables.postingsRange(name, values.get(i));
            if (ranges[i] != null) distinct.add(ranges[i]);
        }
        List<IndexTables.PostingsRange> sorted = new ArrayList<>(distinct);
        List<int[]> lists = sorted.isEmpty() ? List.of() : read(sorted);
        Map<Long, int[]> byStart = new HashMap<>();
        for (int i = 0; i < sorted.size(); i++) byStart.put(sorted.get(i).start(), lists.get(i));
        List<int[]> out = new ArrayList<>(ranges.length);
        for (IndexTables.PostingsRange r : ranges) out.add(r == null ? Postings.EMPTY : byStart.get(r.start()));
        return out;
    }

    @Override
    public int[] postingsForValues(String name, String prefix, String except, Predicate<String> accept) {
        List<IndexTables.PostingsRange> ranges = tables.postingsRanges(name, prefix, except, accept);
        return ranges.isEmpty() ? Postings.EMPTY : Postings.union(read(ranges));
    }

    private List<int[]> read(List<IndexTables.PostingsRange> ranges) {
        try {
            return lists.read(ranges);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public List<String> labelNames() { return tables.labelNames(); }

    @Override
    public List<String> labelValues(String name) { return tables.labelValues(name); }
}
