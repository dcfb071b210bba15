package io.mnemo.promql.eval;

/**
 * Translates the Go (RE2) regular expressions of PromQL into Java's syntax where the two differ:
 * named groups {@code (?P<name>...)}, and braces that are not a repetition (literal in Go, an
 * error in Java).
 */
final class GoRegex {
    private GoRegex() {}

    static String toJava(String re) {
        StringBuilder out = new StringBuilder(re.length() + 8);
        boolean inClass = false;
        for (int i = 0; i < re.length(); i++) {
            char c = re.charAt(i);
            if (c == '\\' && i + 1 < re.length()) {
                out.append(c).append(re.charAt(++i));
                continue;
            }
            if (inClass) {
                if (c == ']') inClass = false;
                out.append(c);
                continue;
            }
            if (c == '[') {
                inClass = true;
                out.append(c);
                if (i + 1 < re.length() && re.charAt(i + 1) == '^') out.append(re.charAt(++i));
                if (i + 1 < re.length() && re.charAt(i + 1) == ']') {
                    // A leading ']' is a literal in Go.
                    out.append("\\]");
                    i++;
                }
                continue;
            }
            if (c == '(' && re.startsWith("(?P<", i)) {
                out.append("(?<");
                i += 3;
                continue;
            }
            if (c == '{' && !isRepetition(re, i)) {
                out.append("\\{");
                continue;
            }
            if (c == '}' && !closesRepetition(re, i)) {
                out.append("\\}");
                continue;
            }
            out.append(c);
        }
        return out.toString();
    }

    private static boolean isRepetition(String re, int open) {
        int close = re.indexOf('}', open);
        if (close < 0 || open == 0) return false;
        return re.substring(open + 1, close).matches("\\d+(,\\d*)?");
    }

    private static boolean closesRepetition(String re, int close) {
        int open = re.lastIndexOf('{', close);
        return open > 0 && re.substring(open + 1, close).matches("\\d+(,\\d*)?");
    }
}
