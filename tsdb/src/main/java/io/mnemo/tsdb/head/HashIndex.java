package io.mnemo.tsdb.head;

import java.util.Arrays;

/**
 * Int ids by a 32-bit hash of what they stand for (a label set, a string), several ids per hash
 * allowed: the caller walks the ids of a hash and checks each one itself. One long per slot
 * (hash and id together) in an open-addressing table with linear probing, so a lookup touches
 * one array and compares hashes before it looks at any candidate, and removal shifts entries
 * back instead of leaving tombstones.
 *
 * <p>Walk the candidates of a hash without allocating:
 * <pre>
 * for (int i = index.first(hash); i >= 0; i = index.next(i, hash)) {
 *     if (isIt(index.id(i))) return index.id(i);
 * }
 * </pre>
 */
final class HashIndex {
    private static final long FREE = -1L; // id -1: no id is negative

    private long[] slots;
    private int shift; // 64 - log2(slots.length), for Fibonacci hashing
    private int size;

    HashIndex() {
        slots = new long[16];
        Arrays.fill(slots, FREE);
        shift = 64 - 4;
    }

    int size() { return size; }

    /** Slot of the first id stored under {@code hash}, or -1. */
    int first(int hash) {
        return scan(home(hash), hash);
    }

    /** Slot of the next id stored under {@code hash} after slot {@code i}, or -1. */
    int next(int i, int hash) {
        return scan((i + 1) & (slots.length - 1), hash);
    }

    /** The id in a slot that {@link #first} or {@link #next} returned. */
    int id(int slot) {
        return (int) slots[slot];
    }

    void add(int hash, int id) {
        if (id < 0) throw new IllegalArgumentException("negative id " + id);
        if (size + 1 > slots.length - (slots.length >> 2)) resize(slots.length * 2); // at most 3/4 full
        insert(entry(hash, id));
        size++;
    }

    /** Removes one occurrence of the id under the hash; false when absent. */
    boolean remove(int hash, int id) {
        long e = entry(hash, id);
        int mask = slots.length - 1;
        for (int i = home(hash); slots[i] != FREE; i = (i + 1) & mask) {
            if (slots[i] == e) {
                deleteAt(i);
                size--;
                if (slots.length > 16 && size < slots.length >> 3) resize(slots.length >> 1); // give memory back
                return true;
            }
        }
        return false;
    }

    private int scan(int i, int hash) {
        int mask = slots.length - 1;
        for (long e; (e = slots[i]) != FREE; i = (i + 1) & mask) {
            if ((int) (e >>> 32) == hash) return i;
        }
        return -1;
    }

    private int home(int hash) {
        return (int) ((hash * 0x9E3779B97F4A7C15L) >>> shift);
    }

    private static long entry(int hash, int id) {
        return ((long) hash << 32) | (id & 0xFFFFFFFFL);
    }

    private void insert(long e) {
        int mask = slots.length - 1;
        int i = home((int) (e >>> 32));
        while (slots[i] != FREE) i = (i + 1) & mask;
        slots[i] = e;
    }

    /** Empties slot i and moves back later entries of its probe run that may no longer be found. */
    private void deleteAt(int i) {
        int mask = slots.length - 1;
        int j = i;
        while (true) {
            j = (j + 1) & mask;
            long e = slots[j];
            if (e == FREE) break;
            int h = home((int) (e >>> 32));
            // Entry at j stays only if its home lies cyclically in (i, j].
            boolean stays = i <= j ? (i < h && h <= j) : (i < h || h <= j);
            if (!stays) {
                slots[i] = e;
                i = j;
            }
        }
        slots[i] = FREE;
    }

    private void resize(int capacity) {
        long[] old = slots;
        slots = new long[capacity];
        Arrays.fill(slots, FREE);
        shift = 64 - Integer.numberOfTrailingZeros(capacity);
        for (long e : old) if (e != FREE) insert(e);
    }
}
