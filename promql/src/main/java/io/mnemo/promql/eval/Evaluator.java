package io.mnemo.promql.eval;

import io.mnemo.promql.EvaluationException;
import io.mnemo.tsdb.HistogramIterator;
import io.mnemo.promql.NotSupportedException;
import io.mnemo.promql.ast.AggregateExpr;
import io.mnemo.promql.ast.At;
import io.mnemo.promql.ast.BinaryExpr;
import io.mnemo.promql.ast.BinaryOp;
import io.mnemo.promql.ast.Call;
import io.mnemo.promql.ast.Expr;
import io.mnemo.promql.ast.Exprs;
import io.mnemo.promql.ast.MatrixSelector;
import io.mnemo.promql.ast.NumberLiteral;
import io.mnemo.promql.ast.ParenExpr;
import io.mnemo.promql.ast.StringLiteral;
import io.mnemo.promql.ast.SubqueryExpr;
import io.mnemo.promql.ast.UnaryExpr;
import io.mnemo.promql.ast.VectorSelector;
import io.mnemo.promql.value.ValueType;
import io.mnemo.tsdb.LabelMatcher;
import io.mnemo.tsdb.Labels;
import io.mnemo.tsdb.SampleIterator;
import io.mnemo.tsdb.Series;
import io.mnemo.tsdb.SeriesSet;
import io.mnemo.tsdb.StaleNaN;
import io.mnemo.tsdb.histogram.FloatHistogram;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Evaluates expressions at the steps {@code start, start+interval, ..., end} of one query or
 * subquery, the way Prometheus's engine does: every instant-vector or scalar node evaluates to
 * its series over all steps; operators, functions and aggregations then walk the steps, taking
 * from each input the samples at that step. Range-vector functions slide a window over each
 * series' samples, reading every sample from storage once.
 */
public final class Evaluator {
    final QueryContext q;
    final long start;
    final long end;
    final long interval;
    /** A long: a subquery may ask for more steps than an array holds; what it keeps is what counts. */
    final long steps;

    /**
     * @param interval the step; for an instant query any positive value (one step is evaluated)
     */
    public Evaluator(QueryContext q, long start, long end, long interval) {
        this.q = q;
        this.start = start;
        this.end = end;
        this.interval = interval;
        this.steps = end < start ? 0 : (end - start) / interval + 1;
    }

    long stepTime(long i) { return start + i * interval; }

    /** The step of a time that is one of this evaluator's steps. */
    int stepIndex(long t) { return (int) ((t - start) / interval); }

    /**
     * The length of an array with one slot per step, once the query may hold that many more
     * samples; the caller releases them when it lets go of the array.
     */
    int takeStepArray() {
        q.take(steps);
        if (steps > StepSeries.MAX_CAPACITY) throw QueryContext.tooManySamples();
        return (int) steps;
    }

    boolean isInstant() { return start == end; }

    /** Evaluates a scalar or instant-vector expression at every step; a scalar is one series without labels. */
    public List<StepSeries> eval(Expr e) {
        q.checkCanceled();
        if (steps == 0) return new ArrayList<>();
        if (e instanceof ParenExpr p) return eval(p.expr());
        if (e instanceof NumberLiteral n) return constant(n.value());
        if (e instanceof VectorSelector vs) return selectInstant(vs, false);
        if (e instanceof UnaryExpr u) return unary(u);
        if (e instanceof BinaryExpr b) return BinaryOps.eval(this, b);
        if (e instanceof AggregateExpr a) return Aggregations.eval(this, a);
        if (e instanceof Call c) return call(c);
        throw new EvaluationException("unexpected expression of type " + e.type().documentedName() + ": " + e);
    }

    /**
     * Evaluates a range-vector expression at the single step of an instant query: the raw samples of
     * a range selector, or the points of a subquery.
     */
    public List<StepSeries> evalMatrix(Expr e) {
        q.checkCanceled();
        if (e instanceof ParenExpr p) return evalMatrix(p.expr());
        if (e instanceof MatrixSelector m) return selectRange(m);
        if (e instanceof SubqueryExpr s) return subquery(s);
        throw new EvaluationException("unexpected expression of type " + e.type().documentedName() + ": " + e);
    }

    /** The values of a scalar expression, one per step. */
    double[] scalarValues(Expr e) {
        List<StepSeries> s = eval(e);
        double[] out = new double[takeStepArray()];
        Arrays.fill(out, Double.NaN);
        if (!s.isEmpty()) {
            StepSeries series = s.get(0);
            for (int i = 0; i < series.size; i++) out[stepIndex(series.t[i])] = series.f[i];
        }
        // Counted while the series and the array coexist; afterwards the array stands in for the series.
        q.release(samples(s) + steps);
        return out;
    }

    List<StepSeries> constant(double v) {
        q.take(steps);
        StepSeries s = new StepSeries(Labels.EMPTY, false, steps);
        for (long i = 0; i < steps; i++) s.add(stepTime(i), v, null);
        List<StepSeries> out = new ArrayList<>(1);
        out.add(s);
        return out;
    }

    // ---- selectors ----

    private long refTime(At at, long ts, long offset) {
        return (at != null ? at.resolve(q.queryStart, q.queryEnd) : ts) - offset;
    }

    SeriesSet select(VectorSelector vs) {
        if (q.querier == null) return SeriesSet.EMPTY;
        return q.querier.select(false, vs.matchers().toArray(new LabelMatcher[0]));
    }

    /**
     * For each series and step, the newest sample in (ref - lookback, ref] of the step's reference
     * time, unless it is a staleness marker. With {@code timestamps} the value is the sample's
     * timestamp in seconds instead (what {@code timestamp()} of a selector returns).
     */
    List<StepSeries> selectInstant(VectorSelector vs, boolean timestamps) {
        rejectRangeModifiers(vs);
        long offset = q.durations.offsetMillis(vs);
        List<StepSeries> out = new ArrayList<>();
        SeriesSet set = select(vs);
        while (set.next()) {
            q.checkCanceledSometimes();
            Series series = set.at();
            SampleIterator it = q.iterator(vs, series);
            HistogramIterator hit = it instanceof HistogramIterator h ? h : null;
            StepSeries ss = null;
            boolean valid = true;
            boolean haveLast = false;
            long lastT = 0;
            double lastV = 0;
            FloatHistogram lastH = null;
            for (long i = 0; i < steps; i++) {
                q.checkCanceledSometimes();
                long ts = stepTime(i);
                long ref = refTime(vs.at(), ts, offset);
                long windowStart = ref - q.lookbackDelta; // exclusive
                if (valid && (!haveLast || lastT <= windowStart)) {
                    // Skip samples that cannot be in this or any later window.
                    valid = it.seek(windowStart + 1);
                    haveLast = false;
                }
                while (valid && it.timestamp() <= ref) {
                    lastT = it.timestamp();
                    lastH = hit == null ? null : hit.histogram();
                    lastV = lastH == null ? it.value() : 0;
                    haveLast = true;
                    valid = it.next();
                }
                if (!haveLast || lastT <= windowStart) {
                    // Nothing here: go straight to the first step whose window can hold the next
                    // sample, so that a sparse series costs its samples, not the steps between them.
                    if (!valid || vs.at() != null) break;
                    i = Math.max(i, firstStepAtOrAfter(it.timestamp() + offset) - 1);
                    continue;
                }
                if (lastH == null ? StaleNaN.is(lastV) : StaleNaN.is(lastH.sum())) continue;
                if (ss == null) {
                    Labels l = series.labels();
                    ss = new StepSeries(timestamps && !q.delayedNameRemoval ? dropMetricName(l) : l, timestamps, steps - i);
                }
                // Counted before it is added, so a series cannot outgrow the limit before it is checked.
                q.take(timestamps || lastH == null ? 1 : lastH.sampleSize());
                if (timestamps) ss.add(ts, lastT / 1000.0, null);
                else ss.add(ts, lastV, lastH);
            }
            if (ss != null) out.add(ss);
        }
        return out;
    }

    /** The first step at or after time t (steps when there is none). */
    long firstStepAtOrAfter(long t) {
        if (t <= start) return 0;
        long i = (t - start + interval - 1) / interval;
        return Math.min(i, steps);
    }

    /** For each series, the samples in (ref - range, ref] of the (single) evaluation time. */
    List<StepSeries> selectRange(MatrixSelector m) {
        VectorSelector vs = m.vectorSelector();
        rejectRangeModifiers(vs);
        long range = q.durations.rangeMillis(m);
        long ref = refTime(vs.at(), start, q.durations.offsetMillis(vs));
        List<StepSeries> out = new ArrayList<>();
        Window w = new Window(q);
        SeriesSet set = select(vs);
        while (set.next()) {
            q.checkCanceledSometimes();
            Series series = set.at();
            w.reset(q.iterator(vs, series));
            w.advance(ref - range, ref);
            if (w.isEmpty()) continue;
            q.take(w.sampleCount()); // the copy below, beside the window's
            StepSeries ss = new StepSeries(series.labels(), false, w.floatCount() + w.histogramCount());
            int fi = 0;
            int hi = 0;
            while (fi < w.floatCount() || hi < w.histogramCount()) {
                if (hi >= w.histogramCount() || fi < w.floatCount() && w.floatT(fi) < w.histT(hi)) {
                    ss.add(w.floatT(fi), w.floatV(fi), null);
                    fi++;
                } else {
                    ss.add(w.histT(hi), 0, w.hist(hi));
                    hi++;
                }
            }
            out.add(ss);
        }
        w.release();
        return out;
    }

    private static void rejectRangeModifiers(VectorSelector vs) {
        if (vs.anchored()) throw new NotSupportedException("the anchored modifier");
        if (vs.smoothed()) throw new NotSupportedException("the smoothed modifier");
    }

    // ---- subqueries ----

    /**
     * Evaluates a subquery's expression at its own steps: every multiple of its step in
     * (ref - range, ref], where ref is each of this evaluator's steps minus the offset (or the
     * {@code @} time minus the offset).
     */
    List<StepSeries> subquery(SubqueryExpr s) {
        long offset = q.durations.offsetMillis(s);
        long range = q.durations.rangeMillis(s);
        long step = q.durations.stepMillis(s);
        if (step == 0) step = q.defaultSubqueryStep;
        long from;
        long to;
        if (s.at() != null) {
            from = to = s.at().resolve(q.queryStart, q.queryEnd) - offset;
        } else {
            from = start - offset;
            to = start + ((end - start) / interval) * interval - offset;
        }
        long subStart = step * ((from - range) / step);
        if (subStart <= from - range) subStart += step;
        Evaluator sub = new Evaluator(q, subStart, to, step);
        List<StepSeries> result = sub.eval(s.expr());
        for (StepSeries ss : result) ss.cursor = 0;
        return result;
    }

    // ---- operators ----

    private List<StepSeries> unary(UnaryExpr u) {
        List<StepSeries> in = eval(u.expr());
        if (u.op() != BinaryOp.SUB) return in;
        for (StepSeries s : in) {
            if (!q.delayedNameRemoval) s.labels = dropMetricName(s.labels);
            s.dropName = true;
            for (int i = 0; i < s.size; i++) {
                if (s.h != null && s.h[i] != null) s.h[i] = s.h[i].copy().mul(-1);
                else s.f[i] = -s.f[i];
            }
        }
        return q.delayedNameRemoval ? in : mergeSameLabels(in);
    }

    /** Computes one output vector from the inputs' vectors at a step. */
    interface StepOp {
        void apply(StepVector[] in, StepVector out, long ts);
    }

    /**
     * Walks the steps: gathers each input's samples at the step, lets {@code op} compute the
     * output vector, and collects the outputs into series. {@code sigs[i][j]} is put into the
     * {@link StepVector#sig} of input i's series j (its index when sigs is null). The result of a
     * single-step evaluation keeps the order the operation produced.
     */
    List<StepSeries> rangeEval(StepOp op, List<List<StepSeries>> inputs, int[][] sigs) {
        int n = inputs.size();
        StepVector[] vectors = new StepVector[n];
        StepSeries[][] series = new StepSeries[n][];
        int biggest = 1;
        long inputSamples = 0;
        for (int i = 0; i < n; i++) {
            List<StepSeries> in = inputs.get(i);
            series[i] = in.toArray(new StepSeries[0]);
            vectors[i] = new StepVector(in.size());
            biggest = Math.max(biggest, in.size());
            for (StepSeries s : in) s.cursor = 0;
            inputSamples += samples(in);
        }
        StepVector out = new StepVector(biggest);
        List<StepSeries> result = new ArrayList<>();
        Map<Labels, StepSeries> byLabels = steps == 1 ? null : new HashMap<>();
        for (long step = 0; step < steps; step++) {
            long ts = stepTime(step);
            q.checkCanceled();
            for (int i = 0; i < n; i++) gather(series[i], vectors[i], ts, sigs == null ? null : sigs[i]);
            out.clear();
            op.apply(vectors, out, ts);
            q.take(out.size);
            if (byLabels == null) {
                if (!q.delayedNameRemoval) checkNoDuplicates(out);
                for (int j = 0; j < out.size; j++) {
                    StepSeries ss = new StepSeries(out.labels[j], out.dropName[j], 1);
                    ss.add(ts, out.f[j], out.h[j]);
                    result.add(ss);
                }
                continue;
            }
            for (int j = 0; j < out.size; j++) {
                StepSeries ss = byLabels.get(out.labels[j]);
                if (ss == null) {
                    ss = new StepSeries(out.labels[j], out.dropName[j], steps - step);
                    byLabels.put(out.labels[j], ss);
                    result.add(ss);
                } else if (ss.size > 0 && ss.t[ss.size - 1] == ts) {
                    throw duplicateLabelset();
                }
                ss.add(ts, out.f[j], out.h[j]);
            }
        }
        q.release(inputSamples);
        return result;
    }

    /** Puts the samples of the series at ts into v, advancing each series' cursor past them. */
    private static void gather(StepSeries[] in, StepVector v, long ts, int[] sig) {
        v.clear();
        for (int i = 0; i < in.length; i++) {
            StepSeries s = in[i];
            int c = s.cursor;
            if (c >= s.size || s.t[c] != ts) continue;
            s.cursor = c + 1;
            int j = v.add(s.labels, s.f[c], s.h == null ? null : s.h[c], s.dropName);
            v.sig[j] = sig == null ? i : sig[i];
            v.src[j] = i;
        }
    }

    private static void checkNoDuplicates(StepVector v) {
        if (v.size < 2) return;
        java.util.HashSet<Labels> seen = new java.util.HashSet<>();
        for (int j = 0; j < v.size; j++) if (!seen.add(v.labels[j])) throw duplicateLabelset();
    }

    static EvaluationException duplicateLabelset() {
        return new EvaluationException("vector cannot contain metrics with the same labelset");
    }

    // ---- functions ----

    private List<StepSeries> call(Call c) {
        String name = c.function().name();
        List<Expr> args = unwrappedArgs(c);
        switch (name) {
            case "timestamp":
                if (args.get(0) instanceof VectorSelector vs) return selectInstant(vs, true);
                break;
            case "label_replace":
                return LabelFunctions.labelReplace(this, args);
            case "label_join":
                return LabelFunctions.labelJoin(this, args);
            case "start":
                return constant(q.queryStart / 1000.0);
            case "end":
                return constant(q.queryEnd / 1000.0);
            case "range":
                return constant((q.queryEnd - q.queryStart) / 1000.0);
            case "step":
                return constant(q.queryStart == q.queryEnd ? 0 : q.durations.stepSeconds());
            case "info":
            case "start_timestamp":
                throw new NotSupportedException("function \"" + name + "\"");
            default:
                break;
        }
        for (int i = 0; i < args.size(); i++) {
            Expr a = args.get(i);
            if (a instanceof MatrixSelector || a instanceof SubqueryExpr) return RangeFunctions.eval(this, c, args, i);
        }
        if ((name.equals("sort") || name.equals("sort_desc") || name.equals("sort_by_label")
                || name.equals("sort_by_label_desc")) && start != end) {
            q.annotations.warn("sort is ineffective for range queries since results are always ordered by labels",
                    c.positionRange());
        }
        return InstantFunctions.eval(this, c, args);
    }

    /** A call's arguments without enclosing parentheses, as Prometheus's preprocessing leaves them. */
    static List<Expr> unwrappedArgs(Call c) {
        List<Expr> out = new ArrayList<>(c.args().size());
        for (Expr a : c.args()) out.add(Exprs.unwrapParens(a));
        return out;
    }

    static String stringArg(Expr e) {
        Expr inner = Exprs.unwrapParens(e);
        if (inner instanceof StringLiteral s) return s.value();
        throw new EvaluationException("expected a string literal, got " + e);
    }

    /** Evaluates the arguments of a call over instant vectors and scalars; strings evaluate to nothing. */
    List<List<StepSeries>> evalArgs(List<Expr> args) {
        List<List<StepSeries>> out = new ArrayList<>(args.size());
        for (Expr a : args) out.add(a.type() == ValueType.STRING ? new ArrayList<>() : eval(a));
        return out;
    }

    // ---- labels ----

    /** Labels without the metric name and the other metadata labels Prometheus drops with it. */
    static Labels dropMetricName(Labels l) {
        if (!l.has(Labels.METRIC_NAME) && !l.has("__type__") && !l.has("__unit__")) return l;
        return l.toBuilder().remove(Labels.METRIC_NAME).remove("__type__").remove("__unit__").build();
    }

    /**
     * Merges series that ended up with the same labels (after relabelling or dropping the metric
     * name) into one, failing when two of them have a point at the same time.
     */
    List<StepSeries> mergeSameLabels(List<StepSeries> in) {
        if (in.size() < 2) return in;
        Map<Labels, Integer> first = new HashMap<>(in.size() * 2);
        boolean duplicates = false;
        for (int i = 0; i < in.size(); i++) {
            if (first.putIfAbsent(in.get(i).labels, i) != null) {
                duplicates = true;
                break;
            }
        }
        if (!duplicates) return in;
        Map<Labels, List<StepSeries>> groups = new java.util.LinkedHashMap<>();
        for (StepSeries s : in) groups.computeIfAbsent(s.labels, k -> new ArrayList<>()).add(s);
        List<StepSeries> out = new ArrayList<>(groups.size());
        for (List<StepSeries> g : groups.values()) {
            if (g.size() == 1) {
                out.add(g.get(0));
                continue;
            }
            out.add(mergePoints(g));
        }
        return out;
    }

    private StepSeries mergePoints(List<StepSeries> group) {
        StepSeries base = group.get(0);
        int total = 0;
        for (StepSeries s : group) total += s.size;
        long[] ts = new long[total];
        int[] owner = new int[total];
        int[] index = new int[total];
        int k = 0;
        for (int g = 0; g < group.size(); g++) {
            StepSeries s = group.get(g);
            for (int i = 0; i < s.size; i++) {
                ts[k] = s.t[i];
                owner[k] = g;
                index[k++] = i;
            }
        }
        Integer[] order = new Integer[total];
        for (int i = 0; i < total; i++) order[i] = i;
        Arrays.sort(order, (a, b) -> Long.compare(ts[a], ts[b]));
        StepSeries merged = new StepSeries(base.labels, base.dropName, total);
        for (int i = 0; i < total; i++) {
            int o = order[i];
            if (i > 0 && ts[o] == ts[order[i - 1]]) throw duplicateLabelset();
            StepSeries s = group.get(owner[o]);
            merged.add(ts[o], s.f[index[o]], s.h == null ? null : s.h[index[o]]);
        }
        return merged;
    }

    static long samples(List<StepSeries> in) {
        long n = 0;
        for (StepSeries s : in) n += s.sampleCount();
        return n;
    }
}
