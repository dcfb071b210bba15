package io.mnemo.promql.ast;

import java.util.List;
import java.util.Objects;

/**
 * How the two vectors of a binary operation are matched: {@code on}/{@code ignoring} labels,
 * {@code group_left}/{@code group_right} with extra labels, and the experimental fill values used
 * when one side has no match (null: no fill).
 */
public record VectorMatching(Cardinality cardinality, List<String> matchingLabels, boolean on, List<String> include,
                             Double fillLeft, Double fillRight) {
    public enum Cardinality {
        ONE_TO_ONE("one-to-one"), MANY_TO_ONE("many-to-one"), ONE_TO_MANY("one-to-many"), MANY_TO_MANY("many-to-many");

        private final String text;

        Cardinality(String text) { this.text = text; }

        @Override
        public String toString() { return text; }
    }

    public static final VectorMatching ONE_TO_ONE =
            new VectorMatching(Cardinality.ONE_TO_ONE, List.of(), false, List.of(), null, null);

    public VectorMatching {
        Objects.requireNonNull(cardinality);
        matchingLabels = List.copyOf(matchingLabels);
        include = List.copyOf(include);
    }

    public VectorMatching withCardinality(Cardinality c) {
        return new VectorMatching(c, matchingLabels, on, include, fillLeft, fillRight);
    }

    public boolean hasFill() { return fillLeft != null || fillRight != null; }
}
