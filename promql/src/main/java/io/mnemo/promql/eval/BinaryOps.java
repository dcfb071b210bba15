package io.mnemo.promql.eval;

import io.mnemo.promql.EvaluationException;
import io.mnemo.promql.ast.BinaryExpr;
import io.mnemo.promql.ast.BinaryOp;
import io.mnemo.promql.ast.PositionRange;
import io.mnemo.promql.ast.VectorMatching;
import io.mnemo.promql.value.ValueType;
import io.mnemo.tsdb.Labels;
import io.mnemo.tsdb.histogram.FloatHistogram;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Binary operators: arithmetic, comparisons (filtering or with {@code bool}) and the set
 * operators, between scalars and instant vectors, with Prometheus's vector matching
 * ({@code on}/{@code ignoring}, {@code group_left}/{@code group_right}) and its errors.
 */
final class BinaryOps {
    private BinaryOps() {}

    static List<StepSeries> eval(Evaluator ev, BinaryExpr b) {
        ValueType lt = b.lhs().type();
        ValueType rt = b.rhs().type();
        if (lt == ValueType.SCALAR && rt == ValueType.SCALAR) return scalarScalar(ev, b);
        if (lt == ValueType.VECTOR && rt == ValueType.VECTOR) return vectorVector(ev, b);
        return vectorScalar(ev, b, lt == ValueType.SCALAR);
    }

    private static List<StepSeries> scalarScalar(Evaluator ev, BinaryExpr b) {
        double[] l = ev.scalarValues(b.lhs());
        double[] r = ev.scalarValues(b.rhs());
        ev.q.take(l.length);
        StepSeries s = new StepSeries(Labels.EMPTY, false, l.length);
        for (int i = 0; i < l.length; i++) s.add(ev.stepTime(i), scalarOp(b.op(), l[i], r[i]), null);
        List<StepSeries> out = new ArrayList<>(1);
        out.add(s);
        return out;
    }

    static double scalarOp(BinaryOp op, double l, double r) {
        return switch (op) {
            case ADD -> l + r;
            case SUB -> l - r;
            case MUL -> l * r;
            case DIV -> l / r;
            case POW -> GoMath.pow(l, r);
            case MOD -> l % r;
            case EQLC -> l == r ? 1 : 0;
            case NEQ -> l != r ? 1 : 0;
            case GTR -> l > r ? 1 : 0;
            case LSS -> l < r ? 1 : 0;
            case GTE -> l >= r ? 1 : 0;
            case LTE -> l <= r ? 1 : 0;
            case ATAN2 -> Math.atan2(l, r);
            default -> throw new EvaluationException("operator \"" + op.symbol() + "\" not allowed for Scalar operations");
        };
    }

    /** Whether the operation changes what the metric means, so its name no longer applies. */
    static boolean changesMetricSchema(BinaryOp op) {
        return switch (op) {
            case ADD, SUB, MUL, DIV, POW, MOD, ATAN2 -> true;
            default -> false;
        };
    }

    // ---- vector and scalar ----

    private static List<StepSeries> vectorScalar(Evaluator ev, BinaryExpr b, boolean scalarLeft) {
        List<StepSeries> vec;
        double[] scalar;
        if (scalarLeft) {
            scalar = ev.scalarValues(b.lhs());
            vec = ev.eval(b.rhs());
        } else {
            vec = ev.eval(b.lhs());
            scalar = ev.scalarValues(b.rhs());
        }
        BinaryOp op = b.op();
        boolean renames = changesMetricSchema(op) || b.returnBool();
        Elem r = new Elem();
        List<StepSeries> out = new ArrayList<>(vec.size());
        long before = Evaluator.samples(vec);
        for (StepSeries s : vec) {
            StepSeries o = new StepSeries(s.labels, s.dropName, s.size);
            for (int i = 0; i < s.size; i++) {
                double sv = scalar[(int) ((s.t[i] - ev.start) / ev.interval)];
                double lf = s.f[i];
                double rf = sv;
                FloatHistogram lh = s.h == null ? null : s.h[i];
                FloatHistogram rh = null;
                if (scalarLeft) {
                    lf = sv;
                    rf = s.f[i];
                    rh = lh;
                    lh = null;
                }
                if (!elem(op, lf, rf, lh, rh, r, ev, b.positionRange(), true)) continue;
                if (op.isComparison() && scalarLeft) {
                    // The vector's value is the result, whichever side it is on.
                    r.f = rf;
                    r.h = rh;
                }
                if (b.returnBool()) {
                    r.f = r.keep ? 1 : 0;
                    r.h = null;
                    r.keep = true;
                }
                if (r.keep) o.add(s.t[i], r.f, r.h);
            }
            if (o.size == 0) continue;
            if (renames) {
                if (!ev.q.delayedNameRemoval) o.labels = Evaluator.dropMetricName(o.labels);
                o.dropName = true;
            }
            out.add(o);
        }
        ev.q.take(Evaluator.samples(out));
        ev.q.release(before);
        return renames && !ev.q.delayedNameRemoval ? ev.mergeSameLabels(out) : out;
    }

    /** The result of one element-wise operation. */
    static final class Elem {
        double f;
        FloatHistogram h;
        boolean keep;
    }

    /**
     * Applies the operator to two samples (a histogram side has its histogram set). Returns false
     * when the sample types do not go together, after noting why; otherwise the result is in r,
     * {@code r.keep} telling whether a comparison holds.
     */
    static boolean elem(BinaryOp op, double lf, double rf, FloatHistogram lh, FloatHistogram rh, Elem r, Evaluator ev,
                        PositionRange pos, boolean vectorScalar) {
        r.h = null;
        r.keep = true;
        if (lh == null && rh == null) {
            switch (op) {
                case ADD -> r.f = lf + rf;
                case SUB -> r.f = lf - rf;
                case MUL -> r.f = lf * rf;
                case DIV -> r.f = lf / rf;
                case POW -> r.f = GoMath.pow(lf, rf);
                case MOD -> r.f = lf % rf;
                case ATAN2 -> r.f = Math.atan2(lf, rf);
                case EQLC -> { r.f = lf; r.keep = lf == rf; }
                case NEQ -> { r.f = lf; r.keep = lf != rf; }
                case GTR -> { r.f = lf; r.keep = lf > rf; }
                case LSS -> { r.f = lf; r.keep = lf < rf; }
                case GTE -> { r.f = lf; r.keep = lf >= rf; }
                case LTE -> { r.f = lf; r.keep = lf <= rf; }
                default -> { return incompatible(op, "float", "float", ev, pos); }
            }
            return true;
        }
        try {
            if (lh == null) {
                if (op == BinaryOp.MUL) {
                    r.h = rh.copy().mul(lf).compact();
                    return true;
                }
                return incompatible(op, "float", "histogram", ev, pos);
            }
            if (rh == null) {
                switch (op) {
                    case MUL -> r.h = lh.copy().mul(rf).compact();
                    case DIV -> r.h = lh.copy().div(rf).compact();
                    case TRIM_UPPER -> r.h = HistogramTrim.trim(lh, rf, true);
                    case TRIM_LOWER -> r.h = HistogramTrim.trim(lh, rf, false);
                    default -> { return incompatible(op, "histogram", "float", ev, pos); }
                }
                return true;
            }
            switch (op) {
                case ADD, SUB -> {
                    FloatHistogram res = lh.copy();
                    int flags = op == BinaryOp.ADD ? res.add(rh) : res.sub(rh);
                    if (op == BinaryOp.SUB) res.setCounterResetHint(FloatHistogram.CounterResetHint.GAUGE);
                    String what = op == BinaryOp.ADD ? "addition" : "subtraction";
                    if ((flags & FloatHistogram.CUSTOM_BUCKETS_RECONCILED) != 0) {
                        ev.q.annotations.info("mismatched custom buckets were reconciled during " + what, pos);
                    }
                    if ((flags & FloatHistogram.COUNTER_RESET_COLLISION) != 0) {
                        ev.q.annotations.warn("conflicting counter resets during histogram " + what, pos);
                        // Prometheus drops the result between vectors, keeps it with a scalar (never reached).
                        if (!vectorScalar) return false;
                    }
                    r.h = res.compact();
                }
                case EQLC -> { r.h = lh; r.keep = lh.equalsHistogram(rh); }
                case NEQ -> { r.h = lh; r.keep = !lh.equalsHistogram(rh); }
                default -> { return incompatible(op, "histogram", "histogram", ev, pos); }
            }
            return true;
        } catch (FloatHistogram.IncompatibleSchemaException e) {
            ev.q.annotations.warn("incompatible bucket layout encountered for binary operator " + op.symbol(), pos);
            return false;
        }
    }

    private static boolean incompatible(BinaryOp op, String l, String r, Evaluator ev, PositionRange pos) {
        ev.q.annotations.info("incompatible sample types encountered for binary operator \"" + op.symbol() + "\": "
                + l + " " + op.symbol() + " " + r, pos);
        return false;
    }

    // ---- vector and vector ----

    private static List<StepSeries> vectorVector(Evaluator ev, BinaryExpr b) {
        List<StepSeries> lhs = ev.eval(b.lhs());
        List<StepSeries> rhs = ev.eval(b.rhs());
        VectorMatching vm = b.matching() != null ? b.matching() : VectorMatching.ONE_TO_ONE;
        if (b.op().isSetOperator()) vm = vm.withCardinality(VectorMatching.Cardinality.MANY_TO_MANY);
        Signatures sigs = new Signatures(vm, lhs, rhs);
        List<List<StepSeries>> inputs = List.of(lhs, rhs);
        int[][] sigArrays = {sigs.lhs, sigs.rhs};
        Evaluator.StepOp op = switch (b.op()) {
            case LAND -> (in, out, ts) -> and(in[0], in[1], out, sigs);
            case LOR -> (in, out, ts) -> or(in[0], in[1], out, sigs);
            case LUNLESS -> (in, out, ts) -> unless(in[0], in[1], out, sigs);
            default -> new VectorOp(ev, b, vm, sigs);
        };
        return ev.rangeEval(op, inputs, sigArrays);
    }

    /** Numbers the match signatures of both sides' series, so a step can match them by array index. */
    static final class Signatures {
        final int[] lhs;
        final int[] rhs;
        final int count;
        final boolean[] present;

        Signatures(VectorMatching vm, List<StepSeries> l, List<StepSeries> r) {
            Map<Labels, Integer> ordinals = new HashMap<>();
            lhs = new int[l.size()];
            rhs = new int[r.size()];
            for (int i = 0; i < l.size(); i++) lhs[i] = ordinals.computeIfAbsent(matchLabels(l.get(i).labels, vm), k -> ordinals.size());
            for (int i = 0; i < r.size(); i++) rhs[i] = ordinals.computeIfAbsent(matchLabels(r.get(i).labels, vm), k -> ordinals.size());
            count = ordinals.size();
            present = new boolean[count];
        }

        boolean[] resetPresent() {
            Arrays.fill(present, false);
            return present;
        }
    }

    /** The labels two series are matched on: only the {@code on} labels, or all but the ignored ones and the name. */
    static Labels matchLabels(Labels l, VectorMatching vm) {
        Labels.Builder b = new Labels.Builder();
        if (vm.on()) {
            for (String n : vm.matchingLabels()) b.set(n, l.get(n));
            return b.build();
        }
        b = l.toBuilder();
        b.remove(Labels.METRIC_NAME);
        for (String n : vm.matchingLabels()) b.remove(n);
        return b.build();
    }

    private static void and(StepVector l, StepVector r, StepVector out, Signatures s) {
        if (l.isEmpty() || r.isEmpty()) return;
        boolean[] right = s.resetPresent();
        for (int i = 0; i < r.size; i++) right[r.sig[i]] = true;
        for (int i = 0; i < l.size; i++) if (right[l.sig[i]]) out.addFrom(l, i);
    }

    private static void or(StepVector l, StepVector r, StepVector out, Signatures s) {
        boolean[] left = s.resetPresent();
        for (int i = 0; i < l.size; i++) {
            left[l.sig[i]] = true;
            out.addFrom(l, i);
        }
        for (int i = 0; i < r.size; i++) if (!left[r.sig[i]]) out.addFrom(r, i);
    }

    private static void unless(StepVector l, StepVector r, StepVector out, Signatures s) {
        if (l.isEmpty() || r.isEmpty()) {
            for (int i = 0; i < l.size; i++) out.addFrom(l, i);
            return;
        }
        boolean[] right = s.resetPresent();
        for (int i = 0; i < r.size; i++) right[r.sig[i]] = true;
        for (int i = 0; i < l.size; i++) if (!right[l.sig[i]]) out.addFrom(l, i);
    }

    /** Arithmetic and comparisons between two vectors at one step. */
    private static final class VectorOp implements Evaluator.StepOp {
        private final Evaluator ev;
        private final BinaryExpr b;
        private final VectorMatching vm;
        private final Signatures sigs;
        private final int[] rightIndex;
        private final boolean[] matched;
        private final List<Set<Labels>> matchedMetrics;
        private final Map<Long, Labels> resultMetrics = new HashMap<>();
        private final Elem r = new Elem();

        VectorOp(Evaluator ev, BinaryExpr b, VectorMatching vm, Signatures sigs) {
            this.ev = ev;
            this.b = b;
            this.vm = vm;
            this.sigs = sigs;
            this.rightIndex = new int[sigs.count];
            this.matched = new boolean[sigs.count];
            this.matchedMetrics = new ArrayList<>(vm.cardinality() == VectorMatching.Cardinality.ONE_TO_ONE ? 0 : sigs.count);
            if (vm.cardinality() != VectorMatching.Cardinality.ONE_TO_ONE) {
                for (int i = 0; i < sigs.count; i++) matchedMetrics.add(null);
            }
        }

        @Override
        public void apply(StepVector[] in, StepVector out, long ts) {
            StepVector lhs = in[0];
            StepVector rhs = in[1];
            if (lhs.isEmpty() && rhs.isEmpty()) return;
            if ((lhs.isEmpty() || rhs.isEmpty()) && vm.fillLeft() == null && vm.fillRight() == null) return;
            boolean oneToMany = vm.cardinality() == VectorMatching.Cardinality.ONE_TO_MANY;
            if (oneToMany) {
                StepVector t = lhs;
                lhs = rhs;
                rhs = t;
            }
            Arrays.fill(rightIndex, -1);
            for (int i = 0; i < rhs.size; i++) {
                int sig = rhs.sig[i];
                if (rightIndex[sig] >= 0) throw duplicateSeries(rhs.labels[i], rhs.labels[rightIndex[sig]], oneToMany);
                rightIndex[sig] = i;
            }
            boolean oneToOne = vm.cardinality() == VectorMatching.Cardinality.ONE_TO_ONE;
            if (oneToOne) Arrays.fill(matched, false);
            else for (int i = 0; i < matchedMetrics.size(); i++) if (matchedMetrics.get(i) != null) matchedMetrics.get(i).clear();

            for (int i = 0; i < lhs.size; i++) {
                int sig = lhs.sig[i];
                int j = rightIndex[sig];
                if (j >= 0) {
                    apply(lhs.labels[i], lhs.f[i], lhs.h[i], lhs.src[i], rhs.labels[j], rhs.f[j], rhs.h[j], rhs.src[j],
                            sig, oneToMany, oneToOne, out);
                } else if (vm.fillRight() != null) {
                    apply(lhs.labels[i], lhs.f[i], lhs.h[i], lhs.src[i], matchLabels(lhs.labels[i], vm), vm.fillRight(),
                            null, -1, sig, oneToMany, oneToOne, out);
                }
            }
            if (vm.fillLeft() != null) {
                for (int j = 0; j < rhs.size; j++) {
                    int sig = rhs.sig[j];
                    boolean done = oneToOne ? matched[sig]
                            : matchedMetrics.get(sig) != null && !matchedMetrics.get(sig).isEmpty();
                    if (done) continue;
                    apply(matchLabels(rhs.labels[j], vm), vm.fillLeft(), null, -1, rhs.labels[j], rhs.f[j], rhs.h[j],
                            rhs.src[j], sig, oneToMany, oneToOne, out);
                }
            }
        }

        private void apply(Labels ll, double lf, FloatHistogram lh, int lsrc, Labels rl, double rf, FloatHistogram rh,
                           int rsrc, int sig, boolean oneToMany, boolean oneToOne, StepVector out) {
            // Values in the order the query wrote the operands.
            double fl = lf;
            double fr = rf;
            FloatHistogram hl = lh;
            FloatHistogram hr = rh;
            if (oneToMany) {
                fl = rf;
                fr = lf;
                hl = rh;
                hr = lh;
            }
            if (!elem(b.op(), fl, fr, hl, hr, r, ev, b.positionRange(), false)) return;
            boolean returnBool = b.returnBool();
            if (returnBool) {
                r.h = null;
                r.f = r.keep ? 1 : 0;
            }
            Labels metric = resultMetric(ll, lsrc, rl, rsrc, returnBool);
            if (oneToOne) {
                if (matched[sig]) {
                    throw new EvaluationException(
                            "multiple matches for labels: many-to-one matching must be explicit (group_left/group_right)");
                }
                matched[sig] = true;
            } else {
                Set<Labels> seen = matchedMetrics.get(sig);
                if (seen == null) {
                    seen = new HashSet<>();
                    matchedMetrics.set(sig, seen);
                }
                if (!seen.add(metric)) {
                    throw new EvaluationException("multiple matches for labels: grouping labels must ensure unique matches");
                }
            }
            if (!r.keep && !returnBool) return;
            out.add(metric, r.f, r.h, returnBool);
        }

        private Labels resultMetric(Labels lhs, int lsrc, Labels rhs, int rsrc, boolean returnBool) {
            long key = lsrc < 0 || rsrc < 0 ? -1 : ((long) lsrc << 32) | rsrc;
            if (key >= 0) {
                Labels cached = resultMetrics.get(key);
                if (cached != null) return cached;
            }
            Labels.Builder lb = lhs.toBuilder();
            if ((!ev.q.delayedNameRemoval && returnBool) || changesMetricSchema(b.op())) {
                lb.remove(Labels.METRIC_NAME).remove("__type__").remove("__unit__");
            }
            if (vm.cardinality() == VectorMatching.Cardinality.ONE_TO_ONE) {
                if (vm.on()) {
                    Set<String> keep = new HashSet<>(vm.matchingLabels());
                    for (String n : lhs.names()) if (!keep.contains(n)) lb.remove(n);
                } else {
                    for (String n : vm.matchingLabels()) lb.remove(n);
                }
            }
            for (String n : vm.include()) lb.set(n, rhs.get(n));
            Labels out = lb.build();
            if (key >= 0) resultMetrics.put(key, out);
            return out;
        }

        private EvaluationException duplicateSeries(Labels a, Labels c, boolean oneToMany) {
            String d1 = a.toString();
            String d2 = c.toString();
            if (d1.compareTo(d2) > 0) {
                String t = d1;
                d1 = d2;
                d2 = t;
            }
            return new EvaluationException("found duplicate series for the match group " + matchLabels(a, vm)
                    + " on the " + (oneToMany ? "left" : "right") + " hand-side of the operation: [" + d1 + ", " + d2
                    + "];many-to-many matching not allowed: matching labels must be unique on one side");
        }
    }
}
