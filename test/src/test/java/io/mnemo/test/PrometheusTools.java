package io.mnemo.test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.abort;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Debian's {@code prometheus} and {@code promtool}, which the interop tests run. A test that needs
 * them is skipped with one line saying how to install them when they are missing, unless
 * {@code -Dmnemo.require-test-inputs=true} (set by {@code .ci/run}, which installs them) makes
 * that a failure, so CI never skips them silently.
 */
final class PrometheusTools {
    static final Path PROMETHEUS = Path.of("/usr/bin/prometheus");
    static final Path PROMTOOL = Path.of("/usr/bin/promtool");

    private PrometheusTools() {}

    /** The Prometheus server binary; skips (or fails, when required) the calling test without it. */
    static Path prometheus() {
        return require(PROMETHEUS);
    }

    /** The promtool binary; skips (or fails, when required) the calling test without it. */
    static Path promtool() {
        return require(PROMTOOL);
    }

    /** Runs promtool, requires exit code 0, and gives its output (stdout and stderr). */
    static String promtool(Duration timeout, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(promtool().toString()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS), "promtool did not finish: " + cmd);
        assertEquals(0, p.exitValue(), String.join(" ", cmd) + " failed:\n" + out);
        return out;
    }

    private static Path require(Path binary) {
        if (Files.isExecutable(binary)) return binary;
        String why = binary + " is missing: the interop tests run Debian's prometheus package "
                + "(apt-get install prometheus; .ci/run installs it)";
        if (Boolean.getBoolean("mnemo.require-test-inputs")) {
            return fail(why + " (-Dmnemo.require-test-inputs=true makes it mandatory)");
        }
        System.out.println("SKIPPED: " + why);
        return abort(why);
    }
}
