package io.mnemo.tsdb.head;

import java.util.Arrays;

/**
 * Sorts head series by their labels, as {@link io.mnemo.tsdb.Labels#compareTo} orders them. A
 * few series are compared through their packed labels directly. Many are first given integer
 * keys: the distinct symbols of the selection are sorted once and each replaced by its rank,
 * after which comparing two series is comparing two int arrays, instead of decoding ids and
 * comparing strings a hundred thousand times for 10,000 series.
 */
final class LabelOrder {
    /** Below this many series, ranking the symbols costs more than it saves. */
    static final int RANKED_FROM = 256;

    private LabelOrder() {}

    static void sort(MemSeries[] series, SymbolTable symbols) {
        if (series.length < RANKED_FROM) {
            Arrays.sort(series, (a, b) -> PackedLabels.compare(a.packedLabels(), b.packedLabels(), symbols));
            return;
        }
        // The distinct symbol ids of the selection, each once.
        int[] rank = new int[symbols.idLimit()];
        int[] ids = new int[64];
        int distinct = 0;
        int[][] keys = new int[series.length][];
        for (int i = 0; i < series.length; i++) {
            int[] key = PackedLabels.ids(series[i].packedLabels());
            keys[i] = key;
            for (int id : key) {
                if (rank[id] != 0) continue;
                rank[id] = -1;
                if (distinct == ids.length) ids = Arrays.copyOf(ids, distinct * 2);
                ids[distinct++] = id;
            }
        }
        String[] strings = new String[distinct];
        for (int i = 0; i < distinct; i++) strings[i] = symbols.symbol(ids[i]);
        Arrays.sort(strings);
        for (int i = 0; i < distinct; i++) rank[symbols.id(strings[i])] = i;
        // Keys become rank sequences; Arrays.compare orders them as Labels order label sets
        // (pair by pair, a prefix first).
        Ranked[] ranked = new Ranked[series.length];
        for (int i = 0; i < series.length; i++) {
            int[] key = keys[i];
            for (int k = 0; k < key.length; k++) key[k] = rank[key[k]];
            ranked[i] = new Ranked(key, series[i]);
        }
        Arrays.sort(ranked, (a, b) -> Arrays.compare(a.key, b.key));
        for (int i = 0; i < series.length; i++) series[i] = ranked[i].series;
    }

    private record Ranked(int[] key, MemSeries series) {}
}
