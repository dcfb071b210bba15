package io.mnemo.promql.eval;

import io.mnemo.promql.EvaluationException;
import io.mnemo.promql.ast.AggregateExpr;
import io.mnemo.promql.ast.AggregateOp;
import io.mnemo.promql.ast.Call;
import io.mnemo.promql.ast.Expr;
import io.mnemo.promql.ast.Exprs;
import io.mnemo.promql.ast.MatrixSelector;
import io.mnemo.promql.ast.PositionRange;
import io.mnemo.promql.text.GoQuoting;
import io.mnemo.tsdb.GoFloats;
import io.mnemo.tsdb.Labels;
import io.mnemo.tsdb.histogram.FloatHistogram;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The aggregation operators, evaluated step by step like Prometheus: each input series belongs
 * to one group (its {@code by} labels, or all but its {@code without} labels and the name), and
 * each group yields one output sample per step ({@code topk}, {@code bottomk}, {@code limitk}
 * and {@code limit_ratio} yield some of the input samples instead).
 */
final class Aggregations {
    private static final double MAX_INT64 = 9.223372036854775807e18;
    private static final double MIN_INT64 = -9.223372036854775808e18;

    private Aggregations() {}

    static List<StepSeries> eval(Evaluator ev, AggregateExpr a) {
        List<String> grouping = new ArrayList<>(a.grouping());
        grouping.sort(null);
        Expr inner = Exprs.unwrapParens(a.expr());
        if (a.op() == AggregateOp.COUNT_VALUES) return countValues(ev, a, inner, grouping);
        double[] params = a.param() == null ? null : ev.scalarValues(Exprs.unwrapParens(a.param()));
        if (ev.steps == 1 && a.param() == null && FloatAggregation.computes(a.op())) {
            List<StepSeries> streamed = streamed(ev, a, inner, grouping);
            if (streamed != null) return streamed;
        }
        List<StepSeries> input = ev.eval(inner);
        Map<Labels, Integer> groupIndex = new HashMap<>();
        List<Labels> groupLabels = new ArrayList<>();
        int[] groupOf = new int[input.size()];
        for (int i = 0; i < input.size(); i++) {
            Labels gl = groupingLabels(input.get(i).labels, grouping, a.without());
            Integer g = groupIndex.get(gl);
            if (g == null) {
                g = groupLabels.size();
                groupIndex.put(gl, g);
                groupLabels.add(gl);
            }
            groupOf[i] = g;
        }
        if (a.op() == AggregateOp.QUANTILE) checkQuantileParam(ev, a, params);
        List<StepSeries> fast = FloatAggregation.eval(ev, a.op(), input, groupOf, groupLabels);
        if (fast != null) return fast;
        if (a.op().hasParam() && a.op() != AggregateOp.QUANTILE) {
            if (!checkKParam(ev, a, params)) {
                ev.q.release(Evaluator.samples(input));
                return new ArrayList<>();
            }
            return ev.rangeEval(new SelectK(ev, a, params, input.size(), groupLabels.size()), List.of(input),
                    new int[][] {groupOf});
        }
        Aggregate op = new Aggregate(ev, a, params, groupLabels);
        List<StepSeries> out = ev.rangeEval(op, List.of(input), new int[][] {groupOf});
        // An output series drops its name when its group did so at the last step it had a value.
        for (StepSeries s : out) s.dropName = op.lastDropName[groupIndex.get(s.labels)];
        return out;
    }

    /** The labels of a series' group: the {@code by} labels, or all but the {@code without} labels and the name. */
    /**
     * An instant query's sum, avg, count, min, max, group, stddev or stdvar of a range function over
     * a range selector ({@code sum by (pod) (rate(x[5m]))}, the shape of most heavy queries), with
     * each series of the function's output folded into its group as soon as it is computed: the
     * output is never held whole (for 100,000 series, 100,000 label sets and point arrays less alive
     * at once, which is what a young collection would copy). The answer and the query's sample
     * accounting are those of evaluating the function first. Null, with nothing left taken, when
     * this way does not apply: another inner expression, or a histogram point (the step-wise
     * evaluation handles those), in which case the caller evaluates it the usual way.
     */
    private static List<StepSeries> streamed(Evaluator ev, AggregateExpr a, Expr inner, List<String> grouping) {
        if (!(inner instanceof Call c) || !RangeFunctions.streams(c)) return null;
        List<Expr> args = Evaluator.unwrappedArgs(c);
        int matrixArg = -1;
        for (int i = 0; i < args.size() && matrixArg < 0; i++) if (args.get(i) instanceof MatrixSelector) matrixArg = i;
        if (matrixArg < 0) return null;
        FloatAggregation agg = FloatAggregation.ofOneStep(ev, a.op());
        Map<Labels, Integer> groupIndex = new HashMap<>();
        List<Labels> groupLabels = new ArrayList<>();
        LabelSetHashes seen = ev.q.delayedNameRemoval ? null : new LabelSetHashes();
        long[] taken = {0};
        try {
            RangeFunctions.evalInto(ev, c, args, matrixArg, s -> {
                taken[0] += s.sampleCount();
                if (s.h != null) throw HistogramPoint.INSTANCE;
                // Prometheus checks the function's output for equal label sets by their hashes, too.
                if (seen != null && !seen.add(LabelsHash.hash(s.labels))) throw Evaluator.duplicateLabelset();
                Labels gl = groupingLabels(s.labels, grouping, a.without());
                Integer g = groupIndex.get(gl);
                if (g == null) {
                    g = groupLabels.size();
                    groupIndex.put(gl, g);
                    groupLabels.add(gl);
                }
                agg.add(s, g);
            });
        } catch (HistogramPoint e) {
            agg.abandon();
            ev.q.release(taken[0]);
            return null;
        }
        List<StepSeries> out = agg.result(groupLabels);
        ev.q.release(taken[0]);
        return out;
    }

    /** Stops a streamed aggregation at a histogram point; carries no stack. */
    private static final class HistogramPoint extends RuntimeException {
        static final HistogramPoint INSTANCE = new HistogramPoint();

        private HistogramPoint() {
            super(null, null, false, false);
        }
    }

    /** A set of label-set hashes: open addressing over a long array, no object per entry. */
    private static final class LabelSetHashes {
        private long[] slots = new long[1024];
        private boolean hasZero;
        private int size;

        /** False when h was in the set already. */
        boolean add(long h) {
            if (h == 0) {
                if (hasZero) return false;
                hasZero = true;
                return true;
            }
            if (2 * (size + 1) > slots.length) grow();
            int mask = slots.length - 1;
            for (int i = (int) (h ^ (h >>> 32)) & mask; ; i = (i + 1) & mask) {
                if (slots[i] == h) return false;
                if (slots[i] == 0) {
                    slots[i] = h;
                    size++;
                    return true;
                }
            }
        }

        private void grow() {
            long[] old = slots;
            slots = new long[old.length * 2];
            size = 0;
            for (long h : old) if (h != 0) add(h);
        }
    }

    static Labels groupingLabels(Labels l, List<String> grouping, boolean without) {
        if (without) {
            Labels.Builder b = l.toBuilder();
            b.remove(Labels.METRIC_NAME);
            for (String n : grouping) b.remove(n);
            return b.build();
        }
        if (grouping.isEmpty()) return Labels.EMPTY;
        Labels.Builder b = new Labels.Builder();
        for (String n : grouping) b.set(n, l.get(n));
        return b.build();
    }

    /** Prometheus's maximum of the parameter over the steps: NaN as soon as one value is NaN. */
    private static double max(double[] params) {
        double m = -Double.MAX_VALUE;
        for (double p : params) m = Math.max(m, p);
        return m;
    }

    private static double min(double[] params) {
        double m = Double.MAX_VALUE;
        for (double p : params) m = Math.min(m, p);
        return m;
    }

    private static boolean anyNaN(double[] params) {
        for (double p : params) if (Double.isNaN(p)) return true;
        return false;
    }

    /** Checks the k or ratio of topk, bottomk, limitk, limit_ratio; false when no step can select anything. */
    private static boolean checkKParam(Evaluator ev, AggregateExpr a, double[] params) {
        double max = max(params);
        double min = min(params);
        boolean nan = anyNaN(params);
        PositionRange pos = a.param().positionRange();
        if (a.op() == AggregateOp.LIMIT_RATIO) {
            if (max == 0 && min == 0) return false;
            if (nan) throw new EvaluationException("Ratio value is NaN");
            if (max > 1) ev.q.annotations.warn("ratio value should be between -1 and 1, got " + GoFloats.formatG(max)
                    + ", capping to 1", pos);
            if (min < -1) ev.q.annotations.warn("ratio value should be between -1 and 1, got " + GoFloats.formatG(min)
                    + ", capping to -1", pos);
            return true;
        }
        if (max < 1) return false;
        if (nan) throw new EvaluationException("Parameter value is NaN");
        if (min <= MIN_INT64) throw new EvaluationException("Scalar value " + GoFloats.formatG(min) + " underflows int64");
        if (max >= MAX_INT64) throw new EvaluationException("Scalar value " + GoFloats.formatG(max) + " overflows int64");
        return true;
    }

    private static void checkQuantileParam(Evaluator ev, AggregateExpr a, double[] params) {
        PositionRange pos = a.param().positionRange();
        double max = max(params);
        double min = min(params);
        if (anyNaN(params)) ev.q.annotations.warn("quantile value should be between 0 and 1, got NaN", pos);
        if (max > 1) ev.q.annotations.warn("quantile value should be between 0 and 1, got " + GoFloats.formatG(max), pos);
        if (min < 0) ev.q.annotations.warn("quantile value should be between 0 and 1, got " + GoFloats.formatG(min), pos);
    }

    /** The state of one group while a step is aggregated. */
    private static final class Group {
        boolean seen;
        double floatValue;
        double floatMean;
        double kahanC;
        double count;
        boolean hasFloat;
        boolean hasHistogram;
        boolean incompatibleHistograms;
        boolean floatIncrementalMean;
        boolean histogramIncrementalMean;
        boolean counterResetSeen;
        boolean notCounterResetSeen;
        boolean dropName;
        HistogramKahanSum histogramValue;
        HistogramKahanSum histogramMean;
        double[] values = new double[0];
        int nValues;

        void addValue(double v) {
            if (nValues == values.length) values = Arrays.copyOf(values, Math.max(4, nValues * 2));
            values[nValues++] = v;
        }

        void trackHint(FloatHistogram h) {
            switch (h.counterResetHint()) {
                case COUNTER_RESET -> counterResetSeen = true;
                case NOT_COUNTER_RESET -> notCounterResetSeen = true;
                default -> { }
            }
        }
    }

    /** sum, avg, count, min, max, group, stddev, stdvar and quantile at one step. */
    private static final class Aggregate implements Evaluator.StepOp {
        private final Evaluator ev;
        private final AggregateExpr a;
        private final AggregateOp op;
        private final double[] params;
        private final List<Labels> groupLabels;
        private final Group[] groups;
        private final PositionRange pos;
        final boolean[] lastDropName;

        Aggregate(Evaluator ev, AggregateExpr a, double[] params, List<Labels> groupLabels) {
            this.ev = ev;
            this.a = a;
            this.op = a.op();
            this.params = params;
            this.groupLabels = groupLabels;
            this.groups = new Group[groupLabels.size()];
            for (int i = 0; i < groups.length; i++) groups[i] = new Group();
            this.pos = Exprs.unwrapParens(a.expr()).positionRange();
            this.lastDropName = new boolean[groups.length];
        }

        private void ignoredHistogram() {
            ev.q.annotations.info("ignored histogram in " + op.keyword() + " aggregation", pos);
        }

        @Override
        public void apply(StepVector[] in, StepVector out, long ts) {
            StepVector v = in[0];
            for (Group g : groups) g.seen = false;
            for (int i = 0; i < v.size; i++) {
                Group g = groups[v.sig[i]];
                double f = v.f[i];
                FloatHistogram h = v.h[i];
                if (!g.seen) {
                    init(g, f, h, v.dropName[i]);
                    continue;
                }
                if (g.incompatibleHistograms) continue;
                if (v.dropName[i]) g.dropName = true;
                try {
                    update(g, f, h);
                } catch (FloatHistogram.IncompatibleSchemaException e) {
                    ev.q.annotations.warn("vector contains a mix of histograms with exponential and custom buckets "
                            + "schemas for metric name " + GoQuoting.quote(v.labels[i].metricName()), pos);
                    g.incompatibleHistograms = true;
                }
            }
            double q = params == null ? 0 : params[(int) ((ts - ev.start) / ev.interval)];
            for (int gi = 0; gi < groups.length; gi++) {
                Group g = groups[gi];
                if (!g.seen) continue;
                FloatHistogram hv = null;
                double fv = g.floatValue;
                switch (op) {
                    case AVG -> {
                        if (g.hasFloat && g.hasHistogram) {
                            ev.q.annotations.warn("encountered a mix of histograms and floats for aggregation", pos);
                            continue;
                        }
                        if (g.incompatibleHistograms) continue;
                        if (g.hasHistogram) {
                            if (!g.histogramIncrementalMean) g.histogramValue.div(g.count);
                            hv = (g.histogramIncrementalMean ? g.histogramMean : g.histogramValue).value();
                        } else if (g.floatIncrementalMean) {
                            fv = g.floatMean + g.kahanC;
                        } else {
                            fv = g.floatValue / g.count + g.kahanC / g.count;
                        }
                    }
                    case COUNT -> fv = g.count;
                    case STDVAR -> fv = g.floatValue / g.count;
                    case STDDEV -> fv = Math.sqrt(g.floatValue / g.count);
                    case QUANTILE -> fv = Quantiles.quantile(q, g.values, g.nValues);
                    case SUM -> {
                        if (g.hasFloat && g.hasHistogram) {
                            ev.q.annotations.warn("encountered a mix of histograms and floats for aggregation", pos);
                            continue;
                        }
                        if (g.incompatibleHistograms) continue;
                        if (g.hasHistogram) {
                            hv = g.histogramValue.value();
                        } else {
                            fv = g.floatValue + g.kahanC;
                        }
                    }
                    default -> { }
                }
                if (g.counterResetSeen && g.notCounterResetSeen) {
                    ev.q.annotations.warn("conflicting counter resets during histogram aggregation", pos);
                }
                lastDropName[gi] = g.dropName;
                out.add(groupLabels.get(gi), fv, hv, g.dropName);
            }
        }

        private void init(Group g, double f, FloatHistogram h, boolean dropName) {
            g.seen = true;
            g.floatValue = f;
            g.floatMean = f;
            g.kahanC = 0;
            g.count = 1;
            g.hasFloat = false;
            g.hasHistogram = false;
            g.incompatibleHistograms = false;
            g.floatIncrementalMean = false;
            g.histogramIncrementalMean = false;
            g.counterResetSeen = false;
            g.notCounterResetSeen = false;
            g.dropName = dropName;
            g.histogramValue = null;
            g.histogramMean = null;
            g.nValues = 0;
            switch (op) {
                case AVG, SUM -> {
                    if (h == null) {
                        g.hasFloat = true;
                    } else {
                        g.histogramValue = new HistogramKahanSum(h);
                        g.hasHistogram = true;
                        g.trackHint(h);
                    }
                }
                case STDVAR, STDDEV -> {
                    if (h != null) {
                        g.seen = false;
                        ignoredHistogram();
                    } else if (Double.isNaN(f) || Double.isInfinite(f)) {
                        g.floatValue = Double.NaN;
                    } else {
                        g.floatValue = 0;
                    }
                }
                case QUANTILE -> {
                    if (h != null) {
                        g.seen = false;
                        ignoredHistogram();
                    }
                    g.addValue(f);
                }
                case GROUP -> g.floatValue = 1;
                case MIN, MAX -> {
                    if (h != null) {
                        g.seen = false;
                        ignoredHistogram();
                    }
                }
                default -> { }
            }
        }

        private void update(Group g, double f, FloatHistogram h) {
            switch (op) {
                case SUM -> {
                    if (h != null) {
                        g.hasHistogram = true;
                        if (g.histogramValue != null) {
                            g.trackHint(h);
                            if ((g.histogramValue.add(h) & FloatHistogram.CUSTOM_BUCKETS_RECONCILED) != 0) reconciled();
                        }
                    } else {
                        g.hasFloat = true;
                        KahanSum k = new KahanSum(g.floatValue, g.kahanC);
                        k.add(f);
                        g.floatValue = k.sum;
                        g.kahanC = k.c;
                    }
                }
                case AVG -> {
                    g.count++;
                    if (h != null) {
                        g.hasHistogram = true;
                        if (g.histogramValue != null) avgHistogram(g, h);
                    } else {
                        g.hasFloat = true;
                        if (!g.floatIncrementalMean) {
                            KahanSum k = new KahanSum(g.floatValue, g.kahanC);
                            k.add(f);
                            if (!Double.isInfinite(k.sum)) {
                                g.floatValue = k.sum;
                                g.kahanC = k.c;
                                return;
                            }
                            // The sum would overflow: go on with an incremental mean.
                            g.floatIncrementalMean = true;
                            g.floatMean = g.floatValue / (g.count - 1);
                            g.kahanC /= g.count - 1;
                        }
                        double q = (g.count - 1) / g.count;
                        KahanSum k = new KahanSum(q * g.floatMean, q * g.kahanC);
                        k.add(f / g.count);
                        g.floatMean = k.sum;
                        g.kahanC = k.c;
                    }
                }
                case GROUP -> { }
                case MAX -> {
                    if (h != null) {
                        ignoredHistogram();
                        return;
                    }
                    if (g.floatValue < f || Double.isNaN(g.floatValue)) g.floatValue = f;
                }
                case MIN -> {
                    if (h != null) {
                        ignoredHistogram();
                        return;
                    }
                    if (g.floatValue > f || Double.isNaN(g.floatValue)) g.floatValue = f;
                }
                case COUNT -> g.count++;
                case STDVAR, STDDEV -> {
                    if (h != null) {
                        ignoredHistogram();
                        return;
                    }
                    g.count++;
                    double delta = f - g.floatMean;
                    g.floatMean += delta / g.count;
                    g.floatValue += delta * (f - g.floatMean);
                }
                case QUANTILE -> {
                    if (h != null) {
                        ignoredHistogram();
                        return;
                    }
                    g.addValue(f);
                }
                default -> throw new EvaluationException("expected aggregation operator but got \"" + op.keyword() + "\"");
            }
        }

        /** Adds a histogram to the group's average, switching to an incremental mean if the sum overflows. */
        private void avgHistogram(Group g, FloatHistogram h) {
            g.trackHint(h);
            if (!g.histogramIncrementalMean) {
                HistogramKahanSum v = g.histogramValue.copy();
                if ((v.add(h) & FloatHistogram.CUSTOM_BUCKETS_RECONCILED) != 0) reconciled();
                if (!v.hasOverflow()) {
                    g.histogramValue = v;
                    return;
                }
                g.histogramIncrementalMean = true;
                g.histogramMean = g.histogramValue.copy().div(g.count - 1);
            }
            double q = (g.count - 1) / g.count;
            g.histogramMean.mul(q);
            if ((g.histogramMean.add(h.copy().div(g.count)) & FloatHistogram.CUSTOM_BUCKETS_RECONCILED) != 0) {
                reconciled();
            }
        }

        private void reconciled() {
            ev.q.annotations.info("mismatched custom buckets were reconciled during aggregation", pos);
        }
    }

    /** topk, bottomk, limitk and limit_ratio at one step: some samples of each group, unchanged. */
    private static final class SelectK implements Evaluator.StepOp {
        private final Evaluator ev;
        private final AggregateExpr a;
        private final AggregateOp op;
        private final double[] params;
        private final int inputSize;
        private final int[][] heaps;
        private final int[] heapSize;
        private final boolean[] seen;
        private double[] values;

        SelectK(Evaluator ev, AggregateExpr a, double[] params, int inputSize, int groups) {
            this.ev = ev;
            this.a = a;
            this.op = a.op();
            this.params = params;
            this.inputSize = inputSize;
            this.heaps = new int[groups][];
            this.heapSize = new int[groups];
            this.seen = new boolean[groups];
        }

        @Override
        public void apply(StepVector[] in, StepVector out, long ts) {
            StepVector v = in[0];
            if (v.isEmpty()) return;
            double p = params[(int) ((ts - ev.start) / ev.interval)];
            long k = 0;
            double ratio = 0;
            if (op == AggregateOp.LIMIT_RATIO) {
                if (p == 0) return;
                ratio = Math.max(-1, Math.min(1, p));
            } else {
                k = Math.min((long) p, inputSize);
                if (k < 1) return;
            }
            values = v.f;
            Arrays.fill(seen, false);
            Arrays.fill(heapSize, 0);
            for (int i = 0; i < v.size; i++) {
                int g = v.sig[i];
                boolean histogram = v.h[i] != null;
                if (heaps[g] == null) heaps[g] = new int[4];
                switch (op) {
                    case TOPK, BOTTOMK -> {
                        if (histogram) {
                            ev.q.annotations.info("ignored histogram in " + op.keyword() + " aggregation", a.positionRange());
                            continue;
                        }
                        seen[g] = true;
                        boolean top = op == AggregateOp.TOPK;
                        if (heapSize[g] < k) {
                            push(g, i, top);
                        } else {
                            double head = v.f[heaps[g][0]];
                            double f = v.f[i];
                            boolean replace = top ? head < f : head > f;
                            if (replace || (Double.isNaN(head) && !Double.isNaN(f))) {
                                heaps[g][0] = i;
                                if (k > 1) down(g, 0, top);
                            }
                        }
                    }
                    case LIMITK -> {
                        seen[g] = true;
                        if (heapSize[g] < k) append(g, i);
                    }
                    case LIMIT_RATIO -> {
                        seen[g] = true;
                        if (addRatioSample(ratio, v.labels[i])) append(g, i);
                    }
                    default -> throw new EvaluationException("expected aggregation operator but got \"" + op.keyword() + "\"");
                }
            }
            for (int g = 0; g < heaps.length; g++) {
                if (!seen[g]) continue;
                int n = heapSize[g];
                int[] heap = heaps[g];
                if (op == AggregateOp.TOPK || op == AggregateOp.BOTTOMK) {
                    boolean top = op == AggregateOp.TOPK;
                    Integer[] order = new Integer[n];
                    for (int i = 0; i < n; i++) order[i] = heap[i];
                    // Best first, NaN last.
                    Arrays.sort(order, (x, y) -> -compare(v.f[x], v.f[y], top));
                    for (int i = 0; i < n; i++) out.addFrom(v, order[i]);
                } else {
                    for (int i = 0; i < n; i++) out.addFrom(v, heap[i]);
                }
            }
        }

        /** The heap order: NaN is smallest, then by value (reversed for bottomk). */
        private static int compare(double x, double y, boolean top) {
            boolean nx = Double.isNaN(x);
            boolean ny = Double.isNaN(y);
            if (nx || ny) return nx == ny ? 0 : nx ? -1 : 1;
            if (x == y) return 0;
            return (x < y) == top ? -1 : 1;
        }

        private boolean less(int i, int j, boolean top) {
            double x = values[i];
            if (Double.isNaN(x)) return true;
            double y = values[j];
            return top ? x < y : x > y;
        }

        private void append(int g, int sample) {
            if (heapSize[g] == heaps[g].length) heaps[g] = Arrays.copyOf(heaps[g], heapSize[g] * 2);
            heaps[g][heapSize[g]++] = sample;
        }

        private void push(int g, int sample, boolean top) {
            append(g, sample);
            int[] h = heaps[g];
            int j = heapSize[g] - 1;
            while (j > 0) {
                int parent = (j - 1) / 2;
                if (parent == j || !less(h[j], h[parent], top)) break;
                int t = h[parent];
                h[parent] = h[j];
                h[j] = t;
                j = parent;
            }
        }

        private void down(int g, int i0, boolean top) {
            int[] h = heaps[g];
            int n = heapSize[g];
            int i = i0;
            while (true) {
                int j1 = 2 * i + 1;
                if (j1 >= n || j1 < 0) break;
                int j = j1;
                int j2 = j1 + 1;
                if (j2 < n && less(h[j2], h[j1], top)) j = j2;
                if (!less(h[j], h[i], top)) break;
                int t = h[i];
                h[i] = h[j];
                h[j] = t;
                i = j;
            }
        }
    }

    /** Whether limit_ratio keeps a series: a stable pseudo-random offset of its labels within the ratio. */
    static boolean addRatioSample(double ratio, Labels labels) {
        long hash = LabelsHash.hash(labels);
        double unsigned = hash >= 0 ? hash : ((hash >>> 1) | (hash & 1)) * 2.0;
        double offset = unsigned / 1.8446744073709552e19;
        return (ratio >= 0 && offset < ratio) || (ratio < 0 && offset >= 1.0 + ratio);
    }

    // ---- count_values ----

    private static List<StepSeries> countValues(Evaluator ev, AggregateExpr a, Expr inner, List<String> grouping) {
        String valueLabel = Evaluator.stringArg(a.param());
        if (!LabelFunctions.isValidLabelName(valueLabel)) {
            throw new EvaluationException("invalid label name " + GoQuoting.quote(valueLabel));
        }
        List<String> groupBy = new ArrayList<>(grouping);
        if (!a.without()) {
            groupBy.add(valueLabel);
            groupBy.sort(null);
        }
        List<StepSeries> input = ev.eval(inner);
        Evaluator.StepOp op = (in, out, ts) -> {
            StepVector v = in[0];
            Map<Labels, int[]> counts = new LinkedHashMap<>();
            for (int i = 0; i < v.size; i++) {
                String value = v.h[i] != null ? v.h[i].toString() : GoFloats.formatPlain(v.f[i]);
                Labels metric = v.labels[i].toBuilder().set(valueLabel, value).build();
                Labels group = groupingLabels(metric, groupBy, a.without());
                counts.computeIfAbsent(group, g -> new int[1])[0]++;
            }
            for (Map.Entry<Labels, int[]> e : counts.entrySet()) out.add(e.getKey(), e.getValue()[0], null, false);
        };
        return ev.rangeEval(op, List.of(input), null);
    }
}
