package io.mnemo.tsdb.block;

import io.mnemo.tsdb.Labels;

import java.util.Comparator;

/**
 * Orders strings as their UTF-8 bytes compare, which is how Prometheus (Go) sorts symbols,
 * label values and series in a block: the index's readers binary-search on that order. It equals
 * Java's {@link String#compareTo} except between supplementary characters (surrogate pairs) and
 * U+E000..U+FFFF, which UTF-16 orders the other way round.
 */
public final class Utf8Order {
    public static final Comparator<String> STRINGS = Utf8Order::compare;
    public static final Comparator<Labels> LABELS = Utf8Order::compare;

    private Utf8Order() {}

    public static int compare(String a, String b) {
        int n = Math.min(a.length(), b.length());
        for (int i = 0; i < n; i++) {
            char ca = a.charAt(i);
            char cb = b.charAt(i);
            if (ca != cb) {
                if (ca >= 0xD800 && cb >= 0xD800) return codePointRank(ca) - codePointRank(cb);
                return ca - cb;
            }
        }
        return a.length() - b.length();
    }

    /** Pair by pair, name then value, then the shorter set first: Prometheus's labels.Compare. */
    public static int compare(Labels a, Labels b) {
        int n = Math.min(a.size(), b.size());
        for (int i = 0; i < n; i++) {
            int c = compare(a.name(i), b.name(i));
            if (c != 0) return c;
            c = compare(a.value(i), b.value(i));
            if (c != 0) return c;
        }
        return a.size() - b.size();
    }

    /** Moves surrogates above U+E000..U+FFFF, as the code points they encode are. */
    private static int codePointRank(char c) {
        return c >= 0xE000 ? c - 0x800 : c + 0x2000;
    }
}
