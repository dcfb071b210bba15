package io.mnemo.promql.promqltest;

import io.mnemo.promql.Engine;
import io.mnemo.promql.EngineOptions;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.abort;

/**
 * Prometheus's {@code native_histograms.test}, read in place from shared/promqltest like the core
 * files ({@link CoreConformanceTest}): every eval is a dynamic test and fails the build with its
 * reason (all pass today, trim operators, Kahan-summed histogram aggregations and the counter
 * reset hints of histogram statistics included); {@code -Dpromqltest.strict=false} reports failures
 * as aborted instead, and the closing test then still requires at least 98% of the evals to pass.
 */
class NativeHistogramsConformanceTest {
    private static final String FILE = "native_histograms.test";
    private static final double REQUIRED_PASS_RATE = 0.98;

    @TestFactory
    List<DynamicNode> nativeHistogramsScript() throws IOException {
        if (PromqlTestFiles.find().isEmpty()) {
            return List.of(DynamicTest.dynamicTest(FILE, PromqlTestFiles::directory));
        }
        boolean strict = !"false".equals(System.getProperty("promqltest.strict"));
        TestScript script = TestScript.parse(Files.readString(PromqlTestFiles.path(FILE)));
        List<ScriptRunner.Result> results = new ScriptRunner(new Engine(EngineOptions.forTestScripts()), InMemoryStorage::new)
                .run(script);
        List<DynamicNode> evals = new ArrayList<>(results.size() + 1);
        int passed = 0;
        for (ScriptRunner.Result r : results) {
            if (r.passed()) passed++;
            evals.add(DynamicTest.dynamicTest("line " + r.eval().line() + ": " + r.eval().expr(), () -> {
                if (r.passed()) return;
                if (strict) fail(r.message());
                abort(r.message());
            }));
        }
        int allPassed = passed;
        int all = results.size();
        System.out.println(FILE + ": " + allPassed + " of " + all + " passed");
        evals.add(DynamicTest.dynamicTest("at least 98% of the evals pass", () -> {
            assertEquals(script.evals().size(), all, "every eval ran");
            assertTrue(allPassed >= REQUIRED_PASS_RATE * all, allPassed + " of " + all + " evals passed");
        }));
        return evals;
    }
}
