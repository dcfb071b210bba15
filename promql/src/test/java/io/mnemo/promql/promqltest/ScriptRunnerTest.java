package io.mnemo.promql.promqltest;

import io.mnemo.promql.Engine;
import io.mnemo.promql.EngineOptions;

import io.mnemo.promql.parser.ParserOptions;
import io.mnemo.tsdb.Labels;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ScriptRunnerTest {
    private final Engine engine = new Engine(EngineOptions.DEFAULT.withParserOptions(ParserOptions.ALL));

    private List<ScriptRunner.Result> run(String script) {
        return new ScriptRunner(engine, InMemoryStorage::new).run(TestScript.parse(script));
    }

    private static List<ScriptRunner.Outcome> outcomes(List<ScriptRunner.Result> results) {
        return results.stream().map(ScriptRunner.Result::outcome).toList();
    }

    @Test
    void parsesLoadsAndEvals() {
        TestScript s = TestScript.parse("""
                # comment
                load 5m
                  m{job="a b", "x.y"="}"}  0+10x2 _ stale
                  n 1

                eval instant at 10m m
                  m{job="a b", "x.y"="}"} 20

                eval range from 0 to 10m step 5m n
                  n 1 1 _
                """);
        TestScript.Load load = (TestScript.Load) s.commands().get(0);
        assertEquals(2, load.line());
        assertEquals(300_000, load.intervalMillis());
        assertEquals(Labels.of("__name__", "m", "job", "a b", "x.y", "}"), load.series().get(0).labels());
        assertEquals(5, load.series().get(0).values().size());
        TestScript.Eval instant = s.evals().get(0);
        assertTrue(instant.instant());
        assertEquals(600_000, instant.time());
        TestScript.Eval range = s.evals().get(1);
        assertEquals(List.of(0L, 600_000L, 300_000L), List.of(range.start(), range.end(), range.step()));
        assertEquals(3, range.expected().get(Labels.of("__name__", "n")).values().size());
    }

    @Test
    void matchingResultsPassAndDifferentOnesFail() {
        List<ScriptRunner.Result> r = run("""
                load 1m
                  m{job="a"} 0+1x10
                  m{job="b"} 5 _ stale

                eval instant at 3m m
                  m{job="a"} 3

                eval instant at 3m m
                  m{job="a"} 4

                eval instant at 1m m
                  m{job="a"} 1

                eval instant at 1m m
                  m{job="a"} 1
                  m{job="b"} 5
                  m{job="c"} 1

                eval range from 0 to 3m step 1m m
                  m{job="a"} 0 1 2 3
                  m{job="b"} 5 5

                eval range from 0 to 3m step 1m m
                  m{job="a"} 0 1 2 3
                  m{job="b"} 5 5 5
                """);
        assertEquals(List.of(ScriptRunner.Outcome.PASSED, ScriptRunner.Outcome.FAILED, ScriptRunner.Outcome.FAILED,
                ScriptRunner.Outcome.FAILED, ScriptRunner.Outcome.PASSED, ScriptRunner.Outcome.FAILED), outcomes(r));
        assertEquals("expected 4.0 for {__name__=\"m\", job=\"a\"} but got 3.0", r.get(1).message());
        assertTrue(r.get(2).message().startsWith("unexpected metric {__name__=\"m\", job=\"b\"}"), r.get(2).message());
        assertEquals("expected metric {__name__=\"m\", job=\"c\"} not found", r.get(3).message());
    }

    @Test
    void expectedFailuresScalarsStringsAndRangeVectors() {
        List<ScriptRunner.Result> r = run("""
                load 1m
                  m 1

                eval_fail instant at 0 {__name__=~".*"}
                  expected_fail_message 1:1: parse error: vector selector must contain at least one non-empty matcher

                eval instant at 0 {__name__=~".*"}
                  expect fail msg: something else

                eval instant at 0 m
                  expect fail

                eval instant at 1m sum(m)
                  {} 1

                eval instant at 1m "hello"
                  expect string "hello"

                eval instant at 1m 2 * 3
                  6

                eval instant at 1m m[2m]
                  expect range vector from 0 to 1m step 1m
                  m 1
                """);
        assertEquals(List.of(ScriptRunner.Outcome.PASSED, ScriptRunner.Outcome.FAILED, ScriptRunner.Outcome.FAILED,
                ScriptRunner.Outcome.PASSED, ScriptRunner.Outcome.PASSED, ScriptRunner.Outcome.PASSED,
                ScriptRunner.Outcome.PASSED), outcomes(r));
        assertTrue(r.get(1).message().startsWith("expected error \"something else\" but got: 1:1: parse error"), r.get(1).message());
        assertTrue(r.get(2).message().startsWith("expected an error evaluating m"), r.get(2).message());
    }

    @Test
    void annotationsAreCheckedWhenAskedFor() {
        List<ScriptRunner.Result> r = run("""
                load 1m
                  requests 0+1x10

                eval instant at 5m rate(requests[5m])
                  expect info msg: PromQL info: metric might not be a counter, name does not end in _total/_sum/_count/_bucket: "requests" (1:6)
                  {} 0.016666666666666666

                eval_info instant at 5m rate(requests[5m])
                  {} 0.016666666666666666

                eval instant at 5m rate(requests[5m])
                  expect no_info
                  {} 0.016666666666666666

                eval instant at 5m rate(requests[5m])
                  {} 0.016666666666666666

                eval instant at 5m rate(requests[5m])
                  expect warn
                  {} 0.016666666666666666
                """);
        assertEquals(List.of(ScriptRunner.Outcome.PASSED, ScriptRunner.Outcome.PASSED, ScriptRunner.Outcome.FAILED,
                ScriptRunner.Outcome.PASSED, ScriptRunner.Outcome.FAILED), outcomes(r));
        assertTrue(r.get(2).message().startsWith("unexpected info annotations"), r.get(2).message());
        assertTrue(r.get(4).message().startsWith("expected warn annotations but none were found"), r.get(4).message());
    }

    @Test
    void instantEvalsAlsoRunWithAtPinnedAndInRangeMode() {
        InMemoryStorage storage = new InMemoryStorage();
        List<ScriptRunner.Result> r = new ScriptRunner(engine, () -> storage).run(TestScript.parse("""
                load 1m
                  m 0+1x5

                eval instant at 2m m offset 1m
                  m 1
                """));
        assertEquals(List.of(ScriptRunner.Outcome.PASSED), outcomes(r));
        // The query and five @-pinned variants (at -20m, 0, 24s, 2m, 20m), each as instant and range query.
        assertEquals(12, storage.querierWindows().size());
        long[] pinned = storage.querierWindows().get(2);
        assertEquals(60_000, pinned[1], "the pinned variant reads at 2m - 1m whatever its evaluation time");
    }
}
