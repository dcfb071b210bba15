package io.mnemo.promql.promqltest;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.abort;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Finds Prometheus's PromQL test scripts, which live beside the project (in {@code ../shared/promqltest},
 * where CI has them), not in it. Tests that need them are skipped with one line saying where they
 * come from when they are not found, unless {@code -Dmnemo.require-test-inputs=true} (set by
 * {@code .ci/run}) makes that a failure, so CI never skips them silently.
 */
final class PromqlTestFiles {
    static final String WHERE_FROM = "Prometheus's PromQL test scripts (prometheus/prometheus, promql/promqltest/testdata/, "
            + "commit d15adb9ad7e5d9fbde3a9a8f30200593a5a14d86) were not found in -Dpromqltest.dir or a shared/promqltest "
            + "beside the project; point -Dpromqltest.dir at a copy of that directory to run these tests";

    private PromqlTestFiles() {}

    /** The scripts' directory, if there is one. */
    static Optional<Path> find() {
        String configured = System.getProperty("promqltest.dir");
        if (configured != null) return Optional.of(Path.of(configured)).filter(Files::isDirectory);
        Path dir = Path.of("").toAbsolutePath();
        for (int i = 0; i < 4 && dir != null; i++, dir = dir.getParent()) {
            Path candidate = dir.resolve("shared/promqltest");
            if (Files.isDirectory(candidate)) return Optional.of(candidate);
        }
        return Optional.empty();
    }

    /** The scripts' directory; aborts the calling test (skipped) when there is none, or fails it when required. */
    static Path directory() {
        Optional<Path> dir = find();
        if (dir.isPresent()) return dir.get();
        if (Boolean.getBoolean("mnemo.require-test-inputs")) {
            return fail(WHERE_FROM + " (-Dmnemo.require-test-inputs=true makes them mandatory)");
        }
        System.out.println("SKIPPED: " + WHERE_FROM);
        return abort(WHERE_FROM);
    }

    static Path path(String file) { return directory().resolve(file); }

    static List<Path> all() throws IOException {
        try (Stream<Path> s = Files.list(directory())) {
            return s.filter(p -> p.toString().endsWith(".test")).sorted().toList();
        }
    }
}
