package io.mnemo.tsdb.block;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * Prometheus's own tool, Debian's promtool (CI installs it, see .ci/run), for tests that check
 * blocks with it. Without it the tests are skipped, unless {@code -Dmnemo.require-test-inputs=true}
 * makes it mandatory.
 */
public final class Promtool {
    private static final long TIMEOUT_S = 120;

    private final Path exe;
    private final Path tmp;

    private Promtool(Path exe, Path tmp) {
        this.exe = exe;
        this.tmp = tmp;
    }

    /** The installed promtool, writing its outputs under {@code tmp}; aborts (skips) the test without one. */
    public static Promtool findOrSkip(Path tmp) {
        String path = System.getenv("PATH");
        if (path != null) {
            for (String d : path.split(File.pathSeparator)) {
                Path p = Path.of(d, "promtool");
                if (Files.isExecutable(p)) return new Promtool(p, tmp);
            }
        }
        Path debian = Path.of("/usr/bin/promtool");
        if (Files.isExecutable(debian)) return new Promtool(debian, tmp);
        String why = "promtool is not installed, and these tests check blocks with it: install Debian's "
                + "prometheus package (apt-get install prometheus), as .ci/run does";
        if (Boolean.getBoolean("mnemo.require-test-inputs")) {
            return fail(why + " (-Dmnemo.require-test-inputs=true makes it mandatory)");
        }
        System.out.println("SKIPPED: " + why);
        return org.junit.jupiter.api.Assumptions.abort(why);
    }

    /** Runs promtool with these arguments; fails the test unless it exits with 0. Returns its stdout. */
    public String run(String... args) throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add(exe.toString());
        cmd.addAll(List.of(args));
        Path out = Files.createTempFile(tmp, "promtool", ".out");
        Path err = Files.createTempFile(tmp, "promtool", ".err");
        Process p = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        if (!p.waitFor(TIMEOUT_S, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            fail("promtool did not finish within " + TIMEOUT_S + " s: " + cmd);
        }
        String stdout = Files.readString(out, StandardCharsets.UTF_8);
        if (p.exitValue() != 0) {
            fail(cmd + " exited with " + p.exitValue() + ":\n" + Files.readString(err, StandardCharsets.UTF_8)
                    + "\n" + stdout.substring(0, Math.min(stdout.length(), 2000)));
        }
        return stdout;
    }

    /**
     * {@code promtool tsdb dump} of the blocks under a directory over [mint, maxt], as sorted
     * "labels value timestamp" lines with the value in canonical form (Java's, NaN for every NaN).
     */
    public List<String> dump(Path db, long mint, long maxt) throws Exception {
        Files.createDirectories(db.resolve("wal")); // dump opens the directory as a TSDB, WAL included
        String out = run("tsdb", "dump", "--min-time=" + mint, "--max-time=" + maxt, db.toString());
        List<String> lines = new ArrayList<>();
        for (String line : out.split("\n")) {
            if (line.isEmpty()) continue;
            // {labels} <value> <timestamp>: Go's %g for the value, which parses back to the same double
            int ts = line.lastIndexOf(' ');
            int val = line.lastIndexOf(' ', ts - 1);
            String v = line.substring(val + 1, ts);
            double d = switch (v) {
                case "+Inf" -> Double.POSITIVE_INFINITY;
                case "-Inf" -> Double.NEGATIVE_INFINITY;
                default -> Double.parseDouble(v);
            };
            lines.add(line.substring(0, val) + " " + canonical(d) + " " + line.substring(ts + 1));
        }
        lines.sort(null);
        return lines;
    }

    /** promtool prints every NaN (staleness markers included) as NaN. */
    public static String canonical(double v) {
        return Double.isNaN(v) ? "NaN" : Double.toString(v);
    }
}
