package io.mnemo.promql;

import io.mnemo.promql.ast.Expr;
import io.mnemo.promql.ast.Exprs;
import io.mnemo.promql.ast.MatrixSelector;
import io.mnemo.promql.ast.StringLiteral;
import io.mnemo.promql.ast.SubqueryExpr;
import io.mnemo.promql.ast.VectorSelector;
import io.mnemo.promql.parser.Parser;
import io.mnemo.promql.value.Matrix;
import io.mnemo.promql.value.Scalar;
import io.mnemo.promql.value.StringValue;
import io.mnemo.promql.value.Value;
import io.mnemo.promql.value.ValueType;
import io.mnemo.promql.value.Vector;
import io.mnemo.tsdb.Querier;
import io.mnemo.tsdb.Queryable;

import java.util.List;
import java.util.Objects;

/**
 * Evaluates PromQL instant and range queries over a {@link Queryable}. This first version
 * evaluates literals, vector and range selectors (with offset and {@code @}) and parentheses;
 * other expressions fail with a {@link NotSupportedException}. Timestamps are milliseconds.
 * Thread-safe: each query evaluates independently.
 */
public final class Engine {
    private final EngineOptions options;
    private final Parser parser;

    public Engine() { this(EngineOptions.DEFAULT); }

    public Engine(EngineOptions options) {
        this.options = Objects.requireNonNull(options);
        this.parser = new Parser(options.parserOptions());
    }

    public EngineOptions options() { return options; }

    /** The parser this engine uses, configured with the engine's parser options. */
    public Parser parser() { return parser; }

    /**
     * Evaluates a query at one time: a scalar, string, instant vector (samples stamped with
     * {@code time}) or, for a range selector, a matrix of raw samples.
     *
     * @throws PromQLException bad_data for parse errors, execution/timeout/canceled otherwise
     */
    public Value instantQuery(Queryable storage, String query, long time) {
        return instantQuery(storage, parser.parseExpr(query), time);
    }

    public Value instantQuery(Queryable storage, Expr expr, long time) {
        if (expr.type() == ValueType.STRING) return new StringValue(time, stringValue(expr));
        return evaluate(storage, expr, time, time, 0, evaluator -> {
            if (expr.type() == ValueType.MATRIX) return evaluator.evalRange(expr).sortedByLabels();
            Matrix m = evaluator.evalSteps(expr);
            if (expr.type() == ValueType.SCALAR) return new Scalar(time, m.get(0).value(0));
            Vector.Builder v = Vector.builder(m.size());
            for (Matrix.Series s : m.series()) v.add(s.labels(), time, s.value(0));
            return v.build().sortedByLabels();
        });
    }

    /**
     * Evaluates a query at every step from {@code start} to {@code end}: one series per result
     * series with a point per step where it has a value, sorted by labels; a scalar is one series
     * without labels.
     *
     * @throws PromQLException bad_data for parse errors, invalid steps and non-scalar/vector
     *                         expressions; execution/timeout/canceled otherwise
     */
    public Matrix rangeQuery(Queryable storage, String query, long start, long end, long step) {
        return rangeQuery(storage, parser.parseExpr(query), start, end, step);
    }

    public Matrix rangeQuery(Queryable storage, Expr expr, long start, long end, long step) {
        if (step <= 0) {
            throw new PromQLException(ErrorType.BAD_DATA,
                    "zero or negative query resolution step widths are not accepted. Try a positive integer");
        }
        if (end < start) throw new PromQLException(ErrorType.BAD_DATA, "end timestamp must not be before start time");
        if ((end - start) / step >= Integer.MAX_VALUE) {
            throw new PromQLException(ErrorType.BAD_DATA, "too many steps: decrease the query resolution (step)");
        }
        if (expr.type() != ValueType.SCALAR && expr.type() != ValueType.VECTOR) {
            throw new PromQLException(ErrorType.BAD_DATA, "invalid expression type \"" + expr.type().documentedName()
                    + "\" for range query, must be Scalar or instant Vector");
        }
        return evaluate(storage, expr, start, end, step, evaluator -> evaluator.evalSteps(expr).sortedByLabels());
    }

    private interface Evaluation<T> {
        T run(Evaluator evaluator);
    }

    private <T> T evaluate(Queryable storage, Expr expr, long start, long end, long step, Evaluation<T> evaluation) {
        long deadline = System.nanoTime() + options.timeout().toNanos();
        long[] window = selectionWindow(expr, start, end, step);
        if (window == null) return evaluation.run(new Evaluator(null, start, end, step, options, deadline));
        try (Querier querier = storage.querier(window[0], window[1])) {
            return evaluation.run(new Evaluator(querier, start, end, step, options, deadline));
        }
    }

    /**
     * The time range [mint, maxt] any selector of the expression may read, or null when it has no
     * selector. Subqueries are ignored: they are not evaluated yet.
     */
    private long[] selectionWindow(Expr expr, long start, long end, long step) {
        long[] window = {Long.MAX_VALUE, Long.MIN_VALUE};
        DurationExprEvaluator durations = new DurationExprEvaluator(step, end - start);
        Exprs.walk(expr, (node, path) -> {
            VectorSelector vs;
            long lookback;
            if (node instanceof MatrixSelector m) {
                vs = m.vectorSelector();
                lookback = durations.rangeMillis(m);
            } else if (node instanceof VectorSelector v && !(parent(path) instanceof MatrixSelector)) {
                vs = v;
                lookback = options.lookbackDeltaMillis();
            } else {
                return;
            }
            if (path.stream().anyMatch(p -> p instanceof SubqueryExpr)) return;
            long offset = durations.offsetMillis(vs);
            long from = (vs.at() != null ? vs.at().resolve(start, end) : start) - offset - lookback;
            long to = (vs.at() != null ? vs.at().resolve(start, end) : end) - offset;
            window[0] = Math.min(window[0], from);
            window[1] = Math.max(window[1], to);
        });
        return window[0] == Long.MAX_VALUE ? null : window;
    }

    private static Expr parent(List<Expr> path) {
        return path.isEmpty() ? null : path.get(path.size() - 1);
    }

    private static String stringValue(Expr e) {
        Expr inner = Exprs.unwrapParens(e);
        if (inner instanceof StringLiteral s) return s.value();
        throw new NotSupportedException("string expression " + e);
    }
}
