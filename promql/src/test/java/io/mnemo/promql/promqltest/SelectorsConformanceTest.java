package io.mnemo.promql.promqltest;

import io.mnemo.promql.Engine;
import io.mnemo.promql.EngineOptions;
import io.mnemo.promql.InMemoryStorage;
import io.mnemo.promql.parser.ParserOptions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.nio.file.Files;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Runs Prometheus's own PromQL test scripts (read in place from shared/promqltest). Every eval the
 * engine supports must give Prometheus's result, in instant mode, with {@code @} pinned at other
 * times, and in range mode; the others (functions, operators, aggregations, subqueries) must be
 * reported unsupported, never wrong. The pass counts pin how much of each file is covered.
 */
class SelectorsConformanceTest {
    private final Engine engine = new Engine(EngineOptions.DEFAULT.withParserOptions(ParserOptions.ALL));

    @ParameterizedTest(name = "{0}")
    @CsvSource({
        // file, evals that use only selectors, literals and parentheses
        "selectors.test, 13",
        "staleness.test, 10",
        "at_modifier.test, 15",
        "literals.test, 17",
        "range_queries.test, 3",
        "duration_expression.test, 15",
    })
    void supportedEvalsPass(String file, int supportedEvals) throws IOException {
        TestScript script = TestScript.parse(Files.readString(PromqlTestFiles.path(file)));
        List<ScriptRunner.Result> results = new ScriptRunner(engine, InMemoryStorage::new).run(script);

        List<ScriptRunner.Result> failed = results.stream().filter(r -> r.outcome() == ScriptRunner.Outcome.FAILED).toList();
        assertEquals(List.of(), failed);
        long passed = results.stream().filter(r -> r.outcome() == ScriptRunner.Outcome.PASSED).count();
        assertEquals(supportedEvals, passed, () -> "results: " + results);
        assertEquals(script.evals().size(), results.size());
    }
}
