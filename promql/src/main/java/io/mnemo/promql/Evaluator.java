package io.mnemo.promql;

import io.mnemo.promql.ast.AggregateExpr;
import io.mnemo.promql.ast.BinaryExpr;
import io.mnemo.promql.ast.Call;
import io.mnemo.promql.ast.Expr;
import io.mnemo.promql.ast.MatrixSelector;
import io.mnemo.promql.ast.NumberLiteral;
import io.mnemo.promql.ast.ParenExpr;
import io.mnemo.promql.ast.SubqueryExpr;
import io.mnemo.promql.ast.UnaryExpr;
import io.mnemo.promql.ast.VectorSelector;
import io.mnemo.promql.value.Matrix;
import io.mnemo.tsdb.LabelMatcher;
import io.mnemo.tsdb.Labels;
import io.mnemo.tsdb.Querier;
import io.mnemo.tsdb.SampleIterator;
import io.mnemo.tsdb.SeriesSet;
import io.mnemo.tsdb.StaleNaN;

import java.util.ArrayList;
import java.util.List;

/**
 * Evaluates one query over the steps {@code start, start+interval, ..., end} (a single step for an
 * instant query). Instant-vector and scalar expressions evaluate to a matrix with one point per
 * step and series; range-vector expressions only at the single step of an instant query.
 */
final class Evaluator {
    private static final String STAGE = "expression evaluation";

    private final Querier querier;
    private final long start;
    private final long end;
    private final long interval;
    private final int steps;
    private final long lookbackDelta;
    private final long maxSamples;
    private final long deadlineNanos;
    private final DurationExprEvaluator durations;
    private long samples;

    /**
     * @param querier       storage to select from, or null when the expression has no selectors
     * @param interval      the step of a range query, 0 for an instant query
     * @param deadlineNanos {@link System#nanoTime()} by which evaluation must be done
     */
    Evaluator(Querier querier, long start, long end, long interval, EngineOptions options, long deadlineNanos) {
        this.querier = querier;
        this.start = start;
        this.end = end;
        this.interval = interval;
        this.steps = interval == 0 ? 1 : (int) ((end - start) / interval + 1);
        this.lookbackDelta = options.lookbackDeltaMillis();
        this.maxSamples = options.maxSamples();
        this.deadlineNanos = deadlineNanos;
        this.durations = new DurationExprEvaluator(interval, end - start);
    }

    /** Evaluates a scalar or instant-vector expression at every step; a scalar is one series without labels. */
    Matrix evalSteps(Expr e) {
        if (e instanceof NumberLiteral n) {
            long[] ts = new long[steps];
            double[] vs = new double[steps];
            for (int i = 0; i < steps; i++) {
                ts[i] = start + i * interval;
                vs[i] = n.value();
            }
            countSamples(steps);
            return new Matrix(List.of(new Matrix.Series(Labels.EMPTY, ts, vs)));
        }
        if (e instanceof ParenExpr p) return evalSteps(p.expr());
        if (e instanceof VectorSelector vs) return selectInstant(vs);
        throw notSupported(e);
    }

    /** Evaluates a range-vector expression at the query's (single) evaluation time. */
    Matrix evalRange(Expr e) {
        if (e instanceof ParenExpr p) return evalRange(p.expr());
        if (e instanceof MatrixSelector m) return selectRange(m);
        throw notSupported(e);
    }

    /**
     * For each series and step, the newest sample in (t - lookback, t] of the step's reference time,
     * unless that sample is a staleness marker. Walks each series' samples once, seeking forward
     * over gaps larger than the lookback.
     */
    private Matrix selectInstant(VectorSelector vs) {
        rejectRangeModifiers(vs);
        long offset = durations.offsetMillis(vs);
        List<Matrix.Series> out = new ArrayList<>();
        PointBuffer points = new PointBuffer(steps);
        SeriesSet set = querier.select(false, vs.matchers().toArray(new LabelMatcher[0]));
        while (set.next()) {
            checkInterrupts();
            io.mnemo.tsdb.Series series = set.at();
            SampleIterator it = series.iterator();
            points.clear();
            boolean valid = true;
            boolean haveLast = false;
            long lastT = 0;
            double lastV = 0;
            for (int i = 0; i < steps; i++) {
                long t = start + i * interval;
                long ref = (vs.at() != null ? vs.at().resolve(start, end) : t) - offset;
                long windowStart = ref - lookbackDelta; // exclusive
                if (valid && (!haveLast || lastT <= windowStart)) {
                    // Skip samples that cannot be in this or any later window.
                    valid = it.seek(windowStart + 1);
                    haveLast = false;
                }
                while (valid && it.timestamp() <= ref) {
                    lastT = it.timestamp();
                    lastV = it.value();
                    haveLast = true;
                    valid = it.next();
                }
                if (haveLast && lastT > windowStart && !StaleNaN.is(lastV)) points.add(t, lastV);
            }
            if (points.size() > 0) {
                countSamples(points.size());
                out.add(points.toSeries(series.labels()));
            }
        }
        return new Matrix(out);
    }

    /** For each series, the samples in (ref - range, ref], without staleness markers. */
    private Matrix selectRange(MatrixSelector m) {
        VectorSelector vs = m.vectorSelector();
        rejectRangeModifiers(vs);
        long range = durations.rangeMillis(m);
        long ref = (vs.at() != null ? vs.at().resolve(start, end) : start) - durations.offsetMillis(vs);
        long from = ref - range;
        List<Matrix.Series> out = new ArrayList<>();
        PointBuffer points = new PointBuffer(16);
        SeriesSet set = querier.select(false, vs.matchers().toArray(new LabelMatcher[0]));
        while (set.next()) {
            checkInterrupts();
            io.mnemo.tsdb.Series series = set.at();
            SampleIterator it = series.iterator();
            points.clear();
            if (it.seek(from + 1)) {
                do {
                    long t = it.timestamp();
                    if (t > ref) break;
                    double v = it.value();
                    if (!StaleNaN.is(v)) points.add(t, v);
                } while (it.next());
            }
            if (points.size() > 0) {
                countSamples(points.size());
                out.add(points.toSeries(series.labels()));
            }
        }
        return new Matrix(out);
    }

    private static void rejectRangeModifiers(VectorSelector vs) {
        if (vs.anchored()) throw new NotSupportedException("the anchored modifier");
        if (vs.smoothed()) throw new NotSupportedException("the smoothed modifier");
    }

    private void countSamples(long n) {
        samples += n;
        if (samples > maxSamples) {
            throw new EvaluationException("query processing would load too many samples into memory in query execution");
        }
    }

    private void checkInterrupts() {
        if (Thread.currentThread().isInterrupted()) throw new QueryCanceledException(STAGE);
        if (System.nanoTime() - deadlineNanos > 0) throw new QueryTimeoutException(STAGE);
    }

    private static NotSupportedException notSupported(Expr e) {
        String what;
        if (e instanceof BinaryExpr b) what = "binary operator \"" + b.op().symbol() + "\"";
        else if (e instanceof AggregateExpr a) what = "aggregation \"" + a.op().keyword() + "\"";
        else if (e instanceof Call c) what = "function \"" + c.function().name() + "\"";
        else if (e instanceof SubqueryExpr) what = "subquery";
        else if (e instanceof UnaryExpr u) what = "unary operator \"" + u.op().symbol() + "\"";
        else what = e.getClass().getSimpleName();
        return new NotSupportedException(what + " in " + e);
    }
}
