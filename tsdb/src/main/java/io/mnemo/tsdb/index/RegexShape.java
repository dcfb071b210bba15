package io.mnemo.tsdb.index;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * What an (anchored, DOTALL) label-matcher regex reduces to, so that postings lookups can skip
 * running it over every label value, as Prometheus does for its common shapes:
 * <ul>
 *   <li>{@link Kind#LITERALS}: {@code foo} or {@code a|b|c} (optionally in one group) matches
 *       exactly a set of strings: look each one up;</li>
 *   <li>{@link Kind#PREFIX}: {@code foo.*} (or {@code foo.+}) matches everything starting with a
 *       literal: scan one sorted range of values;</li>
 *   <li>{@link Kind#GENERAL}: anything else; {@link #prefix()} is still a literal every match
 *       starts with (possibly empty), to narrow the values the regex runs on.</li>
 * </ul>
 * The analysis is conservative: whatever it does not fully understand is GENERAL with no prefix.
 */
public final class RegexShape {
    public enum Kind { LITERALS, PREFIX, GENERAL }

    private final Kind kind;
    private final List<String> literals;
    private final Set<String> literalSet;
    private final String prefix;
    private final boolean nonEmptySuffix;

    private RegexShape(Kind kind, List<String> literals, String prefix, boolean nonEmptySuffix) {
        this.kind = kind;
        this.literals = literals;
        this.literalSet = Set.copyOf(literals);
        this.prefix = prefix;
        this.nonEmptySuffix = nonEmptySuffix;
    }

    public Kind kind() { return kind; }

    /** For LITERALS: the exact strings matched. */
    public List<String> literals() { return literals; }

    /** For LITERALS: whether {@code v} is one of the strings matched. */
    public boolean isLiteral(String v) { return literalSet.contains(v); }

    /** For PREFIX and GENERAL: a literal every match starts with. */
    public String prefix() { return prefix; }

    /** For PREFIX: whether at least one character must follow the prefix ({@code .+}). */
    public boolean nonEmptySuffix() { return nonEmptySuffix; }

    /** For PREFIX: whether the regex matches {@code v}, without running it. */
    public boolean prefixMatches(String v) {
        return v.startsWith(prefix) && (!nonEmptySuffix || v.length() > prefix.length());
    }

    public static RegexShape of(String regex) {
        // \Q..\E quotes meta characters and character classes hide them: too subtle to split.
        boolean splittable = !regex.contains("\\Q") && regex.indexOf('[') < 0;
        if (splittable) {
            String body = stripOuterGroup(regex);
            List<String> alternatives = splitTopLevel(body);
            if (alternatives == null) return general("");
            if (alternatives.size() > 1) {
                List<String> lits = new ArrayList<>(alternatives.size());
                for (String alt : alternatives) {
                    StringBuilder sb = new StringBuilder();
                    if (literalRun(alt, sb) != alt.length()) return general("");
                    lits.add(sb.toString());
                }
                return new RegexShape(Kind.LITERALS, List.copyOf(lits), "", false);
            }
            regex = body;
        } else if (regex.contains("\\Q") || regex.indexOf('|') >= 0) {
            return general("");
        }
        StringBuilder sb = new StringBuilder();
        int end = literalRun(regex, sb);
        String lit = sb.toString();
        if (end == regex.length()) return new RegexShape(Kind.LITERALS, List.of(lit), "", false);
        String rest = regex.substring(end);
        if (rest.equals(".*")) return new RegexShape(Kind.PREFIX, List.of(), lit, false);
        if (rest.equals(".+")) return new RegexShape(Kind.PREFIX, List.of(), lit, true);
        // A quantifier right after the run makes its last atom optional or repeated.
        char c = rest.charAt(0);
        if ((c == '*' || c == '?' || c == '{' || c == '+') && !lit.isEmpty()) {
            lit = lit.substring(0, lit.length() - 1);
        }
        return general(lit);
    }

    private static RegexShape general(String prefix) {
        return new RegexShape(Kind.GENERAL, List.of(), prefix, false);
    }

    /**
     * Appends the literal characters at the start of {@code s} (escaped punctuation included)
     * and returns where the run stops.
     */
    private static int literalRun(String s, StringBuilder out) {
        int i = 0;
        while (i < s.length()) {
            char c = s.charAt(i);
            if (c == '\\') {
                if (i + 1 >= s.length()) return i;
                char e = s.charAt(i + 1);
                if (Character.isLetterOrDigit(e)) return i; // \d, \w, \1, \n...: not a plain char
                out.append(e);
                i += 2;
            } else if (isMeta(c)) {
                return i;
            } else {
                out.append(c);
                i++;
            }
        }
        return i;
    }

    private static boolean isMeta(char c) {
        return switch (c) {
            case '.', '^', '$', '|', '?', '*', '+', '(', ')', '[', ']', '{', '}' -> true;
            default -> false;
        };
    }

    /** {@code (x)} or {@code (?:x)} spanning the whole string becomes x. */
    private static String stripOuterGroup(String s) {
        int open;
        if (s.startsWith("(?:")) open = 3;
        else if (s.startsWith("(") && !s.startsWith("(?")) open = 1;
        else return s;
        if (!s.endsWith(")")) return s;
        int depth = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\') { i++; continue; }
            if (c == '(') depth++;
            else if (c == ')' && --depth == 0) {
                return i == s.length() - 1 ? s.substring(open, s.length() - 1) : s;
            }
        }
        return s;
    }

    /** Alternatives at parenthesis depth 0, or null when the parentheses do not balance. */
    private static List<String> splitTopLevel(String s) {
        List<String> out = new ArrayList<>();
        int depth = 0;
        int start = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\') { i++; continue; }
            if (c == '(') depth++;
            else if (c == ')' && --depth < 0) return null;
            else if (c == '|' && depth == 0) {
                out.add(s.substring(start, i));
                start = i + 1;
            }
        }
        if (depth != 0) return null;
        out.add(s.substring(start));
        return out;
    }
}
