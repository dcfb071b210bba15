package io.mnemo.promql;

import io.mnemo.promql.ast.At;
import io.mnemo.promql.ast.Expr;
import io.mnemo.promql.ast.Exprs;
import io.mnemo.promql.ast.MatrixSelector;
import io.mnemo.promql.ast.StringLiteral;
import io.mnemo.promql.ast.SubqueryExpr;
import io.mnemo.promql.ast.VectorSelector;
import io.mnemo.promql.eval.Durations;
import io.mnemo.promql.eval.Evaluator;
import io.mnemo.promql.eval.QueryContext;
import io.mnemo.promql.eval.StepSeries;
import io.mnemo.promql.parser.Parser;
import io.mnemo.promql.value.Matrix;
import io.mnemo.promql.value.Scalar;
import io.mnemo.promql.value.StringValue;
import io.mnemo.promql.value.Value;
import io.mnemo.promql.value.ValueType;
import io.mnemo.promql.value.Vector;
import io.mnemo.tsdb.Labels;
import io.mnemo.tsdb.Querier;
import io.mnemo.tsdb.Queryable;
import io.mnemo.tsdb.histogram.FloatHistogram;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Evaluates PromQL instant and range queries over a {@link Queryable} with Prometheus 3.x
 * semantics. Timestamps are milliseconds. Thread-safe: each query evaluates independently, on the
 * calling thread; interrupting that thread cancels the query. Parsing, printing and evaluating
 * recurse over the expression tree: run them on threads with {@link #threadStackSize(int)} bytes
 * of stack for the parser's depth limit.
 */
public final class Engine {
    /**
     * Stack per level of expression depth: the deepest walk (evaluating nested subqueries in the
     * interpreter, before the JIT compiles it) was measured at about 1.1 KiB a level.
     */
    private static final long STACK_PER_DEPTH = 4 * 1024;
    private static final long STACK_BASE = 256 * 1024;

    private final EngineOptions options;
    private final Parser parser;

    public Engine() { this(EngineOptions.DEFAULT); }

    public Engine(EngineOptions options) {
        this.options = Objects.requireNonNull(options);
        this.parser = new Parser(options.parserOptions());
    }

    public EngineOptions options() { return options; }

    /**
     * The stack a thread needs to parse, print and evaluate any expression the parser accepts
     * with {@code maxDepth} ({@link io.mnemo.promql.parser.ParserOptions#maxDepth()}), with room
     * to spare: about 4 MiB for the default 1000.
     */
    public static long threadStackSize(int maxDepth) {
        return STACK_BASE + maxDepth * STACK_PER_DEPTH;
    }

    /** The parser this engine uses, configured with the engine's parser options. */
    public Parser parser() { return parser; }

    /**
     * Evaluates a query at one time: a scalar, string, instant vector (samples stamped with
     * {@code time}, in the order the query produced them) or, for a range-vector expression, a
     * matrix of raw samples sorted by labels.
     *
     * @throws PromQLException bad_data for parse errors, execution/timeout/canceled otherwise
     */
    public Value instantQuery(Queryable storage, String query, long time) {
        return execInstant(storage, query, time).value();
    }

    public Value instantQuery(Queryable storage, Expr expr, long time) {
        return execInstant(storage, expr, null, time).value();
    }

    /** Like {@link #instantQuery(Queryable, String, long)}, with the warnings and infos of the evaluation. */
    public QueryResult execInstant(Queryable storage, String query, long time) {
        return execInstant(storage, parser.parseExpr(query), query, time);
    }

    /** @param query the text expr was parsed from, for the positions in annotations; null if unknown */
    public QueryResult execInstant(Queryable storage, Expr expr, String query, long time) {
        if (expr.type() == ValueType.STRING) {
            return new QueryResult(new StringValue(time, stringValue(expr)), List.of(), List.of());
        }
        return evaluate(storage, expr, query, time, time, 0, (evaluator, q) -> {
            if (expr.type() == ValueType.MATRIX) return toMatrix(q, evaluator.evalMatrix(expr));
            List<StepSeries> result = evaluator.eval(expr);
            if (expr.type() == ValueType.SCALAR) {
                StepSeries s = result.get(0);
                return new Scalar(time, s.value(0));
            }
            return toVector(q, result, time);
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
        return (Matrix) execRange(storage, query, start, end, step).value();
    }

    public Matrix rangeQuery(Queryable storage, Expr expr, long start, long end, long step) {
        return (Matrix) execRange(storage, expr, null, start, end, step).value();
    }

    /** Like {@link #rangeQuery(Queryable, String, long, long, long)}, with the warnings and infos of the evaluation. */
    public QueryResult execRange(Queryable storage, String query, long start, long end, long step) {
        return execRange(storage, parser.parseExpr(query), query, start, end, step);
    }

    public QueryResult execRange(Queryable storage, Expr expr, String query, long start, long end, long step) {
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
        return evaluate(storage, expr, query, start, end, step, (evaluator, q) -> toMatrix(q, evaluator.eval(expr)));
    }

    private interface Evaluation {
        Value run(Evaluator evaluator, QueryContext q);
    }

    private QueryResult evaluate(Queryable storage, Expr expr, String query, long start, long end, long step,
                                 Evaluation evaluation) {
        long deadline = System.nanoTime() + options.timeout().toNanos();
        long[] window = selectionWindow(expr, start, end, step);
        Querier querier = window == null ? null : storage.querier(window[0], window[1]);
        try {
            QueryContext q = new QueryContext(querier, start, end, step, options.lookbackDeltaMillis(),
                    options.maxSamples(), deadline, options.delayedNameRemoval(), options.defaultSubqueryStepMillis());
            q.detectHistogramStatsDecoding(expr);
            Value v;
            try {
                v = evaluation.run(new Evaluator(q, start, end, step == 0 ? 1 : step), q);
            } catch (PromQLException e) {
                throw e;
            } catch (StackOverflowError e) {
                // Only on a thread with less stack than threadStackSize asks for: a clear refusal, not a crash.
                throw new EvaluationException("expression too deeply nested to evaluate on this thread's stack");
            } catch (UnsupportedOperationException e) {
                throw new NotSupportedException(e.getMessage());
            } catch (RuntimeException e) {
                throw new EvaluationException("unexpected error: " + e, e);
            }
            return QueryResult.of(v, q.annotations(), query);
        } finally {
            if (querier != null) querier.close();
        }
    }

    /** The instant vector of a single-step result, after dropping the names due to go. */
    private static Vector toVector(QueryContext q, List<StepSeries> result, long time) {
        Vector.Builder v = Vector.builder(result.size());
        Set<Labels> seen = new HashSet<>();
        for (StepSeries s : result) {
            Labels l = s.dropName() ? withoutMetricName(s.labels()) : s.labels();
            if (!seen.add(l)) throw new EvaluationException("vector cannot contain metrics with the same labelset");
            v.add(l, time, s.value(0), s.histogram(0));
        }
        return v.build();
    }

    /** A matrix sorted by labels, after dropping the names due to go and merging series that then coincide. */
    private static Matrix toMatrix(QueryContext q, List<StepSeries> result) {
        Map<Labels, List<StepSeries>> byLabels = new HashMap<>();
        List<Labels> order = new ArrayList<>();
        for (StepSeries s : result) {
            Labels l = s.dropName() ? withoutMetricName(s.labels()) : s.labels();
            List<StepSeries> group = byLabels.get(l);
            if (group == null) {
                group = new ArrayList<>(1);
                byLabels.put(l, group);
                order.add(l);
            }
            group.add(s);
        }
        order.sort(null);
        List<Matrix.Series> out = new ArrayList<>(order.size());
        for (Labels l : order) out.add(toSeries(l, byLabels.get(l)));
        return new Matrix(out);
    }

    private static Matrix.Series toSeries(Labels labels, List<StepSeries> parts) {
        int n = 0;
        for (StepSeries s : parts) n += s.size();
        long[] ts = new long[n];
        double[] vs = new double[n];
        FloatHistogram[] hs = null;
        if (parts.size() == 1) {
            StepSeries s = parts.get(0);
            for (int i = 0; i < n; i++) {
                ts[i] = s.timestamp(i);
                vs[i] = s.value(i);
                if (s.histogram(i) != null) {
                    if (hs == null) hs = new FloatHistogram[n];
                    hs[i] = s.histogram(i);
                }
            }
            return new Matrix.Series(labels, ts, vs, hs);
        }
        // Several series coincide once their names are dropped: interleave their points by time.
        long[][] keys = new long[n][];
        int k = 0;
        for (int p = 0; p < parts.size(); p++) {
            for (int i = 0; i < parts.get(p).size(); i++) keys[k++] = new long[] {parts.get(p).timestamp(i), p, i};
        }
        Arrays.sort(keys, (a, b) -> Long.compare(a[0], b[0]));
        for (int j = 0; j < n; j++) {
            if (j > 0 && keys[j][0] == keys[j - 1][0]) {
                throw new EvaluationException("vector cannot contain metrics with the same labelset");
            }
            StepSeries s = parts.get((int) keys[j][1]);
            int i = (int) keys[j][2];
            ts[j] = keys[j][0];
            vs[j] = s.value(i);
            if (s.histogram(i) != null) {
                if (hs == null) hs = new FloatHistogram[n];
                hs[j] = s.histogram(i);
            }
        }
        return new Matrix.Series(labels, ts, vs, hs);
    }

    private static Labels withoutMetricName(Labels l) {
        if (!l.has(Labels.METRIC_NAME) && !l.has("__type__") && !l.has("__unit__")) return l;
        return l.toBuilder().remove(Labels.METRIC_NAME).remove("__type__").remove("__unit__").build();
    }

    /**
     * The time range [mint, maxt] any selector of the expression may read (Prometheus's
     * FindMinMaxTime), or null when the expression has no selector.
     */
    private long[] selectionWindow(Expr expr, long start, long end, long step) {
        long[] window = {Long.MAX_VALUE, Long.MIN_VALUE};
        Durations durations = new Durations(step, end - start);
        long lookback = options.lookbackDeltaMillis();
        Exprs.walk(expr, (node, path) -> {
            if (!(node instanceof VectorSelector vs)) return;
            Expr parent = path.isEmpty() ? null : path.get(path.size() - 1);
            long evalRange = parent instanceof MatrixSelector m ? durations.rangeMillis(m) : 0;
            long from = start;
            long to = end;
            long subqOffset = 0;
            long subqRange = 0;
            Long subqAt = null;
            for (Expr p : path) {
                if (!(p instanceof SubqueryExpr s)) continue;
                if (s.at() != null) {
                    subqOffset = durations.offsetMillis(s);
                    subqRange = durations.rangeMillis(s);
                    subqAt = s.at().resolve(start, end);
                } else {
                    subqOffset += durations.offsetMillis(s);
                    subqRange += durations.rangeMillis(s);
                }
            }
            if (subqAt != null) from = to = subqAt;
            At at = vs.at();
            if (at != null) {
                from = to = at.resolve(start, end);
            } else {
                from -= subqOffset + subqRange;
                to -= subqOffset;
            }
            if (evalRange == 0) {
                from -= lookback - 1;
                if (vs.smoothed()) to += lookback;
            } else if (vs.anchored()) {
                from -= lookback + evalRange - 1;
            } else if (vs.smoothed()) {
                from -= lookback + evalRange - 1;
                to += lookback;
            } else {
                from -= evalRange - 1;
            }
            long offset = durations.offsetMillis(vs);
            window[0] = Math.min(window[0], from - offset);
            window[1] = Math.max(window[1], to - offset);
        });
        return window[0] == Long.MAX_VALUE ? null : window;
    }

    private static String stringValue(Expr e) {
        Expr inner = Exprs.unwrapParens(e);
        if (inner instanceof StringLiteral s) return s.value();
        throw new NotSupportedException("string expression " + e);
    }
}
