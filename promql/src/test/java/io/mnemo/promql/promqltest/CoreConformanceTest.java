package io.mnemo.promql.promqltest;

import io.mnemo.promql.Engine;
import io.mnemo.promql.EngineOptions;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.abort;

/**
 * Prometheus's own PromQL test scripts, the core files, read in place from shared/promqltest (skipped
 * when not found, see {@link PromqlTestFiles}):
 * every eval is a dynamic test. An eval that fails fails the build with its reason (every core
 * eval passes today); {@code -Dpromqltest.strict=false} reports failures as aborted instead, and
 * the closing test then still requires at least 98% of all core evals to pass.
 */
class CoreConformanceTest {
    static final List<String> CORE = List.of("aggregators", "at_modifier", "collision", "functions", "histograms",
            "limit", "literals", "name_label_dropping", "operators", "range_queries", "selectors", "staleness",
            "subquery", "trig_functions");
    private static final double REQUIRED_PASS_RATE = 0.98;

    @TestFactory
    List<DynamicNode> coreScripts() throws IOException {
        if (PromqlTestFiles.find().isEmpty()) {
            // One skipped test (or a failure when the scripts are required) instead of an empty factory.
            return List.of(DynamicTest.dynamicTest("core scripts", PromqlTestFiles::directory));
        }
        boolean strict = !"false".equals(System.getProperty("promqltest.strict"));
        Engine engine = new Engine(EngineOptions.forTestScripts());
        List<DynamicNode> files = new ArrayList<>();
        int passed = 0;
        int total = 0;
        StringBuilder summary = new StringBuilder();
        for (String name : CORE) {
            TestScript script = TestScript.parse(Files.readString(PromqlTestFiles.path(name + ".test")));
            List<ScriptRunner.Result> results = new ScriptRunner(engine, InMemoryStorage::new).run(script);
            assertTrue(results.size() == script.evals().size(), "every eval of " + name + " ran");
            List<DynamicNode> evals = new ArrayList<>(results.size());
            int filePassed = 0;
            for (ScriptRunner.Result r : results) {
                if (r.passed()) filePassed++;
                String display = "line " + r.eval().line() + ": " + r.eval().expr();
                evals.add(DynamicTest.dynamicTest(display, () -> {
                    if (r.passed()) return;
                    if (strict) fail(r.message());
                    abort(r.message());
                }));
            }
            summary.append(String.format("%-24s %4d of %4d passed%n", name + ".test", filePassed, results.size()));
            passed += filePassed;
            total += results.size();
            files.add(DynamicContainer.dynamicContainer(name + ".test", evals));
        }
        int allPassed = passed;
        int all = total;
        System.out.print(summary);
        System.out.println(passed + " passed, " + (total - passed) + " failed");
        files.add(DynamicTest.dynamicTest("at least 98% of the core evals pass", () ->
                assertTrue(allPassed >= REQUIRED_PASS_RATE * all, allPassed + " of " + all + " evals passed")));
        return files;
    }
}
