package io.mnemo.promql.eval;

import io.mnemo.promql.EvaluationException;
import io.mnemo.tsdb.HistogramIterator;
import io.mnemo.promql.NotSupportedException;
import io.mnemo.promql.ast.At;
import io.mnemo.promql.ast.Call;
import io.mnemo.promql.ast.Expr;
import io.mnemo.promql.ast.MatrixSelector;
import io.mnemo.promql.ast.PositionRange;
import io.mnemo.promql.ast.SubqueryExpr;
import io.mnemo.promql.ast.VectorSelector;
import io.mnemo.promql.text.GoQuoting;
import io.mnemo.promql.value.ValueType;
import io.mnemo.tsdb.GoFloats;
import io.mnemo.tsdb.Labels;
import io.mnemo.tsdb.SampleIterator;
import io.mnemo.tsdb.Series;
import io.mnemo.tsdb.SeriesSet;
import io.mnemo.tsdb.histogram.FloatHistogram;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.function.Consumer;

/**
 * The functions over range vectors ({@code rate}, {@code *_over_time}, {@code deriv}, ...). For
 * each series of a range selector or subquery a {@link Window} slides over its samples step by
 * step; the function computes one value (or none) from each window.
 */
final class RangeFunctions {
    private RangeFunctions() {}

    /** One function call on one window; the result goes into the call. */
    private interface Fn {
        void apply(Window w, RangeCall c);
    }

    /** The inputs of a range function at one step of one series, and its result. */
    static final class RangeCall {
        Evaluator ev;
        Call call;
        List<Expr> args;
        int matrixArg;
        /** The step's time and the window (rangeStart, rangeEnd]. */
        long ts;
        long rangeStart;
        long rangeEnd;
        long rangeMillis;
        /** Scalar arguments at this step, by argument position. */
        double[] scalars;
        Labels metric;
        boolean present;
        double f;
        FloatHistogram h;

        void set(double v) {
            present = true;
            f = v;
            h = null;
        }

        void set(FloatHistogram v) {
            present = true;
            h = v;
            f = 0;
        }

        String metricName() { return metric.metricName(); }

        /** Position of the range argument, which the annotations point at. */
        PositionRange pos() { return args.get(matrixArg).positionRange(); }

        PositionRange argPos(int i) { return args.get(i).positionRange(); }

        void warn(String message) { ev.q.annotations.warn(message, pos()); }

        void info(String message) { ev.q.annotations.info(message, pos()); }
    }

    static List<StepSeries> eval(Evaluator ev, Call c, List<Expr> args, int matrixArg) {
        List<StepSeries> out = new ArrayList<>();
        evalInto(ev, c, args, matrixArg, out::add);
        String name = c.function().name();
        Expr arg = args.get(matrixArg);
        if (name.equals("absent_over_time")) return absentOverTime(ev, out, arg, true);
        if (!ev.q.delayedNameRemoval) {
            HashSet<Labels> seen = new HashSet<>();
            for (StepSeries s : out) if (!seen.add(s.labels)) throw Evaluator.duplicateLabelset();
        }
        return out;
    }

    /** Whether {@link #evalInto} gives the whole answer of this call (absent_over_time needs all series first). */
    static boolean streams(Call c) {
        return !c.function().name().equals("absent_over_time");
    }

    /**
     * Evaluates the call series by series, handing each output series to {@code sink} as soon as it
     * is complete, without the checks over the whole output (duplicate label sets, absent_over_time):
     * {@link #eval} adds those; a streaming caller does its own.
     */
    static void evalInto(Evaluator ev, Call c, List<Expr> args, int matrixArg, Consumer<StepSeries> sink) {
        String name = c.function().name();
        Fn fn = function(name);
        double[][] scalars = new double[args.size()][];
        for (int i = 0; i < args.size(); i++) {
            if (i != matrixArg && args.get(i).type() == ValueType.SCALAR) scalars[i] = ev.scalarValues(args.get(i));
        }
        Expr arg = args.get(matrixArg);
        long range;
        long offset;
        At at;
        SeriesSet storage = null;
        VectorSelector selector = null;
        List<StepSeries> subquery = null;
        if (arg instanceof MatrixSelector m) {
            VectorSelector vs = m.vectorSelector();
            selector = vs;
            if (vs.anchored() || vs.smoothed()) throw new NotSupportedException("the " + (vs.anchored() ? "anchored" : "smoothed") + " modifier");
            range = ev.q.durations.rangeMillis(m);
            offset = ev.q.durations.offsetMillis(vs);
            at = vs.at();
            storage = ev.select(vs);
        } else {
            SubqueryExpr s = (SubqueryExpr) arg;
            range = ev.q.durations.rangeMillis(s);
            offset = ev.q.durations.offsetMillis(s);
            at = s.at();
            subquery = ev.subquery(s);
            for (StepSeries ss : subquery) {
                if (ss.h == null) continue;
                // Counter reset hints of a subquery's points would claim what is unknown between them.
                for (int i = 0; i < ss.size; i++) if (ss.h[i] != null) ss.h[i] = ss.h[i].withUnknownCounterReset();
            }
        }
        long atTime = at == null ? 0 : at.resolve(ev.q.queryStart, ev.q.queryEnd);
        boolean keepsName = name.equals("last_over_time") || name.equals("first_over_time");
        boolean counterCheck = name.equals("rate") || name.equals("increase");

        RangeCall rc = new RangeCall();
        rc.ev = ev;
        rc.call = c;
        rc.args = args;
        rc.matrixArg = matrixArg;
        rc.rangeMillis = range;
        rc.scalars = new double[args.size()];
        Window w = new Window(ev.q);
        try {
            int next = 0;
            while (true) {
                Labels labels;
                boolean inputDropName;
                SampleIterator it;
                if (storage != null) {
                    if (!storage.next()) break;
                    Series s = storage.at();
                    labels = s.labels();
                    inputDropName = false;
                    it = ev.q.iterator(selector, s);
                } else {
                    if (next >= subquery.size()) break;
                    StepSeries s = subquery.get(next++);
                    labels = s.labels;
                    inputDropName = s.dropName;
                    it = new PointsIterator(s);
                }
                ev.q.checkCanceledSometimes();
                boolean dropName = !keepsName || inputDropName;
                StepSeries ss = new StepSeries(dropName && !ev.q.delayedNameRemoval ? Evaluator.dropMetricName(labels) : labels,
                        dropName, ev.steps);
                rc.metric = labels;
                w.reset(it);
                for (long step = 0; step < ev.steps; step++) {
                    ev.q.checkCanceledSometimes();
                    long ts = ev.stepTime(step);
                    long ref = (at != null ? atTime : ts) - offset;
                    w.advance(ref - range, ref);
                    if (w.isEmpty()) {
                        // Go straight to the first step whose window can hold the next sample: a sparse
                        // series costs its samples, not the steps between them.
                        long nextT = w.nextTimestamp();
                        if (nextT == Long.MAX_VALUE || at != null) break;
                        step = Math.max(step, ev.firstStepAtOrAfter(nextT + offset) - 1);
                        continue;
                    }
                    for (int i = 0; i < scalars.length; i++) if (scalars[i] != null) rc.scalars[i] = scalars[i][(int) step];
                    rc.ts = ts;
                    rc.rangeStart = ref - range;
                    rc.rangeEnd = ref;
                    rc.present = false;
                    fn.apply(w, rc);
                    if (!rc.present) continue;
                    ev.q.take(rc.h == null ? 1 : rc.h.sampleSize());
                    ss.add(ts, rc.f, rc.h);
                }
                if (ss.size == 0) continue;
                if (counterCheck && hasFloat(ss)) {
                    String metricName = labels.metricName();
                    // Once per run of series of one name: the note is the same for each, and building it
                    // for each of 100,000 series was a tenth of a heavy query's garbage.
                    Object expr = args.get(0);
                    if (!metricName.isEmpty() && !metricName.endsWith("_total") && !metricName.endsWith("_sum")
                            && !metricName.endsWith("_count") && !metricName.endsWith("_bucket")
                            && (!metricName.equals(ev.q.nonCounterNoted) || ev.q.nonCounterNotedAt != expr)) {
                        ev.q.nonCounterNoted = metricName;
                        ev.q.nonCounterNotedAt = expr;
                        ev.q.annotations.info("metric might not be a counter, name does not end in _total/_sum/_count/_bucket: "
                                + GoQuoting.quote(metricName), args.get(0).positionRange());
                    }
                }
                sink.accept(ss);
            }
        } finally { // also when the sink stops the walk
            w.release();
            if (subquery != null) ev.q.release(Evaluator.samples(subquery));
        }
    }

    private static boolean hasFloat(StepSeries s) {
        if (s.h == null) return s.size > 0;
        for (int i = 0; i < s.size; i++) if (s.h[i] == null) return true;
        return false;
    }

    /** One series with 1 at the steps where no input series had samples in its window. */
    private static List<StepSeries> absentOverTime(Evaluator ev, List<StepSeries> found, Expr arg, boolean dropName) {
        for (StepSeries s : found) {
            if (s.size == ev.steps) {
                ev.q.release(Evaluator.samples(found));
                return new ArrayList<>();
            }
        }
        int steps = ev.takeStepArray();
        boolean[] present = new boolean[steps];
        int count = 0;
        for (StepSeries s : found) {
            for (int i = 0; i < s.size; i++) {
                int step = ev.stepIndex(s.t[i]);
                if (!present[step]) {
                    present[step] = true;
                    count++;
                }
            }
        }
        ev.q.release(Evaluator.samples(found));
        List<StepSeries> out = new ArrayList<>();
        if (count < steps) {
            ev.q.take(steps - count);
            StepSeries s = new StepSeries(InstantFunctions.absentLabels(arg), dropName, steps - count);
            for (int i = 0; i < steps; i++) if (!present[i]) s.add(ev.stepTime(i), 1, null);
            out.add(s);
        }
        ev.q.release(steps);
        return out;
    }

    private static Fn function(String name) {
        return switch (name) {
            case "rate" -> (w, c) -> extrapolatedRate(w, c, true, true);
            case "increase" -> (w, c) -> extrapolatedRate(w, c, true, false);
            case "delta" -> (w, c) -> extrapolatedRate(w, c, false, false);
            case "irate" -> (w, c) -> instantValue(w, c, true);
            case "idelta" -> (w, c) -> instantValue(w, c, false);
            case "avg_over_time" -> RangeFunctions::avgOverTime;
            case "sum_over_time" -> RangeFunctions::sumOverTime;
            case "count_over_time" -> (w, c) -> c.set(w.floatCount() + w.histogramCount());
            case "present_over_time", "absent_over_time" -> (w, c) -> c.set(1);
            case "last_over_time" -> RangeFunctions::lastOverTime;
            case "first_over_time" -> RangeFunctions::firstOverTime;
            case "max_over_time" -> (w, c) -> compareOverTime(w, c, false, false);
            case "min_over_time" -> (w, c) -> compareOverTime(w, c, true, false);
            case "ts_of_max_over_time" -> (w, c) -> compareOverTime(w, c, false, true);
            case "ts_of_min_over_time" -> (w, c) -> compareOverTime(w, c, true, true);
            case "ts_of_first_over_time" -> (w, c) -> {
                long t = Long.MAX_VALUE;
                if (w.floatCount() > 0) t = w.floatT(0);
                if (w.histogramCount() > 0) t = Math.min(t, w.histT(0));
                c.set(t / 1000.0);
            };
            case "ts_of_last_over_time" -> (w, c) -> {
                long t = 0;
                if (w.floatCount() > 0) t = w.floatT(w.floatCount() - 1);
                if (w.histogramCount() > 0) t = Math.max(t, w.histT(w.histogramCount() - 1));
                c.set(t / 1000.0);
            };
            case "stddev_over_time" -> (w, c) -> varianceOverTime(w, c, true);
            case "stdvar_over_time" -> (w, c) -> varianceOverTime(w, c, false);
            case "quantile_over_time" -> RangeFunctions::quantileOverTime;
            case "mad_over_time" -> RangeFunctions::madOverTime;
            case "changes" -> RangeFunctions::changes;
            case "resets" -> RangeFunctions::resets;
            case "deriv" -> RangeFunctions::deriv;
            case "predict_linear" -> RangeFunctions::predictLinear;
            case "double_exponential_smoothing" -> RangeFunctions::doubleExponentialSmoothing;
            default -> throw new NotSupportedException("function \"" + name + "\"");
        };
    }

    private static String quotedName(RangeCall c) { return GoQuoting.quote(c.metricName()); }

    private static void mixedWarning(RangeCall c) {
        c.warn("encountered a mix of histograms and floats for metric name " + quotedName(c));
    }

    private static void ignoredHistogramsInfo(RangeCall c, PositionRange pos) {
        c.ev.q.annotations.info("ignored histograms in a range containing both floats and histograms for metric name "
                + quotedName(c), pos);
    }

    // ---- rate, increase, delta ----

    /**
     * The increase (or delta) over the window, extrapolated towards the window's boundaries when
     * the first and last samples are close enough to them (within 110% of the average sample
     * interval), else by half an interval; a counter is not extrapolated below zero.
     */
    private static void extrapolatedRate(Window w, RangeCall c, boolean isCounter, boolean isRate) {
        int nf = w.floatCount();
        int nh = w.histogramCount();
        if (nf > 0 && nh > 0) {
            mixedWarning(c);
            return;
        }
        double result = 0;
        FloatHistogram resultH = null;
        long firstT;
        long lastT;
        int intervals;
        if (nh > 0) {
            intervals = nh - 1;
            firstT = w.histT(0);
            lastT = w.histT(nh - 1);
            if (nh > 1) {
                resultH = NativeHistograms.rate(w, c, isCounter);
                if (resultH == null) return;
            }
        } else {
            intervals = nf - 1;
            firstT = w.floatT(0);
            lastT = w.floatT(nf - 1);
            result = w.floatV(nf - 1) - w.floatV(0);
            if (isCounter) {
                for (int i = 1; i < nf; i++) {
                    double prev = w.floatV(i - 1);
                    if (w.floatV(i) < prev) result += prev;
                }
            }
        }
        if (intervals == 0) return;
        double durationToStart = (firstT - c.rangeStart) / 1000.0;
        double durationToEnd = (c.rangeEnd - lastT) / 1000.0;
        double sampledInterval = (lastT - firstT) / 1000.0;
        double averageInterval = sampledInterval / intervals;
        double threshold = averageInterval * 1.1;
        if (durationToStart >= threshold) durationToStart = averageInterval / 2;
        if (isCounter) {
            double durationToZero = durationToStart;
            if (result > 0 && nf > 0 && w.floatV(0) >= 0) {
                durationToZero = sampledInterval * (w.floatV(0) / result);
            } else if (resultH != null && resultH.count() > 0 && nh > 0 && w.hist(0).count() >= 0) {
                durationToZero = sampledInterval * (w.hist(0).count() / resultH.count());
            }
            if (durationToZero < durationToStart) durationToStart = durationToZero;
        }
        if (durationToEnd >= threshold) durationToEnd = averageInterval / 2;
        double factor = sampledInterval != 0 ? (sampledInterval + durationToStart + durationToEnd) / sampledInterval : 1;
        if (isRate) factor /= c.rangeMillis / 1000.0;
        if (resultH == null) c.set(result * factor);
        else c.set(resultH.mul(factor));
    }

    // ---- irate, idelta ----

    /** From the last two samples: their difference (per second for irate, which also knows counter resets). */
    private static void instantValue(Window w, RangeCall c, boolean isRate) {
        int nf = w.floatCount();
        int nh = w.histogramCount();
        if (nf + nh < 2) return;
        // The two newest samples, whatever their type.
        long t0 = 0;
        long t1 = 0;
        double f0 = 0;
        double f1 = 0;
        FloatHistogram h0 = null;
        FloatHistogram h1 = null;
        int taken = 0;
        int fi = nf - 1;
        int hi = nh - 1;
        while (taken < 2) {
            boolean takeFloat = hi < 0 || (fi >= 0 && w.floatT(fi) >= w.histT(hi));
            long t = takeFloat ? w.floatT(fi) : w.histT(hi);
            double f = takeFloat ? w.floatV(fi) : 0;
            FloatHistogram h = takeFloat ? null : w.hist(hi);
            if (takeFloat) fi--;
            else hi--;
            if (taken == 0) {
                t1 = t;
                f1 = f;
                h1 = h;
            } else {
                t0 = t;
                f0 = f;
                h0 = h;
            }
            taken++;
        }
        long sampledInterval = t1 - t0;
        if (sampledInterval == 0) return;
        double rf;
        FloatHistogram rh = null;
        if (h0 == null && h1 == null) {
            rf = (!isRate || !(f1 < f0)) ? f1 - f0 : f1;
        } else if (h0 != null && h1 != null) {
            rf = 0;
            rh = h1.copy();
            FloatHistogram.CounterResetHint gauge = FloatHistogram.CounterResetHint.GAUGE;
            if (isRate && (h1.counterResetHint() == gauge || h0.counterResetHint() == gauge)) {
                c.warn("this native histogram metric is not a counter: " + quotedName(c));
            }
            if (!isRate && (h1.counterResetHint() != gauge || h0.counterResetHint() != gauge)) {
                c.warn("this native histogram metric is not a gauge: " + quotedName(c));
            }
            if (!isRate || !h1.detectReset(h0)) {
                try {
                    int flags = rh.sub(h0);
                    if ((flags & FloatHistogram.CUSTOM_BUCKETS_RECONCILED) != 0) {
                        c.info("mismatched custom buckets were reconciled during subtraction");
                    }
                } catch (FloatHistogram.IncompatibleSchemaException e) {
                    c.warn("vector contains a mix of histograms with exponential and custom buckets schemas for metric name "
                            + quotedName(c));
                    return;
                }
            }
            rh.setCounterResetHint(gauge);
            rh = rh.compact();
        } else {
            mixedWarning(c);
            return;
        }
        if (isRate) {
            if (rh == null) rf /= sampledInterval / 1000.0;
            else rh.div(sampledInterval / 1000.0);
        }
        if (rh == null) c.set(rf);
        else c.set(rh);
    }

    // ---- aggregations over time ----

    private static void avgOverTime(Window w, RangeCall c) {
        int nf = w.floatCount();
        int nh = w.histogramCount();
        if (nf > 0 && nh > 0) {
            mixedWarning(c);
            return;
        }
        if (nf == 0) {
            NativeHistograms.avgOverTime(w, c);
            return;
        }
        double sum = w.floatV(0);
        double count = 1;
        double mean = 0;
        double kahanC = 0;
        boolean incremental = false;
        for (int i = 1; i < nf; i++) {
            double f = w.floatV(i);
            count = i + 1;
            if (!incremental) {
                KahanSum k = new KahanSum(sum, kahanC);
                k.add(f);
                if (!Double.isInfinite(k.sum)) {
                    sum = k.sum;
                    kahanC = k.c;
                    continue;
                }
                incremental = true;
                mean = sum / (count - 1);
                kahanC /= count - 1;
            }
            double q = (count - 1) / count;
            KahanSum k = new KahanSum(q * mean, q * kahanC);
            k.add(f / count);
            mean = k.sum;
            kahanC = k.c;
        }
        c.set(incremental ? mean + kahanC : sum / count + kahanC / count);
    }

    private static void sumOverTime(Window w, RangeCall c) {
        int nf = w.floatCount();
        int nh = w.histogramCount();
        if (nf > 0 && nh > 0) {
            mixedWarning(c);
            return;
        }
        if (nf == 0) {
            NativeHistograms.sumOverTime(w, c);
            return;
        }
        KahanSum k = new KahanSum();
        for (int i = 0; i < nf; i++) k.add(w.floatV(i));
        c.set(Double.isInfinite(k.sum) ? k.sum : k.sum + k.c);
    }

    private static void lastOverTime(Window w, RangeCall c) {
        int nf = w.floatCount();
        int nh = w.histogramCount();
        if (nh == 0 || (nf > 0 && w.histT(nh - 1) < w.floatT(nf - 1))) c.set(w.floatV(nf - 1));
        else c.set(w.hist(nh - 1).copy());
    }

    private static void firstOverTime(Window w, RangeCall c) {
        int nf = w.floatCount();
        int nh = w.histogramCount();
        if (nh == 0 || (nf > 0 && w.floatT(0) < w.histT(0))) c.set(w.floatV(0));
        else c.set(w.hist(0).copy());
    }

    private static void compareOverTime(Window w, RangeCall c, boolean min, boolean timestamp) {
        int nf = w.floatCount();
        if (nf == 0) return;
        if (w.histogramCount() > 0) ignoredHistogramsInfo(c, c.argPos(0));
        double best = w.floatV(0);
        long bestT = w.floatT(0);
        for (int i = 0; i < nf; i++) {
            double f = w.floatV(i);
            boolean better;
            if (timestamp) better = (min ? f <= best : f >= best) || Double.isNaN(best);
            else better = (min ? f < best : f > best) || Double.isNaN(best);
            if (better) {
                best = f;
                bestT = w.floatT(i);
            }
        }
        c.set(timestamp ? bestT / 1000.0 : best);
    }

    private static void varianceOverTime(Window w, RangeCall c, boolean stddev) {
        int nf = w.floatCount();
        if (nf == 0) return;
        if (w.histogramCount() > 0) ignoredHistogramsInfo(c, c.argPos(0));
        double count = 0;
        KahanSum mean = new KahanSum();
        KahanSum aux = new KahanSum();
        for (int i = 0; i < nf; i++) {
            double f = w.floatV(i);
            count++;
            double delta = f - (mean.sum + mean.c);
            mean.add(delta / count);
            aux.add(delta * (f - (mean.sum + mean.c)));
        }
        double variance = (aux.sum + aux.c) / count;
        c.set(stddev ? Math.sqrt(variance) : variance);
    }

    private static void quantileOverTime(Window w, RangeCall c) {
        int nf = w.floatCount();
        if (nf == 0) return;
        double q = c.scalars[0];
        if (Double.isNaN(q) || q < 0 || q > 1) {
            c.ev.q.annotations.warn("quantile value should be between 0 and 1, got " + GoFloats.formatG(q), c.argPos(0));
        }
        if (w.histogramCount() > 0) ignoredHistogramsInfo(c, c.argPos(0));
        double[] values = new double[nf];
        for (int i = 0; i < nf; i++) values[i] = w.floatV(i);
        c.set(Quantiles.quantile(q, values, nf));
    }

    private static void madOverTime(Window w, RangeCall c) {
        int nf = w.floatCount();
        if (nf == 0) return;
        if (w.histogramCount() > 0) ignoredHistogramsInfo(c, c.argPos(0));
        double[] values = new double[nf];
        for (int i = 0; i < nf; i++) {
            values[i] = w.floatV(i);
            if (Double.isNaN(values[i])) {
                c.set(Double.NaN);
                return;
            }
        }
        double median = Quantiles.quantile(0.5, values, nf);
        for (int i = 0; i < nf; i++) values[i] = Math.abs(values[i] - median);
        c.set(Quantiles.quantile(0.5, values, nf));
    }

    // ---- changes, resets ----

    private static void changes(Window w, RangeCall c) {
        int changes = 0;
        int fi = 0;
        int hi = 0;
        boolean first = true;
        double prevF = 0;
        FloatHistogram prevH = null;
        while (fi < w.floatCount() || hi < w.histogramCount()) {
            double curF = 0;
            FloatHistogram curH = null;
            if (hi >= w.histogramCount() || (fi < w.floatCount() && w.floatT(fi) < w.histT(hi))) {
                curF = w.floatV(fi++);
            } else {
                curH = w.hist(hi++);
            }
            if (!first) {
                if (prevH == null && curH == null) {
                    if (curF != prevF && !(Double.isNaN(curF) && Double.isNaN(prevF))) changes++;
                } else if (prevH == null || curH == null) {
                    changes++;
                } else if (!curH.equalsHistogram(prevH)) {
                    changes++;
                }
            }
            first = false;
            prevF = curF;
            prevH = curH;
        }
        c.set(changes);
    }

    private static void resets(Window w, RangeCall c) {
        int resets = 0;
        int fi = 0;
        int hi = 0;
        boolean first = true;
        double prevF = 0;
        FloatHistogram prevH = null;
        while (fi < w.floatCount() || hi < w.histogramCount()) {
            double curF = 0;
            FloatHistogram curH = null;
            if (hi >= w.histogramCount() || (fi < w.floatCount() && w.floatT(fi) < w.histT(hi))) {
                curF = w.floatV(fi++);
            } else {
                curH = w.hist(hi++);
            }
            if (!first) {
                if (prevH == null && curH == null) {
                    if (curF < prevF) resets++;
                } else if (prevH == null || curH == null) {
                    resets++;
                } else if (curH.detectReset(prevH)) {
                    resets++;
                }
            }
            first = false;
            prevF = curF;
            prevH = curH;
        }
        c.set(resets);
    }

    // ---- deriv, predict_linear, double_exponential_smoothing ----

    /** Least-squares slope and intercept (at interceptTime) of the window's floats, with Kahan sums. */
    private static double[] linearRegression(Window w, long interceptTime) {
        int n = w.floatCount();
        KahanSum sumX = new KahanSum();
        KahanSum sumY = new KahanSum();
        KahanSum sumXY = new KahanSum();
        KahanSum sumX2 = new KahanSum();
        double initY = w.floatV(0);
        boolean constY = true;
        for (int i = 0; i < n; i++) {
            double y = w.floatV(i);
            if (constY && i > 0 && y != initY) constY = false;
            double x = (w.floatT(i) - interceptTime) / 1e3;
            sumX.add(x);
            sumY.add(y);
            sumXY.add(x * y);
            sumX2.add(x * x);
        }
        if (constY) {
            if (Double.isInfinite(initY)) return new double[] {Double.NaN, Double.NaN};
            return new double[] {0, initY};
        }
        double sx = sumX.sum + sumX.c;
        double sy = sumY.sum + sumY.c;
        double sxy = sumXY.sum + sumXY.c;
        double sx2 = sumX2.sum + sumX2.c;
        double covXY = sxy - sx * sy / n;
        double varX = sx2 - sx * sx / n;
        double slope = covXY / varX;
        double intercept = sy / n - slope * sx / n;
        return new double[] {slope, intercept};
    }

    /** Whether there are too few floats for a trend; notes histograms left out of a mixed range. */
    private static boolean tooFewFloats(Window w, RangeCall c) {
        if (w.floatCount() >= 2) return false;
        if (w.floatCount() == 1 && w.histogramCount() > 0) ignoredHistogramsInfo(c, c.pos());
        return true;
    }

    private static void deriv(Window w, RangeCall c) {
        if (tooFewFloats(w, c)) return;
        double[] r = linearRegression(w, w.floatT(0));
        if (w.histogramCount() > 0) ignoredHistogramsInfo(c, c.pos());
        c.set(r[0]);
    }

    private static void predictLinear(Window w, RangeCall c) {
        if (tooFewFloats(w, c)) return;
        double[] r = linearRegression(w, c.ts);
        if (w.histogramCount() > 0) ignoredHistogramsInfo(c, c.pos());
        c.set(r[0] * c.scalars[1] + r[1]);
    }

    private static void doubleExponentialSmoothing(Window w, RangeCall c) {
        double sf = c.scalars[1];
        double tf = c.scalars[2];
        if (sf <= 0 || sf >= 1) {
            throw new EvaluationException("invalid smoothing factor. Expected: 0 < sf < 1, got: " + GoFloats.formatFixed6(sf));
        }
        if (tf <= 0 || tf >= 1) {
            throw new EvaluationException("invalid trend factor. Expected: 0 < tf < 1, got: " + GoFloats.formatFixed6(tf));
        }
        if (tooFewFloats(w, c)) return;
        int l = w.floatCount();
        double s0 = 0;
        double s1 = w.floatV(0);
        double b = w.floatV(1) - w.floatV(0);
        for (int i = 1; i < l; i++) {
            double x = sf * w.floatV(i);
            if (i - 1 != 0) b = tf * (s1 - s0) + (1 - tf) * b;
            double y = (1 - sf) * (s1 + b);
            s0 = s1;
            s1 = x + y;
        }
        if (w.histogramCount() > 0) ignoredHistogramsInfo(c, c.pos());
        c.set(s1);
    }

    /** Iterates the points of a subquery's result series, as if they came from storage. */
    static final class PointsIterator implements HistogramIterator {
        private final StepSeries s;
        private int i = -1;

        PointsIterator(StepSeries s) { this.s = s; }

        @Override
        public boolean next() {
            if (i < s.size) i++;
            return i < s.size;
        }

        @Override
        public boolean seek(long t) {
            if (i < 0) i = 0;
            while (i < s.size && s.t[i] < t) i++;
            return i < s.size;
        }

        @Override
        public long timestamp() { return s.t[i]; }

        @Override
        public double value() { return s.f[i]; }

        @Override
        public FloatHistogram histogram() { return s.h == null ? null : s.h[i]; }
    }
}
