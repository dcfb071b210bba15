package io.mnemo.tsdb.head;

import io.mnemo.tsdb.Labels;

import java.util.HashMap;
import java.util.Map;

/**
 * Interns label names and values, so the millions of series of a head that repeat the same
 * names and values ("job", "instance", "prod") hold one shared String each.
 */
public final class SymbolTable {
    private final Map<String, String> symbols = new HashMap<>();

    public String intern(String s) {
        String existing = symbols.putIfAbsent(s, s);
        return existing != null ? existing : s;
    }

    /** An equal label set whose strings are all interned. */
    public Labels intern(Labels labels) {
        String[] kv = new String[labels.size() * 2];
        for (int i = 0; i < labels.size(); i++) {
            kv[2 * i] = intern(labels.name(i));
            kv[2 * i + 1] = intern(labels.value(i));
        }
        return Labels.wrapSorted(kv);
    }

    public int size() { return symbols.size(); }
}
