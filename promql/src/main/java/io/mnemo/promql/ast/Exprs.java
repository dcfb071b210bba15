package io.mnemo.promql.ast;

import java.util.ArrayList;
import java.util.List;
import java.util.function.BiConsumer;
import java.util.function.UnaryOperator;

/** Traversal helpers over expression trees. */
public final class Exprs {
    private Exprs() {}

    /** The direct sub-expressions of a node, in source order (aggregation: expression, then parameter). */
    public static List<Expr> children(Expr e) {
        if (e instanceof AggregateExpr a) return a.param() == null ? List.of(a.expr()) : List.of(a.expr(), a.param());
        if (e instanceof BinaryExpr b) return List.of(b.lhs(), b.rhs());
        if (e instanceof Call c) return c.args();
        if (e instanceof MatrixSelector m) return List.of(m.vectorSelector());
        if (e instanceof SubqueryExpr s) return List.of(s.expr());
        if (e instanceof ParenExpr p) return List.of(p.expr());
        if (e instanceof UnaryExpr u) return List.of(u.expr());
        if (e instanceof DurationExpr d) {
            List<Expr> out = new ArrayList<>(2);
            if (d.lhs() != null) out.add(d.lhs());
            if (d.rhs() != null) out.add(d.rhs());
            return out;
        }
        return List.of();
    }

    /** Visits every node depth-first, parents first, with the path of ancestors (outermost first). */
    public static void walk(Expr e, BiConsumer<Expr, List<Expr>> visitor) {
        walk(e, new ArrayList<>(), visitor);
    }

    private static void walk(Expr e, List<Expr> path, BiConsumer<Expr, List<Expr>> visitor) {
        visitor.accept(e, List.copyOf(path));
        path.add(e);
        for (Expr c : children(e)) walk(c, path, visitor);
        path.remove(path.size() - 1);
    }

    /**
     * Rebuilds a node with each direct child replaced by {@code f(child)}; returns the node itself
     * when no child changed. A matrix selector's child must map to a vector selector.
     */
    public static Expr mapChildren(Expr e, UnaryOperator<Expr> f) {
        if (e instanceof AggregateExpr a) {
            Expr x = f.apply(a.expr());
            Expr p = a.param() == null ? null : f.apply(a.param());
            return x == a.expr() && p == a.param() ? a : a.withOperands(x, p);
        }
        if (e instanceof BinaryExpr b) {
            Expr l = f.apply(b.lhs());
            Expr r = f.apply(b.rhs());
            return l == b.lhs() && r == b.rhs() ? b : b.withOperands(l, r);
        }
        if (e instanceof Call c) {
            List<Expr> args = new ArrayList<>(c.args().size());
            boolean changed = false;
            for (Expr arg : c.args()) {
                Expr m = f.apply(arg);
                changed |= m != arg;
                args.add(m);
            }
            return changed ? c.withArgs(args) : c;
        }
        if (e instanceof MatrixSelector m) {
            Expr vs = f.apply(m.vectorSelector());
            return vs == m.vectorSelector() ? m : m.withVectorSelector((VectorSelector) vs, m.positionRange());
        }
        if (e instanceof SubqueryExpr s) {
            Expr x = f.apply(s.expr());
            return x == s.expr() ? s : s.withExpr(x);
        }
        if (e instanceof ParenExpr p) {
            Expr x = f.apply(p.expr());
            return x == p.expr() ? p : new ParenExpr(x, p.positionRange());
        }
        if (e instanceof UnaryExpr u) {
            Expr x = f.apply(u.expr());
            return x == u.expr() ? u : new UnaryExpr(u.op(), x, u.positionRange());
        }
        return e;
    }

    /** Removes any number of enclosing parentheses. */
    public static Expr unwrapParens(Expr e) {
        while (e instanceof ParenExpr p) e = p.expr();
        return e;
    }
}
