package io.mnemo.promql.promqltest;

import io.mnemo.promql.Engine;
import io.mnemo.promql.PromQLException;
import io.mnemo.promql.QueryResult;
import io.mnemo.promql.ast.At;
import io.mnemo.promql.ast.Call;
import io.mnemo.promql.ast.Expr;
import io.mnemo.promql.ast.Exprs;
import io.mnemo.promql.ast.MatrixSelector;
import io.mnemo.promql.ast.SubqueryExpr;
import io.mnemo.promql.ast.VectorSelector;
import io.mnemo.promql.parser.ParseException;
import io.mnemo.promql.value.Matrix;
import io.mnemo.promql.value.Scalar;
import io.mnemo.promql.value.StringValue;
import io.mnemo.promql.value.Value;
import io.mnemo.promql.value.Vector;
import io.mnemo.tsdb.Labels;
import io.mnemo.tsdb.StaleNaN;
import io.mnemo.tsdb.histogram.FloatHistogram;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * Runs a {@link TestScript} against an {@link Engine} the way Prometheus's promqltest does: every
 * instant eval also runs with {@code @} pinned on its selectors at several other evaluation times,
 * and as a range query around its time, and all must give the expected result and annotations.
 * An eval that hits a part the engine does not support fails, saying so.
 */
public final class ScriptRunner {
    private static final double EPSILON = 0.000001;
    private static final Pattern QUERY_CONTEXT_FUNCTIONS = Pattern.compile("(start|end|range|step)\\(\\)");
    /** Functions whose result depends on the evaluation time even with {@code @} on all selectors. */
    private static final Set<String> AT_MODIFIER_UNSAFE = Set.of("days_in_month", "day_of_month", "day_of_week",
            "day_of_year", "end", "hour", "minute", "month", "year", "predict_linear", "range", "start", "step", "time",
            "timestamp");

    public enum Outcome { PASSED, FAILED }

    /** The outcome of one eval, with what went wrong. */
    public record Result(TestScript.Eval eval, Outcome outcome, String message) {
        public boolean passed() { return outcome == Outcome.PASSED; }

        @Override
        public String toString() {
            return "line " + eval.line() + " " + eval.expr() + ": " + outcome + (message == null ? "" : " - " + message);
        }
    }

    private final Engine engine;
    private final Supplier<? extends TestStorage> storageFactory;

    /** @param storageFactory makes the empty storage the script starts with and each {@code clear} resets to */
    public ScriptRunner(Engine engine, Supplier<? extends TestStorage> storageFactory) {
        this.engine = Objects.requireNonNull(engine);
        this.storageFactory = Objects.requireNonNull(storageFactory);
    }

    public List<Result> run(TestScript script) { return run(script, e -> true); }

    /** Runs loads and clears, and the evals the filter selects. */
    public List<Result> run(TestScript script, Predicate<TestScript.Eval> filter) {
        List<Result> results = new ArrayList<>();
        TestStorage storage = storageFactory.get();
        String unsupportedData = null;
        for (TestScript.Command c : script.commands()) {
            if (c instanceof TestScript.Clear) {
                storage = storageFactory.get();
                unsupportedData = null;
            } else if (c instanceof TestScript.Load load) {
                load(storage, load);
                if (load.unsupported() != null) unsupportedData = load.unsupported();
            } else if (c instanceof TestScript.Eval eval && filter.test(eval)) {
                results.add(runEval(storage, eval, eval.unsupported() != null ? eval.unsupported() : unsupportedData));
            }
        }
        return results;
    }

    private static void load(TestStorage storage, TestScript.Load load) {
        for (TestScript.LoadedSeries s : load.series()) {
            SeriesValues v = s.values();
            for (int i = 0; i < v.size(); i++) {
                if (v.isOmitted(i)) continue;
                long t = i * load.intervalMillis();
                FloatHistogram h = v.histogram(i);
                if (h != null) storage.appendHistogram(s.labels(), t, h);
                else storage.append(s.labels(), t, v.value(i));
            }
        }
        if (load.withNhcb()) {
            for (ClassicHistogramConverter.Sample s : ClassicHistogramConverter.convert(load)) {
                storage.appendHistogram(s.labels(), s.timestamp(), s.histogram());
            }
        }
    }

    private Result runEval(TestStorage storage, TestScript.Eval eval, String unsupportedData) {
        try {
            if (!eval.instant()) {
                runRange(storage, eval);
            } else {
                runInstant(storage, eval, eval.expr(), eval.time());
                for (InstantQuery q : atModifierVariants(eval)) runInstant(storage, eval, q.query(), q.time());
            }
            return new Result(eval, Outcome.PASSED, null);
        } catch (Mismatch e) {
            String message = e.getMessage();
            if (unsupportedData != null) message += " [test data not loaded: " + unsupportedData + "]";
            return new Result(eval, Outcome.FAILED, message);
        } catch (RuntimeException e) {
            return new Result(eval, Outcome.FAILED, "unexpected " + e);
        }
    }

    private void runRange(TestStorage storage, TestScript.Eval eval) {
        QueryResult r = execute(eval, eval.expr(),
                () -> engine.execRange(storage, eval.expr(), eval.start(), eval.end(), eval.step()));
        if (r == null) return;
        checkAnnotations(eval, r);
        compare(eval, r.value());
    }

    /** Runs a query; returns its result when it succeeded as expected, null when it failed as expected. */
    private static QueryResult execute(TestScript.Eval eval, String query, Supplier<QueryResult> run) {
        QueryResult r;
        try {
            r = run.get();
        } catch (PromQLException e) {
            if (!eval.fail()) throw new Mismatch("error evaluating " + query + ": " + e.getMessage());
            if (eval.failMessage() != null && !eval.failMessage().equals(e.getMessage())) {
                throw new Mismatch("expected error \"" + eval.failMessage() + "\" but got: " + e.getMessage());
            }
            if (eval.failPattern() != null && !eval.failPattern().matcher(e.getMessage()).find()) {
                throw new Mismatch("expected error matching " + eval.failPattern() + " but got: " + e.getMessage());
            }
            return null;
        }
        if (eval.fail()) throw new Mismatch("expected an error evaluating " + query + " but got none");
        return r;
    }

    private void runInstant(TestStorage storage, TestScript.Eval eval, String query, long time) {
        QueryResult r = execute(eval, query, () -> engine.execInstant(storage, query, time));
        if (r == null) return;
        checkAnnotations(eval, r);
        try {
            compare(eval, r.value());
        } catch (Mismatch e) {
            throw new Mismatch(query.equals(eval.expr()) ? e.getMessage() : "with " + query + " at " + time + ": " + e.getMessage());
        }
        if (eval.excludedFromRangeQuery() || QUERY_CONTEXT_FUNCTIONS.matcher(query).find()) return;
        checkRangeMode(storage, eval, query, time, r.value());
    }

    /** Prometheus's checks of warnings and infos: those asked for must be there, and only those. */
    private static void checkAnnotations(TestScript.Eval eval, QueryResult r) {
        if (eval.warn() && r.warnings().isEmpty()) throw new Mismatch("expected warnings but got none");
        if (eval.info() && r.infos().isEmpty()) throw new Mismatch("expected info annotations but got none");
        checkAnnotations("warn", eval.annotations(TestScript.AnnotationKind.WARN), r.warnings());
        checkAnnotations("info", eval.annotations(TestScript.AnnotationKind.INFO), r.infos());
        if (!eval.annotations(TestScript.AnnotationKind.NO_WARN).isEmpty() && !r.warnings().isEmpty()) {
            throw new Mismatch("unexpected warning annotations: " + r.warnings());
        }
        if (!eval.annotations(TestScript.AnnotationKind.NO_INFO).isEmpty() && !r.infos().isEmpty()) {
            throw new Mismatch("unexpected info annotations: " + r.infos());
        }
    }

    private static void checkAnnotations(String kind, List<TestScript.ExpectedAnnotation> expected, List<String> actual) {
        if (expected.isEmpty()) return;
        if (actual.isEmpty()) throw new Mismatch("expected " + kind + " annotations but none were found");
        for (TestScript.ExpectedAnnotation e : expected) {
            if (actual.stream().noneMatch(e::matches)) {
                throw new Mismatch("expected " + kind + " annotation matching \"" + e + "\" but found: " + actual);
            }
        }
        for (String a : actual) {
            if (expected.stream().noneMatch(e -> e.matches(a))) {
                throw new Mismatch("unexpected " + kind + " annotation \"" + a + "\"");
            }
        }
    }

    private record InstantQuery(String query, long time) {}

    /** The query with {@code @ <time>} on every selector and subquery without one, at other times. */
    private List<InstantQuery> atModifierVariants(TestScript.Eval eval) {
        Expr expr;
        try {
            expr = engine.parser().parseExpr(eval.expr());
        } catch (ParseException e) {
            return List.of(); // the query itself was judged already
        }
        boolean[] unsafe = {false};
        Exprs.walk(expr, (node, path) -> {
            // Prometheus only looks outside subqueries: those get the @ pinned and hide their insides.
            if (path.stream().anyMatch(p -> p instanceof SubqueryExpr)) return;
            if (node instanceof Call c && AT_MODIFIER_UNSAFE.contains(c.function().name())) unsafe[0] = true;
        });
        if (unsafe[0]) return List.of();
        long t = eval.time();
        String pinned = pinAt(expr, t).toString();
        long[] others = t == 0 ? new long[] {-1000, 0, 1000} : new long[] {-10 * t, 0, t / 5, t, 10 * t};
        List<InstantQuery> out = new ArrayList<>();
        for (long other : others) out.add(new InstantQuery(pinned, other));
        return out;
    }

    private static Expr pinAt(Expr e, long t) {
        if (e instanceof VectorSelector vs) return vs.at() == null ? vs.withAt(At.timestamp(t), vs.positionRange()) : vs;
        if (e instanceof MatrixSelector m) {
            VectorSelector vs = m.vectorSelector();
            return vs.at() == null ? m.withVectorSelector(vs.withAt(At.timestamp(t), vs.positionRange()), m.positionRange()) : m;
        }
        // Selectors inside a subquery follow the subquery's own time.
        if (e instanceof SubqueryExpr s) return s.at() == null ? s.withAt(At.timestamp(t), s.positionRange()) : s;
        return Exprs.mapChildren(e, c -> pinAt(c, t));
    }

    /** The instant result must also be what a range query around the time gives at that time. */
    private void checkRangeMode(TestStorage storage, TestScript.Eval eval, String query, long t, Value instant) {
        Matrix m;
        try {
            m = engine.rangeQuery(storage, query, t - 60_000, t + 60_000, 60_000);
        } catch (PromQLException e) {
            throw new Mismatch("error evaluating " + query + " in range mode: " + e.getMessage());
        }
        if (eval.ordered()) return; // range results are always sorted by labels
        Vector.Builder at = Vector.builder(m.size());
        for (Matrix.Series s : m.series()) {
            for (int i = 0; i < s.size(); i++) {
                if (s.timestamp(i) == t) {
                    at.add(s.labels(), t, s.value(i), s.histogram(i));
                    break;
                }
            }
        }
        Vector v = at.build();
        Value asInstant = instant instanceof Scalar ? new Scalar(t, v.isEmpty() ? Double.NaN : v.value(0)) : v;
        try {
            compare(eval, asInstant);
        } catch (Mismatch e) {
            throw new Mismatch("range mode" + (query.equals(eval.expr()) ? "" : " of " + query) + ": " + e.getMessage());
        }
    }

    private static void compare(TestScript.Eval eval, Value result) {
        if (eval.expectedString() != null) {
            if (!(result instanceof StringValue s) || !s.value().equals(eval.expectedString())) {
                throw new Mismatch("expected string \"" + eval.expectedString() + "\" but got " + result);
            }
            return;
        }
        if (result instanceof Scalar s) {
            if (eval.expectedScalar() == null) throw new Mismatch("expected vector or matrix result, but got scalar " + s.value());
            if (!almostEqual(eval.expectedScalar(), s.value())) {
                throw new Mismatch("expected scalar " + eval.expectedScalar() + " but got " + s.value());
            }
            return;
        }
        if (eval.expectedScalar() != null) throw new Mismatch("expected scalar result, but got " + result);
        if (result instanceof Vector v) compareVector(eval, v);
        else if (result instanceof Matrix m) compareMatrix(eval, m);
        else throw new Mismatch("unexpected result " + result);
    }

    private static void compareVector(TestScript.Eval eval, Vector v) {
        Set<Labels> seen = new HashSet<>();
        for (int i = 0; i < v.size(); i++) {
            TestScript.ExpectedSeries exp = eval.expected().get(v.labels(i));
            String actual = v.histogram(i) != null ? v.histogram(i).toString() : String.valueOf(v.value(i));
            if (exp == null) throw new Mismatch("unexpected metric " + v.labels(i) + " in result, has value " + actual);
            if (eval.ordered() && exp.position() != i + 1) {
                throw new Mismatch("expected metric " + v.labels(i) + " at position " + exp.position() + " but was at " + (i + 1));
            }
            if (!samePoint(exp.values(), 0, v.value(i), v.histogram(i))) {
                throw new Mismatch("expected " + exp.values().describe(0) + " for " + v.labels(i) + " but got " + actual);
            }
            seen.add(v.labels(i));
        }
        for (Labels l : eval.expected().keySet()) {
            if (!seen.contains(l)) throw new Mismatch("expected metric " + l + " not found");
        }
    }

    private static void compareMatrix(TestScript.Eval eval, Matrix m) {
        if (eval.ordered()) throw new Mismatch("expected ordered result, but query returned a matrix");
        for (int i = 1; i < m.size(); i++) {
            if (m.get(i - 1).labels().compareTo(m.get(i).labels()) > 0) throw new Mismatch("matrix result is not sorted by labels");
        }
        Set<Labels> seen = new HashSet<>();
        for (Matrix.Series s : m.series()) {
            TestScript.ExpectedSeries exp = eval.expected().get(s.labels());
            if (exp == null) throw new Mismatch("unexpected metric " + s.labels() + " in result, has " + s);
            seen.add(s.labels());
            int j = 0;
            for (int i = 0; i < exp.values().size(); i++) {
                long t = eval.start() + i * eval.step();
                if (t > eval.end()) throw new Mismatch("expected more points for " + s.labels() + " than the time range has");
                if (exp.values().isOmitted(i)) continue;
                if (j >= s.size()) throw new Mismatch("expected a point at " + t + " for " + s.labels() + ", result has " + s);
                if (s.timestamp(j) != t) {
                    throw new Mismatch("expected a point at " + t + " for " + s.labels() + " but got one at " + s.timestamp(j)
                            + " (result has " + s + ")");
                }
                if (!samePoint(exp.values(), i, s.value(j), s.histogram(j))) {
                    throw new Mismatch("expected " + exp.values().describe(i) + " at " + t + " for " + s.labels() + " but got "
                            + (s.histogram(j) != null ? s.histogram(j) : String.valueOf(s.value(j))) + " (result has " + s + ")");
                }
                j++;
            }
            if (j != s.size()) throw new Mismatch("expected " + j + " points for " + s.labels() + " but got " + s);
        }
        for (Labels l : eval.expected().keySet()) {
            if (!seen.contains(l)) throw new Mismatch("expected metric " + l + " not found");
        }
    }

    private static boolean samePoint(SeriesValues expected, int i, double value, FloatHistogram histogram) {
        FloatHistogram eh = expected.histogram(i);
        if (eh == null) return histogram == null && almostEqual(expected.value(i), value);
        return histogram != null && eh.matchesForTest(histogram, expected.counterResetHintSet(i));
    }

    /** Relative comparison as Prometheus's tests do; two NaNs are equal, a staleness marker only to another. */
    static boolean almostEqual(double a, double b) {
        if (StaleNaN.is(a) || StaleNaN.is(b)) return StaleNaN.is(a) && StaleNaN.is(b);
        if (Double.isNaN(a) && Double.isNaN(b)) return true;
        if (a == b) return true;
        double absSum = Math.abs(a) + Math.abs(b);
        double diff = Math.abs(a - b);
        if (a == 0 || b == 0 || absSum < Double.MIN_NORMAL) return diff < EPSILON * Double.MIN_NORMAL;
        return diff / Math.min(absSum, Double.MAX_VALUE) < EPSILON;
    }

    /** A result differs from the expected one. */
    private static final class Mismatch extends RuntimeException {
        Mismatch(String message) { super(message, null, false, false); }
    }
}
