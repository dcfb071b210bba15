package io.mnemo.promql.text;

/**
 * Prometheus 3's UTF-8 name scheme, which Mnemo applies everywhere: a label or metric name is any
 * non-empty valid UTF-8 string. Strings here hold invalid UTF-8 bytes as lone surrogates (see
 * {@link io.mnemo.promql.parser.Literals#unquote}), so valid UTF-8 means no lone surrogate.
 */
public final class LabelNames {
    private static final String ESCAPED_PREFIX = "U__";

    private LabelNames() {}

    /** Whether a label or metric name is valid (Prometheus's {@code model.UTF8Validation.IsValidLabelName}). */
    public static boolean isValid(String name) {
        if (name.isEmpty()) return false;
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < name.length() && Character.isLowSurrogate(name.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                return false;
            }
        }
        return true;
    }

    /**
     * A name as Prometheus's value-encoding escaping writes it where only legacy characters fit
     * (a URL path segment of {@code /api/v1/label/<name>/values}): {@code U__} then the name with
     * {@code _} doubled and every other character outside {@code [a-zA-Z0-9]} as {@code _<hex>_}
     * (so {@code U__a_2e_b} is {@code a.b}). Anything that is not such an encoding, or encodes
     * a code point that is not a valid rune, is returned unchanged, as Prometheus's
     * {@code model.UnescapeName(name, ValueEncodingEscaping)} does.
     */
    public static String unescape(String name) {
        if (!name.startsWith(ESCAPED_PREFIX)) return name;
        String escaped = name.substring(ESCAPED_PREFIX.length());
        StringBuilder out = new StringBuilder(escaped.length());
        int i = 0;
        while (i < escaped.length()) {
            char c = escaped.charAt(i);
            if (c != '_') {
                out.append(c);
                i++;
                continue;
            }
            i++;
            if (i >= escaped.length()) return name;
            if (escaped.charAt(i) == '_') {
                out.append('_');
                i++;
                continue;
            }
            // _<hex>_: at most six hex digits, the most a code point needs.
            int codePoint = 0;
            int digits = 0;
            while (true) {
                if (i >= escaped.length() || digits >= 6) return name;
                char h = escaped.charAt(i++);
                if (h == '_') break;
                int d = Character.digit(h, 16);
                if (d < 0 || h > 'f') return name;
                codePoint = codePoint * 16 + d;
                digits++;
            }
            if (codePoint > Character.MAX_CODE_POINT
                    || (codePoint >= Character.MIN_SURROGATE && codePoint <= Character.MAX_SURROGATE)) {
                return name;
            }
            out.appendCodePoint(codePoint);
        }
        return out.toString();
    }
}
