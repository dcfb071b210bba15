package io.mnemo.promql.eval;

import io.mnemo.promql.ErrorType;
import io.mnemo.promql.PromQLException;
import io.mnemo.promql.ast.DurationExpr;
import io.mnemo.promql.ast.Expr;
import io.mnemo.promql.ast.MatrixSelector;
import io.mnemo.promql.ast.NumberLiteral;
import io.mnemo.promql.ast.SubqueryExpr;
import io.mnemo.promql.ast.VectorSelector;

/**
 * Computes the durations of one query's selectors and subqueries, including experimental duration
 * expressions ({@code [step() * 2]}, {@code offset min_of(1h, range())}): {@code step()} is the
 * query's step, {@code range()} its end minus start, both in seconds (0 for an instant query).
 */
public final class Durations {
    private final double stepSeconds;
    private final double rangeSeconds;

    public Durations(long stepMillis, long rangeMillis) {
        this.stepSeconds = stepMillis / 1000.0;
        this.rangeSeconds = rangeMillis / 1000.0;
    }

    /** The query's step in seconds, 0 for an instant query. */
    public double stepSeconds() { return stepSeconds; }

    /** Effective offset of a selector: its literal, or its duration expression for this query. */
    public long offsetMillis(VectorSelector vs) {
        return vs.offsetExpr() != null ? millis(vs.offsetExpr()) : vs.offsetMillis();
    }

    /** Effective range of a range selector, which must be positive. */
    public long rangeMillis(MatrixSelector m) {
        return m.rangeExpr() == null ? m.rangeMillis() : positive(m.rangeExpr());
    }

    public long offsetMillis(SubqueryExpr s) {
        return s.offsetExpr() != null ? millis(s.offsetExpr()) : s.offsetMillis();
    }

    public long rangeMillis(SubqueryExpr s) {
        return s.rangeExpr() == null ? s.rangeMillis() : positive(s.rangeExpr());
    }

    /** The subquery's own step, or 0 when it has none (the engine's default applies). */
    public long stepMillis(SubqueryExpr s) {
        return s.stepExpr() == null ? s.stepMillis() : positive(s.stepExpr());
    }

    private long positive(DurationExpr e) {
        long r = millis(e);
        if (r <= 0) throw new PromQLException(ErrorType.BAD_DATA, "duration must be greater than 0: " + e);
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
