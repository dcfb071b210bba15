package io.mnemo.promql;

import io.mnemo.promql.promqltest.InMemoryStorage;

import io.mnemo.promql.parser.ParseException;
import io.mnemo.promql.parser.ParserOptions;
import io.mnemo.promql.value.Matrix;
import io.mnemo.promql.value.Scalar;
import io.mnemo.promql.value.StringValue;
import io.mnemo.promql.value.Value;
import io.mnemo.promql.value.Vector;
import io.mnemo.tsdb.Labels;
import io.mnemo.tsdb.StaleNaN;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class EngineTest {
    private static final Labels A = Labels.of("__name__", "m", "job", "a");
    private static final Labels B = Labels.of("__name__", "m", "job", "b");
    private static final long S = 1000;

    private final InMemoryStorage storage = new InMemoryStorage();
    private final Engine engine = new Engine();

    /** Samples of series A at 0s, 10s, ..., 100s with values 0, 1, ..., 10. */
    private void loadEvery10s() {
        for (int i = 0; i <= 10; i++) storage.append(A, i * 10 * S, i);
    }

    private Vector instantVector(String q, long t) {
        return assertInstanceOf(Vector.class, engine.instantQuery(storage, q, t));
    }

    private static void assertSingle(Vector v, Labels labels, long t, double value) {
        assertEquals(1, v.size(), () -> "result: " + v);
        assertEquals(labels, v.labels(0));
        assertEquals(t, v.timestamp(0));
        assertEquals(value, v.value(0));
    }

    @Nested
    class InstantSelectors {
        @Test
        void newestSampleWithinTheLookbackIsSelectedAtTheEvaluationTime() {
            storage.append(A, 0, 1);
            storage.append(A, 60 * S, 2);
            assertSingle(instantVector("m", 90 * S), A, 90 * S, 2);
            assertSingle(instantVector("m", 30 * S), A, 30 * S, 1);
            assertSingle(instantVector("m", 60 * S), A, 60 * S, 2);
        }

        @Test
        void lookbackWindowIsLeftOpen() {
            storage.append(A, 0, 1);
            assertSingle(instantVector("m", 5 * 60 * S - 1), A, 5 * 60 * S - 1, 1);
            assertEquals(0, instantVector("m", 5 * 60 * S).size());
            assertEquals(0, instantVector("m", -1).size());
        }

        @Test
        void lookbackDeltaIsConfigurable() {
            storage.append(A, 0, 1);
            Engine oneMinute = new Engine(EngineOptions.DEFAULT.withLookbackDelta(60 * S));
            assertEquals(0, assertInstanceOf(Vector.class, oneMinute.instantQuery(storage, "m", 90 * S)).size());
            assertEquals(1, instantVector("m", 90 * S).size());
        }

        @Test
        void staleMarkerHidesTheSeriesUntilTheNextSample() {
            storage.append(A, 0, 1);
            storage.append(A, 60 * S, StaleNaN.VALUE);
            storage.append(A, 120 * S, 3);
            assertSingle(instantVector("m", 59 * S), A, 59 * S, 1);
            assertEquals(0, instantVector("m", 60 * S).size());
            assertEquals(0, instantVector("m", 119 * S).size());
            assertSingle(instantVector("m", 130 * S), A, 130 * S, 3);
        }

        @Test
        void ordinaryNaNIsAValue() {
            storage.append(A, 0, Double.NaN);
            assertTrue(Double.isNaN(instantVector("m", 10 * S).value(0)));
        }

        @Test
        void matchersSelectSeriesAndResultsAreOrderedByLabels() {
            storage.append(B, 0, 2);
            storage.append(A, 0, 1);
            storage.append(Labels.of("__name__", "other", "job", "a"), 0, 3);
            Vector v = instantVector("m", 10 * S);
            assertEquals(List.of(A, B), List.of(v.labels(0), v.labels(1)));
            assertSingle(instantVector("m{job=~\"b|c\"}", 10 * S), B, 10 * S, 2);
            assertEquals(2, instantVector("{job=\"a\"}", 10 * S).size());
        }

        @Test
        void offsetLooksBackAndNegativeOffsetLooksAhead() {
            loadEvery10s();
            assertSingle(instantVector("m offset 1m", 100 * S), A, 100 * S, 4);
            assertSingle(instantVector("m offset -10s", 50 * S), A, 50 * S, 6);
        }

        @Test
        void atModifierPinsTheEvaluationTime() {
            loadEvery10s();
            assertSingle(instantVector("m @ 30", 1000 * S), A, 1000 * S, 3);
            assertSingle(instantVector("m @ 35 offset 20s", 0), A, 0, 1);
            assertSingle(instantVector("m @ start()", 75 * S), A, 75 * S, 7);
            assertSingle(instantVector("m @ end()", 75 * S), A, 75 * S, 7);
        }

        @Test
        void opensOneQuerierCoveringLookbackAndOffset() {
            loadEvery10s();
            engine.instantQuery(storage, "m offset 1m", 600 * S);
            assertEquals(1, storage.querierWindows().size());
            long[] w = storage.querierWindows().get(0);
            assertTrue(w[0] <= 240 * S + 1 && w[1] >= 540 * S, () -> w[0] + ".." + w[1]);
        }
    }

    @Nested
    class RangeSelectors {
        private Matrix instantMatrix(String q, long t) {
            return assertInstanceOf(Matrix.class, engine.instantQuery(storage, q, t));
        }

        @Test
        void rangeIsLeftOpenAndKeepsSampleTimestamps() {
            loadEvery10s();
            Matrix m = instantMatrix("m[30s]", 60 * S);
            assertEquals(1, m.size());
            assertEquals(A, m.get(0).labels());
            assertArrayEquals(new long[] {40 * S, 50 * S, 60 * S}, m.get(0).timestamps());
            assertArrayEquals(new double[] {4, 5, 6}, m.get(0).values());
        }

        @Test
        void staleMarkersAreNotPartOfARange() {
            storage.append(A, 0, 1);
            storage.append(A, 10 * S, StaleNaN.VALUE);
            storage.append(A, 20 * S, 2);
            Matrix m = instantMatrix("m[1m]", 30 * S);
            assertArrayEquals(new long[] {0, 20 * S}, m.get(0).timestamps());
        }

        @Test
        void seriesWithoutSamplesInTheRangeAreLeftOut() {
            loadEvery10s();
            storage.append(B, 0, 1);
            Matrix m = instantMatrix("m[15s]", 100 * S);
            assertEquals(1, m.size());
            assertEquals(A, m.get(0).labels());
        }

        @Test
        void offsetAndAtMoveTheRange() {
            loadEvery10s();
            assertArrayEquals(new double[] {2, 3}, instantMatrix("m[20s] offset 1m", 90 * S).get(0).values());
            assertArrayEquals(new double[] {4, 5}, instantMatrix("m[20s] @ 50", 1000 * S).get(0).values());
            assertArrayEquals(new double[] {4, 5}, instantMatrix("(m[20s] @ 60 offset 10s)", 0).get(0).values());
        }
    }

    @Nested
    class RangeQueries {
        @Test
        void vectorSelectorGetsAPointPerStep() {
            loadEvery10s();
            Matrix m = engine.rangeQuery(storage, "m", 0, 100 * S, 25 * S);
            assertEquals(1, m.size());
            assertArrayEquals(new long[] {0, 25 * S, 50 * S, 75 * S, 100 * S}, m.get(0).timestamps());
            assertArrayEquals(new double[] {0, 2, 5, 7, 10}, m.get(0).values());
        }

        @Test
        void stepsWithoutASampleInTheLookbackHaveNoPoint() {
            storage.append(A, 0, 1);
            storage.append(A, 400 * S, StaleNaN.VALUE);
            storage.append(A, 600 * S, 2);
            Matrix m = engine.rangeQuery(storage, "m", 0, 700 * S, 100 * S);
            // 0..200: the sample at 0; 300: out of lookback; 400, 500: stale; 600, 700: new sample.
            assertArrayEquals(new long[] {0, 100 * S, 200 * S, 600 * S, 700 * S}, m.get(0).timestamps());
            assertArrayEquals(new double[] {1, 1, 1, 2, 2}, m.get(0).values());
        }

        @Test
        void atModifierGivesTheSameValueAtEveryStep() {
            loadEvery10s();
            Matrix start = engine.rangeQuery(storage, "m @ start()", 20 * S, 60 * S, 20 * S);
            assertArrayEquals(new long[] {20 * S, 40 * S, 60 * S}, start.get(0).timestamps());
            assertArrayEquals(new double[] {2, 2, 2}, start.get(0).values());
            assertArrayEquals(new double[] {6, 6, 6}, engine.rangeQuery(storage, "m @ end()", 20 * S, 60 * S, 20 * S).get(0).values());
            assertArrayEquals(new double[] {9, 9, 9}, engine.rangeQuery(storage, "m @ 90", 20 * S, 60 * S, 20 * S).get(0).values());
        }

        @Test
        void seriesAreSortedByLabels() {
            storage.append(B, 0, 2);
            storage.append(A, 0, 1);
            Matrix m = engine.rangeQuery(storage, "m", 0, 10 * S, 10 * S);
            assertEquals(List.of(A, B), List.of(m.get(0).labels(), m.get(1).labels()));
        }

        @Test
        void scalarIsOneSeriesWithoutLabels() {
            Matrix m = engine.rangeQuery(storage, "(1.5)", 0, 20 * S, 10 * S);
            assertEquals(1, m.size());
            assertEquals(Labels.EMPTY, m.get(0).labels());
            assertArrayEquals(new long[] {0, 10 * S, 20 * S}, m.get(0).timestamps());
            assertArrayEquals(new double[] {1.5, 1.5, 1.5}, m.get(0).values());
            assertEquals(List.of(), storage.querierWindows(), "a literal needs no storage");
        }

        @Test
        void rangeVectorsAndStringsAreNotAllowed() {
            PromQLException e = assertThrows(PromQLException.class, () -> engine.rangeQuery(storage, "m[5m]", 0, 10, 1));
            assertEquals("invalid expression type \"range vector\" for range query, must be Scalar or instant Vector", e.getMessage());
            assertEquals(ErrorType.BAD_DATA, e.errorType());
            PromQLException s = assertThrows(PromQLException.class, () -> engine.rangeQuery(storage, "\"x\"", 0, 10, 1));
            assertEquals("invalid expression type \"string\" for range query, must be Scalar or instant Vector", s.getMessage());
        }

        @Test
        void stepMustBePositiveAndEndNotBeforeStart() {
            assertEquals(ErrorType.BAD_DATA, assertThrows(PromQLException.class, () -> engine.rangeQuery(storage, "1", 0, 10, 0)).errorType());
            PromQLException e = assertThrows(PromQLException.class, () -> engine.rangeQuery(storage, "1", 10, 0, 1));
            assertEquals("end timestamp must not be before start time", e.getMessage());
        }
    }

    @Nested
    class Literals {
        @Test
        void scalarsAndStringsAtTheEvaluationTime() {
            assertEquals(new Scalar(42, -2.5), engine.instantQuery(storage, "-2.5", 42));
            assertEquals(new Scalar(42, 300), engine.instantQuery(storage, "((5m))", 42));
            assertEquals(new StringValue(42, "a\tb"), engine.instantQuery(storage, "\"a\\tb\"", 42));
        }
    }

    @Nested
    class Errors {
        @Test
        void nativeHistogramsInFunctionsTheEngineCannotEvaluateFailClearly() {
            loadEvery10s();
            Engine all = new Engine(EngineOptions.DEFAULT.withParserOptions(ParserOptions.ALL));
            NotSupportedException e = assertThrows(NotSupportedException.class,
                    () -> all.instantQuery(storage, "info(m)", 0));
            assertEquals(ErrorType.EXECUTION, e.errorType());
            assertEquals("not supported yet: function \"info\"", e.getMessage());
        }

        @Test
        void parseErrorsAreBadData() {
            ParseException e = assertThrows(ParseException.class, () -> engine.instantQuery(storage, "sum(m) +", 0));
            assertEquals(ErrorType.BAD_DATA, e.errorType());
            assertEquals("1:9: parse error: unexpected end of input", e.getMessage());
        }

        @Test
        void interruptedQueryIsCanceled() {
            loadEvery10s();
            Thread.currentThread().interrupt();
            try {
                PromQLException e = assertThrows(QueryCanceledException.class, () -> engine.instantQuery(storage, "m", 0));
                assertEquals(ErrorType.CANCELED, e.errorType());
            } finally {
                Thread.interrupted();
            }
        }

        @Test
        void queryPastItsDeadlineTimesOut() {
            loadEvery10s();
            Engine expired = new Engine(EngineOptions.DEFAULT.withTimeout(Duration.ofNanos(-1)));
            PromQLException e = assertThrows(QueryTimeoutException.class, () -> expired.instantQuery(storage, "m", 0));
            assertEquals(ErrorType.TIMEOUT, e.errorType());
            assertEquals("query timed out in expression evaluation", e.getMessage());
        }

        @Test
        void tooManySamplesIsAnExecutionError() {
            loadEvery10s();
            Engine small = new Engine(EngineOptions.DEFAULT.withMaxSamples(4));
            assertEquals(4, small.rangeQuery(storage, "m", 0, 30 * S, 10 * S).pointCount());
            EvaluationException e = assertThrows(EvaluationException.class, () -> small.rangeQuery(storage, "m", 0, 40 * S, 10 * S));
            assertEquals("query processing would load too many samples into memory in query execution", e.getMessage());
        }

        @Test
        void experimentalRangeModifiersAreNotEvaluatedYet() {
            Engine all = new Engine(EngineOptions.DEFAULT.withParserOptions(ParserOptions.ALL));
            loadEvery10s();
            assertThrows(NotSupportedException.class, () -> all.instantQuery(storage, "m[1m] anchored", 60 * S));
        }
    }

    @Nested
    class DurationExpressions {
        private final Engine all = new Engine(EngineOptions.DEFAULT.withParserOptions(ParserOptions.ALL));

        @Test
        void stepAndRangeComeFromTheQuery() {
            loadEvery10s();
            Matrix m = all.rangeQuery(storage, "m offset step()", 30 * S, 50 * S, 10 * S);
            assertArrayEquals(new double[] {2, 3, 4}, m.get(0).values());
            Matrix r = all.rangeQuery(storage, "m offset (range() / 2)", 60 * S, 80 * S, 10 * S);
            assertArrayEquals(new double[] {5, 6, 7}, r.get(0).values());
            Value v = all.instantQuery(storage, "m[2 * 10s + range()]", 60 * S);
            assertArrayEquals(new double[] {5, 6}, assertInstanceOf(Matrix.class, v).get(0).values());
        }
    }
}
