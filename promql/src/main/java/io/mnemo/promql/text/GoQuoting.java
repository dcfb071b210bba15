package io.mnemo.promql.text;

/**
 * Go's string and rune quoting ({@code strconv.Quote}, {@code %q}, {@code %#U}). Prometheus prints
 * strings, label values and error messages this way, and clients compare those texts.
 */
public final class GoQuoting {
    private GoQuoting() {}

    /** Double-quoted with Go escapes: {@code a"b} becomes {@code "a\"b"}. */
    public static String quote(String s) {
        StringBuilder sb = new StringBuilder(s.length() + 2).append('"');
        appendEscaped(sb, s, '"');
        return sb.append('"').toString();
    }

    /** Go's {@code %.Nq}: the first {@code maxRunes} code points of {@code s}, quoted. */
    public static String quoteTruncated(String s, int maxRunes) {
        int end = s.offsetByCodePoints(0, Math.min(maxRunes, s.codePointCount(0, s.length())));
        return quote(s.substring(0, end));
    }

    /** Go's {@code %q} of a rune: {@code 'x'}; end of input (-1) prints as the replacement char. */
    public static String quoteRune(int codePoint) {
        if (codePoint < 0) codePoint = 0xFFFD;
        StringBuilder sb = new StringBuilder("'");
        if (codePoint == '\'') {
            sb.append("\\'");
        } else {
            appendEscaped(sb, new String(Character.toChars(codePoint)), '\'');
        }
        return sb.append('\'').toString();
    }

    /** Go's {@code %#U}: {@code U+0063 'c'}, without the quoted rune when it is not printable. */
    public static String unicodeDescription(int codePoint) {
        String hex = String.format("U+%04X", codePoint);
        return isPrintable(codePoint) ? hex + " '" + new String(Character.toChars(codePoint)) + "'" : hex;
    }

    private static void appendEscaped(StringBuilder sb, String s, char quote) {
        for (int i = 0; i < s.length(); ) {
            int c = s.codePointAt(i);
            i += Character.charCount(c);
            if (c >= 0xDC80 && c <= 0xDCFF) {
                // A byte that was not valid UTF-8 (see Literals.unquote): Go prints it as \xNN.
                sb.append(String.format("\\x%02x", c - 0xDC00));
            } else if (c == quote || c == '\\') {
                sb.append('\\').appendCodePoint(c);
            } else if (isPrintable(c)) {
                sb.appendCodePoint(c);
            } else {
                switch (c) {
                    case 0x07 -> sb.append("\\a");
                    case '\b' -> sb.append("\\b");
                    case '\f' -> sb.append("\\f");
                    case '\n' -> sb.append("\\n");
                    case '\r' -> sb.append("\\r");
                    case '\t' -> sb.append("\\t");
                    case 0x0B -> sb.append("\\v");
                    default -> {
                        if (c < ' ' || c == 0x7F) sb.append(String.format("\\x%02x", c));
                        else if (c < 0x10000) sb.append(String.format("\\u%04x", c));
                        else sb.append(String.format("\\U%08x", c));
                    }
                }
            }
        }
    }

    /** Approximates Go's unicode.IsPrint: graphic characters and the ASCII space. */
    static boolean isPrintable(int c) {
        if (c == ' ') return true;
        return switch (Character.getType(c)) {
            case Character.CONTROL, Character.FORMAT, Character.SURROGATE, Character.UNASSIGNED,
                 Character.PRIVATE_USE, Character.LINE_SEPARATOR, Character.PARAGRAPH_SEPARATOR,
                 Character.SPACE_SEPARATOR -> false;
            default -> true;
        };
    }
}
