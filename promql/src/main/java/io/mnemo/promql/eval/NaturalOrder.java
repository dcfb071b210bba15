package io.mnemo.promql.eval;

import java.util.ArrayList;
import java.util.List;

/**
 * The natural string order sort_by_label uses: strings are split into runs of digits and of
 * other characters; digit runs compare as numbers (when they fit in an int64), others as text.
 */
final class NaturalOrder {
    private NaturalOrder() {}

    /** Whether a sorts before b. */
    static boolean less(String a, String b) {
        List<String> ca = chunks(a);
        List<String> cb = chunks(b);
        for (int i = 0; i < ca.size(); i++) {
            if (i >= cb.size()) return false;
            String x = ca.get(i);
            String y = cb.get(i);
            Long nx = number(x);
            Long ny = number(y);
            if (nx != null && ny != null) {
                if (nx.equals(ny)) {
                    if (i == ca.size() - 1) return true;
                    if (i == cb.size() - 1) return false;
                    continue;
                }
                return nx < ny;
            }
            if (x.equals(y)) {
                if (i == ca.size() - 1) return true;
                if (i == cb.size() - 1) return false;
                continue;
            }
            return x.compareTo(y) < 0;
        }
        return false;
    }

    private static List<String> chunks(String s) {
        List<String> out = new ArrayList<>();
        int i = 0;
        while (i < s.length()) {
            boolean digit = isDigit(s.charAt(i));
            int j = i + 1;
            while (j < s.length() && isDigit(s.charAt(j)) == digit) j++;
            out.add(s.substring(i, j));
            i = j;
        }
        return out;
    }

    private static boolean isDigit(char c) { return c >= '0' && c <= '9'; }

    private static Long number(String s) {
        if (!isDigit(s.charAt(0))) return null;
        try {
            return Long.parseLong(s);
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
