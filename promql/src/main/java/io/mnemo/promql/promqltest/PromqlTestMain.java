package io.mnemo.promql.promqltest;

import io.mnemo.promql.Engine;
import io.mnemo.promql.EngineOptions;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Runs Prometheus PromQL test scripts from the command line: {@code PromqlTestMain FILE...}
 * prints each failing eval (file:line, query, what was expected and what came instead), a pass
 * count per file, and ends with one line {@code N passed, M failed}. Exits with 1 when an eval
 * failed, 2 on bad usage.
 */
public final class PromqlTestMain {
    private PromqlTestMain() {}

    public static void main(String[] args) {
        if (args.length == 0) {
            System.err.println("usage: promqltest FILE...");
            System.exit(2);
        }
        int failed = run(List.of(args), System.out);
        System.exit(failed == 0 ? 0 : 1);
    }

    /** Runs the files and prints the report; returns the number of failed evals. */
    public static int run(List<String> files, PrintStream out) {
        Engine engine = new Engine(EngineOptions.forTestScripts());
        int passed = 0;
        int failed = 0;
        for (String file : files) {
            Path path = Path.of(file);
            TestScript script;
            try {
                script = TestScript.parse(Files.readString(path));
            } catch (IOException | IllegalArgumentException e) {
                out.println(file + ": cannot load script: " + e.getMessage());
                failed++;
                continue;
            }
            List<ScriptRunner.Result> results = new ScriptRunner(engine, InMemoryStorage::new).run(script);
            int filePassed = 0;
            for (ScriptRunner.Result r : results) {
                if (r.passed()) {
                    filePassed++;
                    continue;
                }
                out.println(file + ":" + r.eval().line() + ": " + r.eval().expr());
                out.println("    " + r.message());
            }
            out.println("# " + path.getFileName() + ": " + filePassed + " of " + results.size() + " passed");
            passed += filePassed;
            failed += results.size() - filePassed;
        }
        out.println(passed + " passed, " + failed + " failed");
        return failed;
    }
}
