package io.mnemo.tsdb;

import java.util.Objects;
import java.util.regex.Pattern;

/** One label matcher of a selector: {@code name op "value"} with op one of = != =~ !~. */
public final class LabelMatcher {
    public enum Type {
        EQUAL("="), NOT_EQUAL("!="), REGEX("=~"), NOT_REGEX("!~");

        public final String symbol;

        Type(String symbol) { this.symbol = symbol; }
    }

    private final Type type;
    private final String name;
    private final String value;
    private final Pattern pattern; // anchored, only for regex types

    private LabelMatcher(Type type, String name, String value) {
        this.type = Objects.requireNonNull(type);
        this.name = Objects.requireNonNull(name);
        this.value = Objects.requireNonNull(value);
        // Prometheus anchors regexes at both ends and lets '.' match newlines.
        this.pattern = (type == Type.REGEX || type == Type.NOT_REGEX)
                ? Pattern.compile("^(?:" + value + ")$", Pattern.DOTALL) : null;
    }

    /** @throws java.util.regex.PatternSyntaxException for an invalid regex */
    public static LabelMatcher of(Type type, String name, String value) {
        return new LabelMatcher(type, name, value);
    }

    public static LabelMatcher equal(String name, String value) { return of(Type.EQUAL, name, value); }
    public static LabelMatcher notEqual(String name, String value) { return of(Type.NOT_EQUAL, name, value); }
    public static LabelMatcher regex(String name, String value) { return of(Type.REGEX, name, value); }
    public static LabelMatcher notRegex(String name, String value) { return of(Type.NOT_REGEX, name, value); }

    public Type type() { return type; }
    public String name() { return name; }
    public String value() { return value; }

    /**
     * Whether a label value matches; an absent label is the empty string.
     *
     * @throws RegexTooComplexException when the regex cannot be applied to the value on this
     *                                   thread's stack
     */
    public boolean matches(String v) {
        return switch (type) {
            case EQUAL -> value.equals(v);
            case NOT_EQUAL -> !value.equals(v);
            case REGEX -> regexMatches(v);
            case NOT_REGEX -> !regexMatches(v);
        };
    }

    private boolean regexMatches(String v) {
        try {
            return pattern.matcher(v).matches();
        } catch (StackOverflowError e) {
            throw new RegexTooComplexException(this, v.length());
        }
    }

    /** Whether this matcher selects series that lack the label altogether. */
    public boolean matchesEmpty() { return matches(""); }

    @Override
    public boolean equals(Object o) {
        return o instanceof LabelMatcher m && m.type == type && m.name.equals(name) && m.value.equals(value);
    }

    @Override
    public int hashCode() { return Objects.hash(type, name, value); }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder(name).append(type.symbol).append('"');
        Labels.escape(sb, value);
        return sb.append('"').toString();
    }
}
