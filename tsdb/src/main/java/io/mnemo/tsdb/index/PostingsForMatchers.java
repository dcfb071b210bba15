package io.mnemo.tsdb.index;

import io.mnemo.tsdb.LabelMatcher;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/**
 * Resolves label matchers to the refs of the series that all of them select, over any
 * {@link IndexPostingsReader}: the head's and every block's, one algorithm for both.
 *
 * <p>Prometheus's semantics: an absent label has the empty value, so a matcher that matches ""
 * also selects series without the label. A matcher that does not match "" narrows the result to
 * the series having a value it matches; one that does removes the series having a value it
 * rejects; with no narrowing matcher the result starts from all series. A label has one value
 * per series, so the postings of a name's values are disjoint and their union is exact.
 *
 * <p>Regexes are not run over values when their shape says what they match ({@link RegexShape}):
 * a set of literals is looked up value by value, a literal prefix followed by {@code .*} or
 * {@code .+} is one range of sorted values, and any other regex runs only over the values of
 * its literal prefix.
 */
public final class PostingsForMatchers {
    private PostingsForMatchers() {}

    /** Ascending refs of the series every matcher selects. */
    public static int[] of(IndexPostingsReader index, LabelMatcher... matchers) {
        List<int[]> include = new ArrayList<>();
        List<int[]> exclude = new ArrayList<>();
        for (LabelMatcher m : matchers) {
            if (m.matchesEmpty()) {
                exclude.add(postingsForValues(index, m, false));
            } else {
                int[] p = postingsForValues(index, m, true);
                if (p.length == 0) return Postings.EMPTY;
                include.add(p);
            }
        }
        int[] result = include.isEmpty() ? index.allPostings() : Postings.intersect(include);
        if (!exclude.isEmpty() && result.length > 0) result = Postings.subtract(result, Postings.union(exclude));
        return result;
    }

    /** Union of the postings of the values v of m's label for which {@code m.matches(v) == want}. */
    private static int[] postingsForValues(IndexPostingsReader index, LabelMatcher m, boolean want) {
        String name = m.name();
        boolean negated = m.type() == LabelMatcher.Type.NOT_EQUAL || m.type() == LabelMatcher.Type.NOT_REGEX;
        // m.matches(v) == want  <=>  the positive form of m (= or =~) matches v == (want != negated)
        boolean wantPositive = want != negated;
        boolean regex = m.type() == LabelMatcher.Type.REGEX || m.type() == LabelMatcher.Type.NOT_REGEX;
        if (!regex) {
            return wantPositive ? index.postings(name, m.value()) : index.postingsForValues(name, "", m.value(), null);
        }
        RegexShape shape = RegexShape.of(m.value());
        if (wantPositive) {
            return switch (shape.kind()) {
                case LITERALS -> {
                    List<int[]> lists = new ArrayList<>(shape.literals().size());
                    for (int[] p : index.postings(name, shape.literals())) {
                        if (p.length > 0) lists.add(p);
                    }
                    yield Postings.union(lists);
                }
                // .+ after the prefix: every value of its range but the prefix itself.
                case PREFIX -> index.postingsForValues(name, shape.prefix(), shape.nonEmptySuffix() ? shape.prefix() : null, null);
                case GENERAL -> index.postingsForValues(name, shape.prefix(), null, v -> m.matches(v) == want);
            };
        }
        if (shape.kind() == RegexShape.Kind.PREFIX && shape.prefix().isEmpty() && !shape.nonEmptySuffix()) {
            return Postings.EMPTY; // .* matches every value
        }
        // The values the positive form rejects: outside any prefix range, so every value is seen.
        Predicate<String> positive = switch (shape.kind()) {
            case LITERALS -> shape::isLiteral;
            case PREFIX -> shape::prefixMatches;
            case GENERAL -> v -> v.startsWith(shape.prefix()) && m.matches(v) != negated;
        };
        return index.postingsForValues(name, "", null, positive.negate());
    }
}
