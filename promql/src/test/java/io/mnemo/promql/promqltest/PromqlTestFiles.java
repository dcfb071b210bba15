package io.mnemo.promql.promqltest;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/** Finds Prometheus's PromQL test scripts, kept outside the project in shared/promqltest. */
final class PromqlTestFiles {
    private PromqlTestFiles() {}

    static Path directory() {
        String configured = System.getProperty("promqltest.dir");
        if (configured != null) return Path.of(configured);
        Path dir = Path.of("").toAbsolutePath();
        for (int i = 0; i < 4 && dir != null; i++, dir = dir.getParent()) {
            Path candidate = dir.resolve("shared/promqltest");
            if (Files.isDirectory(candidate)) return candidate;
        }
        throw new IllegalStateException("shared/promqltest not found above " + Path.of("").toAbsolutePath()
                + "; set -Dpromqltest.dir");
    }

    static Path path(String file) { return directory().resolve(file); }

    static List<Path> all() throws java.io.IOException {
        try (Stream<Path> s = Files.list(directory())) {
            return s.filter(p -> p.toString().endsWith(".test")).sorted().toList();
        }
    }
}
