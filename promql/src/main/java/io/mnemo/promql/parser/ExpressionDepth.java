package io.mnemo.promql.parser;

import io.mnemo.promql.ast.DurationExpr;
import io.mnemo.promql.ast.Expr;
import io.mnemo.promql.ast.Exprs;
import io.mnemo.promql.ast.MatrixSelector;
import io.mnemo.promql.ast.PositionRange;
import io.mnemo.promql.ast.SubqueryExpr;
import io.mnemo.promql.ast.VectorSelector;

import java.util.ArrayDeque;

/**
 * The expression depth limit ({@code mnemo.querier.max-expression-depth}): the parser's own
 * recursion stops at it, and a parsed tree is measured here, without recursion, because left-deep
 * chains ({@code 1+1+1+...}) and postfix chains are built by loops yet are as deep as their length
 * for everything that walks the tree afterwards. Duration expressions in ranges, steps and offsets
 * count as children of their selector or subquery.
 */
final class ExpressionDepth {
    private ExpressionDepth() {}

    /** Fails with a parse error when the tree has a node deeper than {@code max}. */
    static void check(Expr root, int max, String query) {
        ArrayDeque<Expr> nodes = new ArrayDeque<>();
        ArrayDeque<Integer> depths = new ArrayDeque<>();
        nodes.push(root);
        depths.push(1);
        while (!nodes.isEmpty()) {
            Expr e = nodes.pop();
            int depth = depths.pop();
            if (depth > max) throw tooDeep(e.positionRange(), max, query);
            for (Expr c : Exprs.children(e)) {
                nodes.push(c);
                depths.push(depth + 1);
            }
            for (DurationExpr d : durations(e)) {
                if (d == null) continue;
                nodes.push(d);
                depths.push(depth + 1);
            }
        }
    }

    private static DurationExpr[] durations(Expr e) {
        if (e instanceof MatrixSelector m) return new DurationExpr[] {m.rangeExpr()};
        if (e instanceof VectorSelector vs) return new DurationExpr[] {vs.offsetExpr()};
        if (e instanceof SubqueryExpr s) return new DurationExpr[] {s.rangeExpr(), s.stepExpr(), s.offsetExpr()};
        return NONE;
    }

    private static final DurationExpr[] NONE = new DurationExpr[0];

    static ExpressionTooDeepException tooDeep(PositionRange where, int max, String query) {
        return new ExpressionTooDeepException(where, max, query);
    }
}
