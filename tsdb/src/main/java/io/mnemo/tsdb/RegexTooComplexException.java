package io.mnemo.tsdb;

/**
 * A regex matcher that Java's regex engine could not apply to a label value without overflowing
 * the stack: it recurses once per repetition of some patterns ({@code (a|b)*}), so a long enough
 * value takes any stack. Thrown instead of the StackOverflowError, which on an actor's thread
 * would stop the JVM.
 */
public final class RegexTooComplexException extends RuntimeException {
    public RegexTooComplexException(LabelMatcher matcher, int valueLength) {
        super("the regular expression of " + matcher + " is too complex to match a label value of " + valueLength
                + " characters");
    }
}
