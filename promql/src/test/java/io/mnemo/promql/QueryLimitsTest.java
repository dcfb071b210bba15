package io.mnemo.promql;

import io.mnemo.promql.ast.Expr;
import io.mnemo.promql.ast.Prettier;
import io.mnemo.promql.parser.ExpressionTooDeepException;
import io.mnemo.promql.parser.ParserOptions;
import io.mnemo.promql.promqltest.InMemoryStorage;
import io.mnemo.promql.value.Matrix;
import io.mnemo.promql.value.Scalar;
import io.mnemo.promql.value.Vector;
import io.mnemo.tsdb.Labels;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The limits that keep one query from taking a node down: expression depth and samples in memory. */
class QueryLimitsTest {
    private static final String TOO_MANY_SAMPLES = "query processing would load too many samples into memory in query execution";
    private static final long M = 60_000;
    private static final long YEAR = 365 * 24 * 60 * M;

    private final InMemoryStorage storage = new InMemoryStorage();

    private static String nest(String open, String inner, String close, int times) {
        return open.repeat(times) + inner + close.repeat(times);
    }

    /** Runs on a thread with the stack a query thread gets, rethrowing what it threw. */
    private static void onQueryThread(Runnable r) throws Exception {
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread t = new Thread(null, () -> {
            try {
                r.run();
            } catch (Throwable e) {
                failure.set(e);
            }
        }, "query", Engine.threadStackSize(ParserOptions.DEFAULT_MAX_DEPTH));
        t.start();
        t.join();
        if (failure.get() instanceof Error e) throw e;
        if (failure.get() instanceof Exception e) throw e;
    }

    private static long allocatedBytes() {
        return ((com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean()).getCurrentThreadAllocatedBytes();
    }

    @Nested
    class ExpressionDepth {
        private final Engine engine = new Engine();

        /** Queries nested 2,000 deep (or 100,000 terms long) in every shape that recurses somewhere. */
        private Map<String, String> tooDeep() {
            Map<String, String> q = new LinkedHashMap<>();
            q.put("parentheses", nest("(", "1", ")", 2000));
            q.put("unary minus", nest("-(", "m", ")", 2000));
            q.put("unary minus chain", "-".repeat(100_000) + "1");
            q.put("function calls", nest("abs(", "m", ")", 2000));
            q.put("aggregations", nest("sum(", "m", ")", 2000));
            q.put("binary chain", "1" + "+1".repeat(100_000));
            q.put("right-associative chain", "2" + "^2".repeat(100_000));
            q.put("right-nested binary", nest("m + (", "m", ")", 2000));
            q.put("nested subqueries", nest("max_over_time(", "m", "[1m:])", 2000));
            q.put("unclosed parentheses", "(".repeat(100_000));
            return q;
        }

        @Test
        void deeperThanTheLimitIsAParseErrorNamingTheLimitAndTheSetting() throws Exception {
            for (Map.Entry<String, String> e : tooDeep().entrySet()) {
                onQueryThread(() -> {
                    long start = System.nanoTime();
                    ExpressionTooDeepException x = assertThrows(ExpressionTooDeepException.class,
                            () -> engine.parser().parseExpr(e.getValue()), e.getKey());
                    assertEquals(ErrorType.BAD_DATA, x.errorType(), e.getKey());
                    assertTrue(x.getMessage().contains("parse error: expression is nested deeper than the limit of 1000"
                            + " levels (mnemo.querier.max-expression-depth)"), e.getKey() + ": " + x.getMessage());
                    assertTrue(System.nanoTime() - start < 5_000_000_000L, e.getKey() + " took too long");
                });
            }
        }

        @Test
        void durationExpressionsCountToo() throws Exception {
            Engine all = new Engine(EngineOptions.DEFAULT.withParserOptions(ParserOptions.ALL));
            onQueryThread(() -> {
                assertThrows(ExpressionTooDeepException.class,
                        () -> all.parser().parseExpr("m[" + nest("(", "1m", ")", 2000) + "]"));
                assertThrows(ExpressionTooDeepException.class,
                        () -> all.parser().parseExpr("m[1m" + "+1m".repeat(5000) + "]"));
                // The parser's recursion stops at the limit even where the feature is off.
                assertThrows(ExpressionTooDeepException.class,
                        () -> engine.parser().parseExpr("m offset " + nest("(", "1m", ")", 100_000)));
            });
        }

        @Test
        void theLimitIsExactAndConfigurable() {
            Engine ten = new Engine(EngineOptions.DEFAULT.withParserOptions(ParserOptions.DEFAULT.withMaxDepth(10)));
            ten.parser().parseExpr(nest("(", "1", ")", 9)); // 9 parentheses and the number: 10 levels
            ExpressionTooDeepException e = assertThrows(ExpressionTooDeepException.class,
                    () -> ten.parser().parseExpr(nest("(", "1", ")", 10)));
            assertTrue(e.getMessage().contains("limit of 10 levels"), e.getMessage());
            ten.parser().parseExpr("m" + "+m".repeat(9));
            assertThrows(ExpressionTooDeepException.class, () -> ten.parser().parseExpr("m" + "+m".repeat(10)));
        }

        @Test
        void expressionsAtTheLimitParsePrintAndEvaluateOnAQueryThread() throws Exception {
            for (int i = 0; i <= 40; i++) storage.append(Labels.of("__name__", "m"), i * 15_000L, 2);
            Map<String, Double> atLimit = new LinkedHashMap<>();
            atLimit.put(nest("(", "m", ")", 999), 2.0);
            atLimit.put(nest("-(", "m", ")", 499) + "", -2.0); // 499 x (unary, parentheses) + m = 999 levels
            atLimit.put(nest("abs(", "m", ")", 999), 2.0);
            atLimit.put(nest("sum(", "m", ")", 999), 2.0);
            atLimit.put("m" + "+m".repeat(999), 2000.0);
            atLimit.put(nest("m * on() (", "m", ")", 499), Math.pow(2, 500));
            atLimit.put(nest("max_over_time(", "m", "[2m:1m])", 499), 2.0);
            atLimit.put(nest("label_replace(", "m", ", \"a\", \"$1\", \"__name__\", \"(.*)\")", 999), 2.0);
            for (Map.Entry<String, Double> e : atLimit.entrySet()) {
                onQueryThread(() -> {
                    Expr x = engine.parser().parseExpr(e.getKey());
                    assertEquals(x.toString(), engine.parser().parseExpr(x.toString()).toString());
                    Prettier.format(x);
                    Vector v = assertInstanceOf(Vector.class, engine.instantQuery(storage, x, 10 * M));
                    assertEquals(e.getValue(), v.value(0), e.getKey().substring(0, 40));
                    Matrix r = engine.rangeQuery(storage, x, 5 * M, 10 * M, M);
                    assertEquals(6, r.get(0).size());
                });
            }
        }
    }

    @Nested
    class MaxSamples {
        private final Engine engine = new Engine(EngineOptions.DEFAULT.withMaxSamples(1_000_000));

        /** Runs a query that must be refused, checking that it is refused quickly and allocates little. */
        private void assertRefusedCheaply(Runnable query) {
            long bytes = allocatedBytes();
            long start = System.nanoTime();
            TooManySamplesException e = assertThrows(TooManySamplesException.class, query::run);
            long tookMs = (System.nanoTime() - start) / 1_000_000;
            long allocated = allocatedBytes() - bytes;
            assertEquals(TOO_MANY_SAMPLES, e.getMessage());
            assertEquals(ErrorType.EXECUTION, e.errorType());
            assertTrue(tookMs < 5_000, "took " + tookMs + " ms");
            // A million samples are 16 MB as points; arrays grow by doubling.
            assertTrue(allocated < 200L << 20, "allocated " + (allocated >> 20) + " MiB");
        }

        @Test
        void aSubqueryOverAYearAtOneMillisecondIsRefusedBeforeItAllocates() {
            assertRefusedCheaply(() -> engine.instantQuery(storage, "max_over_time(vector(1)[1y:1ms])", YEAR));
            assertRefusedCheaply(() -> engine.instantQuery(storage, "count_over_time(vector(1)[1y:1ms])", YEAR));
            assertRefusedCheaply(() -> engine.instantQuery(storage, "max_over_time((vector(1) + 1)[1y:1ms])", YEAR));
            assertRefusedCheaply(() -> engine.instantQuery(storage, "max_over_time(sum(vector(1))[1y:1ms])", YEAR));
            assertRefusedCheaply(() -> engine.instantQuery(storage,
                    "max_over_time(max_over_time(vector(1)[1y:1ms])[1y:1ms])", YEAR));
        }

        @Test
        void aDenseSeriesSampledAtEveryMillisecondIsRefused() {
            for (long t = 0; t <= 60 * M; t += 15_000) storage.append(Labels.of("__name__", "m"), t, 1);
            assertRefusedCheaply(() -> engine.instantQuery(storage, "count_over_time(m[1y:1ms])", 60 * M));
        }

        @Test
        void aRangeQueryWithManyStepsIsRefusedBeforeItAllocates() {
            assertRefusedCheaply(() -> engine.rangeQuery(storage, "vector(1)", 0, 24 * 60 * M, 1));
            assertRefusedCheaply(() -> engine.rangeQuery(storage, "time()", 0, 24 * 60 * M, 1));
        }

        @Test
        void rangeSelectorsOverManySeriesAreRefused() {
            for (int s = 0; s < 100; s++) {
                for (int i = 0; i < 20_000; i++) storage.append(Labels.of("__name__", "m", "s", "" + s), i * 15_000L, i);
            }
            assertRefusedCheaply(() -> engine.instantQuery(storage, "m[100y]", 20_000 * 15_000L));
            assertRefusedCheaply(() -> engine.instantQuery(storage, "m[100y:15s]", 20_000 * 15_000L));
            // A range function holds one series' window at a time, as Prometheus does.
            Vector rates = assertInstanceOf(Vector.class, engine.instantQuery(storage, "rate(m[100y])", 20_000 * 15_000L));
            assertEquals(100, rates.size());
            Engine small = new Engine(EngineOptions.DEFAULT.withMaxSamples(10_000));
            assertRefusedCheaply(() -> small.instantQuery(storage, "rate(m[100y])", 20_000 * 15_000L));
        }

        @Test
        void aSubqueryOverNothingAnswersWithoutWalkingItsSteps() {
            long start = System.nanoTime();
            Vector v = assertInstanceOf(Vector.class, engine.instantQuery(storage, "absent_over_time(nothing[1y:1ms])", YEAR));
            assertEquals(1, v.value(0));
            assertTrue(System.nanoTime() - start < 5_000_000_000L);
        }

        @Test
        void aSparseSeriesInAHugeSubqueryCostsItsSamplesNotTheSteps() {
            for (int i = 1; i <= 10; i++) storage.append(Labels.of("__name__", "m"), i * 30 * 24 * 60 * M, i);
            long start = System.nanoTime();
            // Each sample is seen at every millisecond step of its 5 minute lookback: 300,000 points,
            // 3 million in all, and as many again in the window counting them.
            assertRefusedCheaply(() -> engine.instantQuery(storage, "count_over_time(m[1y:1ms])", YEAR));
            Engine roomy = new Engine(EngineOptions.DEFAULT.withMaxSamples(10_000_000));
            Vector v = assertInstanceOf(Vector.class, roomy.instantQuery(storage, "count_over_time(m[1y:1ms])", YEAR));
            assertEquals(3_000_000, v.value(0));
            v = assertInstanceOf(Vector.class, roomy.instantQuery(storage, "count_over_time(m[1y:1m])", YEAR));
            assertEquals(50, v.value(0));
            v = assertInstanceOf(Vector.class, roomy.instantQuery(storage,
                    "count_over_time(count_over_time(m[1m])[1y:1ms])", YEAR));
            assertEquals(600_000, v.value(0));
            long tookMs = (System.nanoTime() - start) / 1_000_000;
            assertTrue(tookMs < 20_000, "took " + tookMs + " ms");
        }

        @Test
        void topkWithAHugeKHoldsNoMoreThanItsInput() {
            for (int s = 0; s < 3; s++) storage.append(Labels.of("__name__", "m", "s", "" + s), 0, s);
            long bytes = allocatedBytes();
            Vector v = assertInstanceOf(Vector.class, engine.instantQuery(storage, "topk(1e9, m)", 0));
            assertEquals(3, v.size());
            v = assertInstanceOf(Vector.class, engine.instantQuery(storage, "bottomk(1e18, m)", 0));
            assertEquals(3, v.size());
            v = assertInstanceOf(Vector.class, engine.instantQuery(storage, "quantile(0.5, m)", 0));
            assertEquals(1, v.value(0));
            assertTrue(allocatedBytes() - bytes < 50L << 20);
        }

        @Test
        void labelValuesAQueryCreatesCountTowardsTheLimit() {
            storage.append(Labels.of("__name__", "m", "a", "x".repeat(1000)), 0, 1);
            Engine small = new Engine(EngineOptions.DEFAULT.withMaxSamples(100_000));
            String sources = ", \"a\"".repeat(200);
            Vector v = assertInstanceOf(Vector.class, small.instantQuery(storage, "label_join(m, \"j\", \"-\"" + sources + ")", 0));
            assertEquals(200 * 1000 + 199, v.labels(0).get("j").length());
            String separator = "-".repeat(10_000);
            assertRefusedCheaply(() -> small.instantQuery(storage, "label_join(m, \"j\", \"" + separator + "\"" + sources + ")", 0));
            assertRefusedCheaply(() -> small.instantQuery(storage,
                    "label_replace(m, \"j\", \"" + "$1".repeat(5000) + "\", \"a\", \"(.*)\")", 0));
            Scalar ok = assertInstanceOf(Scalar.class, small.instantQuery(storage, "scalar(label_replace(m, \"j\", \"$1$1\", \"a\", \"(.*)\"))", 0));
            assertEquals(1, ok.value());
        }
    }
}
