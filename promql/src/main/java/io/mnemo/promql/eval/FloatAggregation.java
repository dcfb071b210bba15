package io.mnemo.promql.eval;

import io.mnemo.promql.ast.AggregateOp;
import io.mnemo.tsdb.Labels;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * sum, avg, count, min, max, group, stddev and stdvar over float samples, computed series by
 * series instead of step by step: each (group, step) cell sees its samples in the same order as
 * the step-wise evaluation, so the results are the same, but each series' points are read in one
 * sequential pass. Used when the cells fit in a bounded amount of memory and no input has
 * histograms; the step-wise evaluation covers everything else. For an instant query the series can
 * also be fed one at a time as they are evaluated ({@link #ofOneStep}), so the input is never held.
 */
final class FloatAggregation {
    /** Most (group, step) cells computed at once: a few arrays of this many doubles. */
    private static final long MAX_CELLS = 1 << 20;

    private final Evaluator ev;
    private final AggregateOp op;
    private final int steps;
    private double[] value;
    private double[] aux; // Kahan compensation (sum, avg) or running mean (stddev, stdvar)
    private double[] count;
    private boolean[] seen;
    private boolean[] incremental;
    private double[] mean;
    private boolean[] drop;
    private int cells;
    /** Cells of the groups seen so far: what the query's sample count holds for them. */
    private int used;

    private FloatAggregation(Evaluator ev, AggregateOp op, int steps, int groups) {
        this.ev = ev;
        this.op = op;
        this.steps = steps;
        allocate(Math.max(1, groups * steps));
    }

    /** Whether this way computes op (over float samples). */
    static boolean computes(AggregateOp op) {
        return switch (op) {
            case SUM, AVG, COUNT, MIN, MAX, GROUP, STDDEV, STDVAR -> true;
            default -> false;
        };
    }

    /** The aggregation's result, or null when this way does not apply. */
    static List<StepSeries> eval(Evaluator ev, AggregateOp op, List<StepSeries> input, int[] groupOf, List<Labels> groupLabels) {
        if (!computes(op)) return null;
        int groups = groupLabels.size();
        if (groups > 0 && ev.steps > MAX_CELLS / groups) return null;
        for (StepSeries s : input) if (s.h != null) return null;
        FloatAggregation agg = new FloatAggregation(ev, op, (int) ev.steps, groups);
        agg.used = groups * (int) ev.steps;
        ev.q.take(agg.used); // the cells' arrays, a few values each
        for (int si = 0; si < input.size(); si++) agg.add(input.get(si), groupOf[si]);
        List<StepSeries> out = agg.result(groupLabels);
        ev.q.release(Evaluator.samples(input));
        return out;
    }

    /**
     * An aggregation of one step (an instant query) fed series by series as they are evaluated,
     * so that its input is never held whole; its groups grow as they appear.
     */
    static FloatAggregation ofOneStep(Evaluator ev, AggregateOp op) {
        if (!computes(op) || ev.steps != 1) throw new IllegalArgumentException(op + " over " + ev.steps + " steps");
        return new FloatAggregation(ev, op, 1, 16);
    }

    private void allocate(int n) {
        value = grown(value, n);
        aux = grown(aux, n);
        count = grown(count, n);
        seen = seen == null ? new boolean[n] : Arrays.copyOf(seen, n);
        drop = drop == null ? new boolean[n] : Arrays.copyOf(drop, n);
        if (op == AggregateOp.AVG) {
            incremental = incremental == null ? new boolean[n] : Arrays.copyOf(incremental, n);
            mean = grown(mean, n);
        }
        cells = n;
    }

    private static double[] grown(double[] a, int n) {
        return a == null ? new double[n] : Arrays.copyOf(a, n);
    }

    /** Folds a float series (no histogram points) into its group's cells. */
    void add(StepSeries s, int group) {
        int base = group * steps;
        if (base + steps > used) {
            ev.q.take(base + steps - used); // the cells' arrays, a few values each
            used = base + steps;
            if (used > cells) allocate(Math.max(used, cells * 2));
        }
        for (int i = 0; i < s.size; i++) {
            int cell = base + (int) ((s.t[i] - ev.start) / ev.interval);
            double f = s.f[i];
            if (!seen[cell]) {
                seen[cell] = true;
                drop[cell] = s.dropName;
                count[cell] = 1;
                switch (op) {
                    case STDDEV, STDVAR -> {
                        aux[cell] = f;
                        value[cell] = Double.isNaN(f) || Double.isInfinite(f) ? Double.NaN : 0;
                    }
                    case GROUP -> value[cell] = 1;
                    default -> value[cell] = f;
                }
                continue;
            }
            if (s.dropName) drop[cell] = true;
            switch (op) {
                case SUM -> kahanAdd(value, aux, cell, f);
                case AVG -> {
                    double n = ++count[cell];
                    if (!incremental[cell]) {
                        double sum = value[cell];
                        double c = aux[cell];
                        kahanAdd(value, aux, cell, f);
                        if (!Double.isInfinite(value[cell])) break;
                        // The sum would overflow: go on with an incremental mean.
                        incremental[cell] = true;
                        mean[cell] = sum / (n - 1);
                        aux[cell] = c / (n - 1);
                    }
                    double q = (n - 1) / n;
                    mean[cell] = q * mean[cell];
                    aux[cell] = q * aux[cell];
                    kahanAdd(mean, aux, cell, f / n);
                }
                case COUNT -> count[cell]++;
                case MAX -> {
                    if (value[cell] < f || Double.isNaN(value[cell])) value[cell] = f;
                }
                case MIN -> {
                    if (value[cell] > f || Double.isNaN(value[cell])) value[cell] = f;
                }
                case STDDEV, STDVAR -> {
                    double n = ++count[cell];
                    double delta = f - aux[cell];
                    aux[cell] += delta / n;
                    value[cell] += delta * (f - aux[cell]);
                }
                default -> { }
            }
        }
    }

    /** The groups' series, in group order; gives back the cells. */
    List<StepSeries> result(List<Labels> groupLabels) {
        List<StepSeries> out = new ArrayList<>();
        long points = 0;
        for (int g = 0; g < groupLabels.size(); g++) {
            StepSeries o = null;
            int base = g * steps;
            for (int step = 0; step < steps; step++) {
                int cell = base + step;
                if (!seen[cell]) continue;
                double v = switch (op) {
                    case SUM -> value[cell] + aux[cell];
                    case AVG -> incremental[cell] ? mean[cell] + aux[cell]
                            : value[cell] / count[cell] + aux[cell] / count[cell];
                    case COUNT -> count[cell];
                    case STDVAR -> value[cell] / count[cell];
                    case STDDEV -> Math.sqrt(value[cell] / count[cell]);
                    default -> value[cell];
                };
                if (o == null) o = new StepSeries(groupLabels.get(g), false, steps - step);
                o.add(ev.stepTime(step), v, null);
                o.dropName = drop[cell];
                points++;
            }
            if (o != null) out.add(o);
        }
        ev.q.take(points);
        ev.q.release(used);
        return out;
    }

    /** Gives back the cells of an aggregation abandoned before its result. */
    void abandon() {
        ev.q.release(used);
    }

    /** Prometheus's Kahan-Neumaier increment of sum[i] with compensation c[i]. */
    private static void kahanAdd(double[] sum, double[] c, int i, double inc) {
        double s = sum[i];
        double t = s + inc;
        if (Double.isInfinite(t)) c[i] = 0;
        else if (Math.abs(s) >= Math.abs(inc)) c[i] += (s - t) + inc;
        else c[i] += (inc - t) + s;
        sum[i] = t;
    }
}
