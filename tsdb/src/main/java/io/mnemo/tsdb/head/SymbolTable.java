package io.mnemo.tsdb.head;

import io.mnemo.tsdb.Labels;
import io.mnemo.tsdb.Utf8;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The label names and values of a head's series, each held once and numbered, so that millions
 * of series repeating the same strings ("job", "instance", "prod") store small ids instead. A
 * symbol counts the label occurrences of live series that use it and is dropped when the last
 * one goes; its id is then reused.
 *
 * <p>Not thread-safe: owned by the head's thread.
 */
public final class SymbolTable {
    private String[] strings = new String[64]; // by id; null for a free id
    private int[] uses = new int[64];          // label occurrences in live series, by id
    private int[] freeIds = new int[16];
    private int numFree;
    private int nextId;                        // ids at and above have never been used
    private final HashIndex byHash = new HashIndex();

    /**
     * The table's instance of a string equal to {@code s}, which is added if absent. A string
     * added this way and not used by any series is dropped at the next {@link #sweep}.
     */
    public String intern(String s) {
        int id = id(s);
        return id >= 0 ? strings[id] : strings[add(s)];
    }

    /** An equal label set whose strings are the table's instances (see {@link #intern(String)}). */
    public Labels intern(Labels labels) {
        String[] kv = new String[labels.size() * 2];
        for (int i = 0; i < labels.size(); i++) {
            kv[2 * i] = intern(labels.name(i));
            kv[2 * i + 1] = intern(labels.value(i));
        }
        return Labels.wrapSorted(kv);
    }

    /** Symbols held. */
    public int size() { return byHash.size(); }

    /** The id of a string, or -1 when it is not in the table. */
    public int id(String s) {
        int h = s.hashCode();
        for (int i = byHash.first(h); i >= 0; i = byHash.next(i, h)) {
            int id = byHash.id(i);
            if (strings[id].equals(s)) return id;
        }
        return -1;
    }

    /**
     * The id of the string that {@code utf8[off, off+len)} encodes, or -1 when it is not in the
     * table; makes no String.
     */
    public int id(byte[] utf8, int off, int len) {
        int h = Utf8.stringHashCode(utf8, off, len);
        for (int i = byHash.first(h); i >= 0; i = byHash.next(i, h)) {
            int id = byHash.id(i);
            if (Utf8.equals(utf8, off, len, strings[id])) return id;
        }
        return -1;
    }

    /** The string of a live id. */
    public String symbol(int id) {
        return strings[id];
    }

    /** Every symbol, in no particular order. */
    public List<String> symbols() {
        List<String> out = new ArrayList<>(size());
        for (int id = 0; id < nextId; id++) if (strings[id] != null) out.add(strings[id]);
        return out;
    }

    /** Every id in use is below this. */
    int idLimit() { return nextId; }

    /** The id of {@code s}, added if absent, with one more use. */
    int acquire(String s) {
        int id = id(s);
        if (id < 0) id = add(s);
        uses[id]++;
        return id;
    }

    /** One use of an id less; the symbol goes when none is left. */
    void release(int id) {
        if (--uses[id] == 0) drop(id);
    }

    /** Drops the symbols no series uses (those only {@link #intern(String) interned}). */
    void sweep() {
        for (int id = 0; id < nextId; id++) {
            if (strings[id] != null && uses[id] == 0) drop(id);
        }
    }

    private int add(String s) {
        int id;
        if (numFree > 0) {
            id = freeIds[--numFree];
        } else {
            id = nextId++;
            if (id == strings.length) {
                strings = Arrays.copyOf(strings, id * 2);
                uses = Arrays.copyOf(uses, id * 2);
            }
        }
        strings[id] = s;
        uses[id] = 0;
        byHash.add(s.hashCode(), id);
        return id;
    }

    private void drop(int id) {
        String s = strings[id];
        byHash.remove(s.hashCode(), id);
        strings[id] = null;
        if (numFree == freeIds.length) freeIds = Arrays.copyOf(freeIds, numFree * 2);
        freeIds[numFree++] = id;
    }
}
