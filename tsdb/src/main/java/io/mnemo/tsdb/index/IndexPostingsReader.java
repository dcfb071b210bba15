package io.mnemo.tsdb.index;

import java.util.List;
import java.util.function.Predicate;

/**
 * An inverted index as {@link PostingsForMatchers} reads it (Prometheus's {@code IndexPostingsReader}):
 * label pair → postings, the ascending refs of the series that carry the pair. The head's
 * {@link MemPostings} and a block's index implement it, so both resolve matchers with one
 * algorithm and the same answers.
 *
 * <p>Values of a name are sorted in the index (by UTF-16 code units in the head, by UTF-8 bytes
 * in a block), so the values starting with a literal prefix are one contiguous range in either
 * order, and the prefix itself, when present, is the first of them. I/O errors and damage a
 * block finds while reading surface as {@link java.io.UncheckedIOException}.
 */
public interface IndexPostingsReader {
    /** Refs of every series, ascending. */
    int[] allPostings();

    /** Refs of the series with {@code name="value"}, ascending; empty if none. */
    int[] postings(String name, String value);

    /**
     * The postings of {@code name=v} for each of the values, in their order (empty where none):
     * an index that reads postings from storage fetches them together.
     */
    default List<int[]> postings(String name, List<String> values) {
        List<int[]> out = new java.util.ArrayList<>(values.size());
        for (String v : values) out.add(postings(name, v));
        return out;
    }

    /**
     * Union of the postings of the values of {@code name} that start with {@code prefix} ("" for
     * every value), other than {@code except} (null: none), for which {@code accept} holds
     * (null: every one). Walks only the prefix's range of values, and an index that does not
     * hold its values as strings (a block) makes one for {@code accept} only.
     */
    int[] postingsForValues(String name, String prefix, String except, Predicate<String> accept);

    /** Sorted label names in use. */
    List<String> labelNames();

    /** Sorted values in use for a label name; empty if unknown. */
    List<String> labelValues(String name);
}
