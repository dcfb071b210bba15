package io.mnemo.promql.parser;

import io.mnemo.promql.ast.PositionRange;

/**
 * A query nested deeper than {@link ParserOptions#maxDepth()} ({@code mnemo.querier.max-expression-depth}):
 * a parse error pointing at where the limit was crossed.
 */
public final class ExpressionTooDeepException extends ParseException {
    ExpressionTooDeepException(PositionRange where, int maxDepth, String query) {
        super(where, "expression is nested deeper than the limit of " + maxDepth
                + " levels (mnemo.querier.max-expression-depth)", query);
    }
}
