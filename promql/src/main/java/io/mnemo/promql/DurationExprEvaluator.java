package io.mnemo.promql;

import io.mnemo.promql.ast.DurationExpr;
import io.mnemo.promql.ast.Expr;
import io.mnemo.promql.ast.MatrixSelector;
import io.mnemo.promql.ast.NumberLiteral;
import io.mnemo.promql.ast.VectorSelector;

/**
 * Computes experimental duration expressions ({@code [step() * 2]}, {@code offset min_of(1h, range())})
 * for one query: {@code step()} is the query's step, {@code range()} its end minus start, both in
 * seconds (0 for an instant query).
 */
final class DurationExprEvaluator {
    private final double stepSeconds;
    private final double rangeSeconds;

    DurationExprEvaluator(long stepMillis, long rangeMillis) {
        this.stepSeconds = stepMillis / 1000.0;
        this.rangeSeconds = rangeMillis / 1000.0;
    }

    /** Effective offset of a selector: its literal, or its duration expression for this query. */
    long offsetMillis(VectorSelector vs) {
        return vs.offsetExpr() != null ? millis(vs.offsetExpr()) : vs.offsetMillis();
    }

    /** Effective range of a range selector, which must be positive. */
    long rangeMillis(MatrixSelector m) {
        if (m.rangeExpr() == null) return m.rangeMillis();
        long r = millis(m.rangeExpr());
        if (r <= 0) throw new PromQLException(ErrorType.BAD_DATA, "duration must be greater than 0: " + m.rangeExpr());
        return r;
    }

    /** The expression's value in milliseconds, rounded like Prometheus turns float seconds into a duration. */
    long millis(DurationExpr e) {
        double ns = seconds(e) * 1e9;
        if (Double.isNaN(ns) || Math.abs(ns) >= 0x1p63) {
            throw new PromQLException(ErrorType.BAD_DATA, "duration out of range: " + e);
        }
        double r = Math.floor(Math.abs(ns) + 0.5);
        return (long) (ns < 0 ? -r : r) / 1_000_000L;
    }

    private double seconds(Expr e) {
        if (e instanceof NumberLiteral n) return n.value();
        if (!(e instanceof DurationExpr d)) throw new IllegalArgumentException("not a duration expression: " + e);
        return switch (d.op()) {
            case STEP -> stepSeconds;
            case RANGE -> rangeSeconds;
            case MIN_OF -> Math.min(seconds(d.lhs()), seconds(d.rhs()));
            case MAX_OF -> Math.max(seconds(d.lhs()), seconds(d.rhs()));
            case ADD -> d.lhs() == null ? seconds(d.rhs()) : seconds(d.lhs()) + seconds(d.rhs());
            case SUB -> d.lhs() == null ? -seconds(d.rhs()) : seconds(d.lhs()) - seconds(d.rhs());
            case MUL -> seconds(d.lhs()) * seconds(d.rhs());
            case DIV -> seconds(d.lhs()) / seconds(d.rhs());
            case MOD -> seconds(d.lhs()) % seconds(d.rhs());
            case POW -> Math.pow(seconds(d.lhs()), seconds(d.rhs()));
        };
    }
}
