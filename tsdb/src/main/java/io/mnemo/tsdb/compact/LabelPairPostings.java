package io.mnemo.tsdb.compact;

import io.mnemo.tsdb.Labels;
import io.mnemo.tsdb.block.IndexWriter;
import io.mnemo.tsdb.block.SymbolIndex;
import io.mnemo.tsdb.index.IntList;

import java.io.IOException;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * The postings of the block being written, collected as its series are: per label pair the ids of
 * the output series that carry it, in the order they were written (so ascending). Keyed by the
 * pair's two numbers in the frozen symbol table, whose order is the UTF-8 order of the symbols,
 * so sorting the keys sorts the pairs as the index wants them. Memory is the output's postings
 * (4 bytes per label of each series) plus one entry per distinct pair.
 */
final class LabelPairPostings {
    private final SymbolIndex symbols;
    private final String[] sorted;
    private final Map<Long, IntList> byPair = new HashMap<>();
    private final IntList all = new IntList(1024);

    LabelPairPostings(SymbolIndex frozen) {
        this.symbols = frozen;
        this.sorted = frozen.freeze();
    }

    void add(Labels labels, int id) {
        all.add(id);
        for (int i = 0; i < labels.size(); i++) {
            long key = (long) symbols.id(labels.name(i)) << 32 | symbols.id(labels.value(i));
            byPair.computeIfAbsent(key, k -> new IntList()).add(id);
        }
    }

    int numSeries() { return all.size(); }

    /** Writes the all-series list, then every pair's list in (name, value) order. */
    void writeTo(IndexWriter iw) throws IOException {
        iw.addPostings("", "", all.toArray(), all.size());
        long[] keys = new long[byPair.size()];
        int n = 0;
        for (Long k : byPair.keySet()) keys[n++] = k;
        Arrays.sort(keys);
        for (long k : keys) {
            IntList ids = byPair.remove(k);
            iw.addPostings(sorted[(int) (k >>> 32)], sorted[(int) k], ids.toArray(), ids.size());
        }
    }
}
