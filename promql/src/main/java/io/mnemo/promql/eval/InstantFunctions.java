package io.mnemo.promql.eval;

import io.mnemo.promql.NotSupportedException;
import io.mnemo.promql.ast.Call;
import io.mnemo.promql.ast.Expr;
import io.mnemo.promql.ast.MatrixSelector;
import io.mnemo.promql.ast.PositionRange;
import io.mnemo.promql.ast.VectorSelector;
import io.mnemo.tsdb.GoFloats;
import io.mnemo.tsdb.LabelMatcher;
import io.mnemo.tsdb.Labels;
import io.mnemo.tsdb.histogram.FloatHistogram;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.DoubleUnaryOperator;
import java.util.function.ToDoubleFunction;

/**
 * The functions over instant vectors and scalars, evaluated step by step: math, clamping and
 * rounding, date functions, sorting, histogram functions, scalar/vector conversions and absent.
 */
final class InstantFunctions {
    private InstantFunctions() {}

    /** One function at one step: the evaluated arguments in, the result vector out. */
    private interface Fn {
        void apply(Evaluator ev, Call call, List<Expr> args, StepVector[] in, StepVector out, long ts);
    }

    static List<StepSeries> eval(Evaluator ev, Call c, List<Expr> args) {
        PointFn pointFn = pointFunction(c.function().name(), args);
        if (pointFn != null) return mapSeries(ev, args, pointFn, c.function().name().startsWith("histogram_"));
        Fn fn = function(c.function().name());
        List<List<StepSeries>> inputs = ev.evalArgs(args);
        if (fn instanceof HistogramFn hf) hf.reset();
        return ev.rangeEval((in, out, ts) -> fn.apply(ev, c, args, in, out, ts), inputs, null);
    }

    /** A function of each sample on its own, given the scalar arguments by step; false leaves the sample out. */
    private interface PointFn {
        boolean apply(double f, FloatHistogram h, long ts, double[][] scalars, int step, double[] out);
    }

    /** The functions that map each sample to one (or no) sample of the same series, or null. */
    private static PointFn pointFunction(String name, List<Expr> args) {
        return switch (name) {
            case "abs" -> floatsOnly(Math::abs);
            case "ceil" -> floatsOnly(Math::ceil);
            case "floor" -> floatsOnly(Math::floor);
            case "exp" -> floatsOnly(Math::exp);
            case "sqrt" -> floatsOnly(Math::sqrt);
            case "ln" -> floatsOnly(Math::log);
            case "log2" -> floatsOnly(InstantFunctions::log2);
            case "log10" -> floatsOnly(Math::log10);
            case "sin" -> floatsOnly(Math::sin);
            case "cos" -> floatsOnly(Math::cos);
            case "tan" -> floatsOnly(Math::tan);
            case "asin" -> floatsOnly(Math::asin);
            case "acos" -> floatsOnly(Math::acos);
            case "atan" -> floatsOnly(Math::atan);
            case "sinh" -> floatsOnly(Math::sinh);
            case "cosh" -> floatsOnly(Math::cosh);
            case "tanh" -> floatsOnly(Math::tanh);
            case "asinh" -> floatsOnly(GoMath::asinh);
            case "acosh" -> floatsOnly(GoMath::acosh);
            case "atanh" -> floatsOnly(GoMath::atanh);
            case "rad" -> floatsOnly(v -> v * Math.PI / 180);
            case "deg" -> floatsOnly(v -> v * 180 / Math.PI);
            case "sgn" -> floatsOnly(v -> v < 0 ? -1 : v > 0 ? 1 : v);
            case "clamp" -> (f, h, ts, sc, step, out) -> clampPoint(f, h, sc[1][step], sc[2][step], out);
            case "clamp_min" -> (f, h, ts, sc, step, out) -> clampPoint(f, h, sc[1][step], Double.POSITIVE_INFINITY, out);
            case "clamp_max" -> (f, h, ts, sc, step, out) -> clampPoint(f, h, Double.NEGATIVE_INFINITY, sc[1][step], out);
            case "round" -> (f, h, ts, sc, step, out) -> {
                if (h != null) return false;
                double inverse = 1.0 / (sc.length > 1 ? sc[1][step] : 1);
                out[0] = Math.floor(f * inverse + 0.5) / inverse;
                return true;
            };
            case "timestamp" -> (f, h, ts, sc, step, out) -> {
                out[0] = ts / 1000.0;
                return true;
            };
            case "day_of_month" -> args.isEmpty() ? null : datePoint(ZonedDateTime::getDayOfMonth);
            case "day_of_week" -> args.isEmpty() ? null : datePoint(t -> t.getDayOfWeek().getValue() % 7);
            case "day_of_year" -> args.isEmpty() ? null : datePoint(ZonedDateTime::getDayOfYear);
            case "days_in_month" -> args.isEmpty() ? null : datePoint(t -> t.toLocalDate().lengthOfMonth());
            case "hour" -> args.isEmpty() ? null : datePoint(ZonedDateTime::getHour);
            case "minute" -> args.isEmpty() ? null : datePoint(ZonedDateTime::getMinute);
            case "month" -> args.isEmpty() ? null : datePoint(ZonedDateTime::getMonthValue);
            case "year" -> args.isEmpty() ? null : datePoint(ZonedDateTime::getYear);
            case "histogram_count" -> histogramsOnly(FloatHistogram::count);
            case "histogram_sum" -> histogramsOnly(FloatHistogram::sum);
            case "histogram_avg" -> histogramsOnly(h -> h.sum() / h.count());
            case "histogram_stddev" -> histogramsOnly(h -> Math.sqrt(NativeHistograms.variance(h)));
            case "histogram_stdvar" -> histogramsOnly(NativeHistograms::variance);
            default -> null;
        };
    }

    private static PointFn floatsOnly(DoubleUnaryOperator op) {
        return (f, h, ts, sc, step, out) -> {
            if (h != null) return false;
            out[0] = op.applyAsDouble(f);
            return true;
        };
    }

    private static boolean clampPoint(double f, FloatHistogram h, double min, double max, double[] out) {
        if (h != null || max < min) return false;
        out[0] = Math.max(min, Math.min(max, f));
        return true;
    }

    private static PointFn datePoint(ToDoubleFunction<ZonedDateTime> op) {
        return (f, h, ts, sc, step, out) -> {
            if (h != null) return false;
            out[0] = op.applyAsDouble(utc(toInt64(f)));
            return true;
        };
    }

    private static PointFn histogramsOnly(ToDoubleFunction<FloatHistogram> op) {
        return (f, h, ts, sc, step, out) -> {
            if (h == null) return false;
            out[0] = op.applyAsDouble(h);
            return true;
        };
    }

    /**
     * Applies a point function series by series: the result series keep their input's labels
     * (their name goes) and order, without walking the steps across all series.
     */
    private static List<StepSeries> mapSeries(Evaluator ev, List<Expr> args, PointFn fn, boolean histogramFunction) {
        List<StepSeries> in = ev.eval(args.get(0));
        double[][] scalars = new double[args.size()][];
        for (int i = 1; i < args.size(); i++) scalars[i] = ev.scalarValues(args.get(i));
        double[] value = new double[1];
        List<StepSeries> out = new ArrayList<>(in.size());
        for (StepSeries s : in) {
            StepSeries o = null;
            for (int i = 0; i < s.size; i++) {
                int step = (int) ((s.t[i] - ev.start) / ev.interval);
                if (!fn.apply(s.f[i], s.h == null ? null : s.h[i], s.t[i], scalars, step, value)) continue;
                if (o == null) {
                    Labels l = s.labels;
                    if (!ev.q.delayedNameRemoval) {
                        l = histogramFunction ? l.toBuilder().remove(Labels.METRIC_NAME).build() : Evaluator.dropMetricName(l);
                    }
                    o = new StepSeries(l, true, s.size - i);
                }
                o.add(s.t[i], value[0], null);
            }
            if (o != null) out.add(o);
        }
        ev.q.take(Evaluator.samples(out));
        ev.q.release(Evaluator.samples(in));
        return ev.q.delayedNameRemoval ? out : ev.mergeSameLabels(out);
    }

    /** The functions that need the whole vector of a step (or none). */
    private static Fn function(String name) {
        return switch (name) {
            case "scalar" -> (ev, c, args, in, out, ts) -> {
                double value = Double.NaN;
                boolean found = false;
                for (int i = 0; i < in[0].size; i++) {
                    if (in[0].h[i] != null) continue;
                    if (found) {
                        value = Double.NaN;
                        break;
                    }
                    found = true;
                    value = in[0].f[i];
                }
                out.add(Labels.EMPTY, value, null, false);
            };
            case "vector" -> (ev, c, args, in, out, ts) -> out.add(Labels.EMPTY, in[0].f[0], null, false);
            case "time" -> (ev, c, args, in, out, ts) -> out.add(Labels.EMPTY, ts / 1000.0, null, false);
            case "pi" -> (ev, c, args, in, out, ts) -> out.add(Labels.EMPTY, Math.PI, null, false);
            case "max_of" -> (ev, c, args, in, out, ts) -> out.add(Labels.EMPTY, Math.max(in[0].f[0], in[1].f[0]), null, false);
            case "min_of" -> (ev, c, args, in, out, ts) -> out.add(Labels.EMPTY, Math.min(in[0].f[0], in[1].f[0]), null, false);
            case "absent" -> (ev, c, args, in, out, ts) -> {
                if (in[0].isEmpty()) out.add(absentLabels(args.get(0)), 1, null, false);
            };
            // Without an argument the date functions read the evaluation time.
            case "day_of_month" -> now(ZonedDateTime::getDayOfMonth);
            case "day_of_week" -> now(t -> t.getDayOfWeek().getValue() % 7);
            case "day_of_year" -> now(ZonedDateTime::getDayOfYear);
            case "days_in_month" -> now(t -> t.toLocalDate().lengthOfMonth());
            case "hour" -> now(ZonedDateTime::getHour);
            case "minute" -> now(ZonedDateTime::getMinute);
            case "month" -> now(ZonedDateTime::getMonthValue);
            case "year" -> now(ZonedDateTime::getYear);
            case "sort" -> (ev, c, args, in, out, ts) -> sortByValue(in[0], out, false);
            case "sort_desc" -> (ev, c, args, in, out, ts) -> sortByValue(in[0], out, true);
            case "sort_by_label" -> (ev, c, args, in, out, ts) -> sortByLabels(args, in[0], out, false);
            case "sort_by_label_desc" -> (ev, c, args, in, out, ts) -> sortByLabels(args, in[0], out, true);
            case "histogram_quantile" -> new HistogramFn(HistogramFn.Kind.QUANTILE);
            case "histogram_quantiles" -> new HistogramFn(HistogramFn.Kind.QUANTILES);
            case "histogram_fraction" -> new HistogramFn(HistogramFn.Kind.FRACTION);
            default -> throw new NotSupportedException("function \"" + name + "\"");
        };
    }

    /** Labels of a result whose metric name goes: dropped now, unless removal is delayed to the end. */
    static Labels renamed(Evaluator ev, Labels l) {
        return ev.q.delayedNameRemoval ? l : Evaluator.dropMetricName(l);
    }

    /** Go's {@code math.Log2}: exact for powers of two. */
    static double log2(double x) {
        if (Double.isNaN(x) || x < 0) return Double.NaN;
        if (x == 0) return Double.NEGATIVE_INFINITY;
        if (Double.isInfinite(x)) return x;
        int exp = Math.getExponent(x);
        double frac;
        if (exp == Double.MIN_EXPONENT - 1) { // subnormal
            double scaled = x * 0x1p52;
            exp = Math.getExponent(scaled) - 52;
            frac = Math.scalb(scaled, -(Math.getExponent(scaled) + 1));
        } else {
            frac = Math.scalb(x, -(exp + 1));
        }
        exp += 1;
        if (frac == 0.5) return exp - 1;
        return Math.log(frac) * (1 / Math.log(2)) + exp;
    }

    private static Fn now(ToDoubleFunction<ZonedDateTime> f) {
        return (ev, c, args, in, out, ts) -> out.add(Labels.EMPTY, f.applyAsDouble(utc(Math.floorDiv(ts, 1000))), null, false);
    }

    /** Go's float64 to int64 conversion on amd64: truncation, the minimum for NaN and out of range. */
    private static long toInt64(double v) {
        if (Double.isNaN(v) || v >= 9.223372036854775807e18 || v < -9.223372036854775808e18) return Long.MIN_VALUE;
        return (long) v;
    }

    private static ZonedDateTime utc(long seconds) {
        long clamped = Math.max(Instant.MIN.getEpochSecond(), Math.min(Instant.MAX.getEpochSecond(), seconds));
        return Instant.ofEpochSecond(clamped).atZone(ZoneOffset.UTC);
    }

    private static void sortByValue(StepVector v, StepVector out, boolean descending) {
        List<Integer> order = new ArrayList<>(v.size);
        for (int i = 0; i < v.size; i++) if (v.h[i] == null) order.add(i);
        order.sort((a, b) -> {
            double x = v.f[a];
            double y = v.f[b];
            boolean nx = Double.isNaN(x);
            boolean ny = Double.isNaN(y);
            if (nx || ny) return nx == ny ? 0 : nx ? 1 : -1; // NaN last
            if (x == y) return 0;
            return (x < y) != descending ? -1 : 1;
        });
        for (int i : order) out.addFrom(v, i);
    }

    private static void sortByLabels(List<Expr> args, StepVector v, StepVector out, boolean descending) {
        String[] names = new String[args.size() - 1];
        for (int i = 1; i < args.size(); i++) names[i - 1] = Evaluator.stringArg(args.get(i));
        Integer[] order = new Integer[v.size];
        for (int i = 0; i < v.size; i++) order[i] = i;
        Comparator<Integer> cmp = (a, b) -> {
            for (String n : names) {
                String x = v.labels[a].get(n);
                String y = v.labels[b].get(n);
                if (x.equals(y)) continue;
                return NaturalOrder.less(x, y) ? -1 : 1;
            }
            return v.labels[a].compareTo(v.labels[b]);
        };
        Arrays.sort(order, descending ? cmp.reversed() : cmp);
        for (int i : order) out.addFrom(v, i);
    }

    /**
     * The labels absent() returns: those a selector pins with one equality matcher each (other
     * than the name); none for other expressions.
     */
    static Labels absentLabels(Expr e) {
        List<LabelMatcher> matchers;
        if (e instanceof VectorSelector vs) matchers = vs.matchers();
        else if (e instanceof MatrixSelector m) matchers = m.vectorSelector().matchers();
        else return Labels.EMPTY;
        Labels.Builder b = new Labels.Builder();
        Set<String> has = new HashSet<>();
        for (LabelMatcher m : matchers) {
            if (m.name().equals(Labels.METRIC_NAME)) continue;
            if (m.type() == LabelMatcher.Type.EQUAL && !has.contains(m.name())) {
                b.set(m.name(), m.value());
                has.add(m.name());
            } else {
                b.remove(m.name());
            }
        }
        return b.build();
    }

    /**
     * histogram_quantile, histogram_quantiles and histogram_fraction over native histograms and
     * over classic histograms (series with an {@code le} label grouped by their other labels).
     */
    private static final class HistogramFn implements Fn {
        enum Kind { QUANTILE, QUANTILES, FRACTION }

        private final Kind kind;
        private final Map<Labels, ClassicHistograms.Buckets> classic = new LinkedHashMap<>();
        private final ClassicHistograms.Monotonicity monotonicity = new ClassicHistograms.Monotonicity();

        HistogramFn(Kind kind) { this.kind = kind; }

        void reset() {
            classic.clear();
        }

        @Override
        public void apply(Evaluator ev, Call c, List<Expr> args, StepVector[] in, StepVector out, long ts) {
            int vectorArg = switch (kind) {
                case QUANTILE -> 1;
                case QUANTILES -> 0;
                case FRACTION -> 2;
            };
            StepVector v = in[vectorArg];
            PositionRange pos = args.get(vectorArg).positionRange();
            double[] qs;
            if (kind == Kind.QUANTILES) {
                qs = new double[in.length - 2];
                for (int i = 2; i < in.length; i++) {
                    qs[i - 2] = in[i].f[0];
                    validateQuantile(ev, qs[i - 2], args.get(i).positionRange());
                }
            } else if (kind == Kind.QUANTILE) {
                qs = new double[] {in[0].f[0]};
                validateQuantile(ev, qs[0], args.get(0).positionRange());
            } else {
                qs = null;
            }
            // Classic buckets by their series' labels without le; native histograms apart.
            for (ClassicHistograms.Buckets b : classic.values()) b.clear();
            List<Integer> natives = new ArrayList<>();
            for (int i = 0; i < v.size; i++) {
                if (v.h[i] != null) {
                    natives.add(i);
                    continue;
                }
                Labels l = v.labels[i];
                double upper;
                try {
                    upper = GoFloats.parseFloat(l.get("le"));
                } catch (NumberFormatException e) {
                    String name = ev.q.delayedNameRemoval ? l.metricName() : "";
                    ev.q.annotations.warn("bucket label \"le\" is missing or has a malformed value of \"" + l.get("le")
                            + "\"" + (name.isEmpty() ? "" : " for metric name \"" + name + "\""), pos);
                    continue;
                }
                Labels key = l.toBuilder().remove("le").build();
                ClassicHistograms.Buckets b = classic.get(key);
                if (b == null) {
                    b = new ClassicHistograms.Buckets();
                    classic.put(key, b);
                }
                b.add(upper, v.f[i]);
            }
            List<Integer> usableNatives = new ArrayList<>(natives.size());
            for (int i : natives) {
                ClassicHistograms.Buckets b = classic.get(v.labels[i]);
                if (b != null && b.size > 0) {
                    String name = ev.q.delayedNameRemoval ? v.labels[i].metricName() : "";
                    ev.q.annotations.warn("vector contains a mix of classic and native histograms"
                            + (name.isEmpty() ? "" : " for metric name \"" + name + "\""), pos);
                    b.clear();
                    continue;
                }
                usableNatives.add(i);
            }
            String quantileLabel = kind == Kind.QUANTILES ? Evaluator.stringArg(args.get(1)) : null;
            int rounds = qs == null ? 1 : qs.length;
            for (int r = 0; r < rounds; r++) {
                double q = qs == null ? 0 : qs[r];
                for (int i : usableNatives) {
                    Labels l = InstantFunctions.renamed(ev, v.labels[i]);
                    String name = v.labels[i].metricName();
                    double value = kind == Kind.FRACTION
                            ? NativeHistograms.fraction(in[0].f[0], in[1].f[0], v.h[i], name, pos, ev.q.annotations)
                            : NativeHistograms.quantile(q, v.h[i], name, pos, ev.q.annotations);
                    out.add(withQuantile(l, quantileLabel, q), value, null, true);
                }
                for (Map.Entry<Labels, ClassicHistograms.Buckets> e : classic.entrySet()) {
                    ClassicHistograms.Buckets b = e.getValue();
                    if (b.size == 0) continue;
                    Labels metric = e.getKey();
                    double value;
                    if (kind == Kind.FRACTION) {
                        value = ClassicHistograms.fraction(in[0].f[0], in[1].f[0], b);
                    } else {
                        value = ClassicHistograms.quantile(q, b, monotonicity);
                        if (monotonicity.forced) {
                            String name = ev.q.delayedNameRemoval ? metric.metricName() : "";
                            ev.q.annotations.add(new ClassicHistograms.ForcedMonotonicityInfo(name, pos, ts, monotonicity));
                        }
                    }
                    out.add(withQuantile(InstantFunctions.renamed(ev, metric), quantileLabel, q), value, null, true);
                }
            }
        }

        private static Labels withQuantile(Labels l, String label, double q) {
            if (label == null) return l;
            return l.toBuilder().set(label, GoFloats.formatOpenMetrics(q)).build();
        }

        private static void validateQuantile(Evaluator ev, double q, PositionRange pos) {
            if (Double.isNaN(q) || q < 0 || q > 1) {
                ev.q.annotations.warn("quantile value should be between 0 and 1, got " + GoFloats.formatG(q), pos);
            }
        }
    }
}
