package io.mnemo.tsdb.block;

import io.mnemo.tsdb.Labels;
import io.mnemo.tsdb.head.Head;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

import static io.mnemo.tsdb.block.TestData.MAXT;
import static io.mnemo.tsdb.block.TestData.MINT;
import static io.mnemo.tsdb.block.TestData.assertSameLines;
import static io.mnemo.tsdb.block.TestData.dump;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Checks blocks with Prometheus's own tool, Debian's promtool (CI installs it, see .ci/run):
 * {@code promtool tsdb analyze} must accept the block and {@code promtool tsdb dump} must print
 * exactly the samples the head held in the block's range.
 */
class PromtoolBlockTest {
    private static final long TIMEOUT_S = 120;

    @TempDir
    static Path tmp;
    static Path promtool;
    static Head head;
    static TreeMap<Labels, List<String>> expected;

    @BeforeAll
    static void setUp() {
        promtool = findPromtool();
        head = TestData.head(300, 11);
        expected = dump(head, MINT, MAXT - 1);
        assertTrue(TestData.countSamples(expected) > 50_000, "the fixture must have plenty of samples in the range");
    }

    @Test
    void analyzeAcceptsTheBlock() throws Exception {
        Path db = tmp.resolve("analyze");
        BlockMeta meta = new BlockWriter(db).write(head, MINT, MAXT).orElseThrow();
        String out = run("tsdb", "analyze", db.toString(), meta.ulid().toString());
        assertTrue(out.contains("Block ID: " + meta.ulid()), out);
        assertTrue(out.contains("\nSeries: " + expected.size() + "\n"), out);
        long labelNames = expected.keySet().stream().flatMap(l -> l.names().stream()).distinct().count();
        assertTrue(out.contains("\nLabel names: " + labelNames + "\n"), out);
    }

    @Test
    void dumpPrintsExactlyTheSamplesWritten() throws Exception {
        Path db = tmp.resolve("dump");
        new BlockWriter(db).write(head, MINT, MAXT).orElseThrow();
        Files.createDirectories(db.resolve("wal")); // dump opens the directory as a TSDB, WAL included
        assertSameLines(lines(expected), dumpLines(db, MINT, MAXT - 1), "promtool dump");
        assertSameLines(lines(expected), dumpLines(db, Long.MIN_VALUE, Long.MAX_VALUE), "promtool dump, all time");
        long from = MINT + 1_800_000;
        long to = MINT + 3_600_000 + 1;
        assertSameLines(lines(dump(head, from, to)), dumpLines(db, from, to), "promtool dump of a sub-range");
    }

    @Test
    void dumpReadsChunksAcrossManySegments() throws Exception {
        Path db = tmp.resolve("segments");
        BlockMeta meta = new BlockWriter(db, 32 * 1024).write(head, MINT, MAXT).orElseThrow();
        try (var files = Files.list(db.resolve(meta.ulid().toString()).resolve("chunks"))) {
            assertTrue(files.count() > 2, "expected several chunk segments");
        }
        Files.createDirectories(db.resolve("wal"));
        assertSameLines(lines(expected), dumpLines(db, MINT, MAXT - 1), "promtool dump, many segments");
    }

    /** "labels value timestamp" as promtool prints them, sorted. */
    private static List<String> lines(TreeMap<Labels, List<String>> series) {
        List<String> out = new ArrayList<>();
        for (Map.Entry<Labels, List<String>> e : series.entrySet()) {
            for (String s : e.getValue()) {
                String[] tv = s.split(" ");
                double v = Double.longBitsToDouble(Long.parseUnsignedLong(tv[1], 16));
                out.add(e.getKey() + " " + canonical(v) + " " + tv[0]);
            }
        }
        out.sort(null);
        return out;
    }

    private static List<String> dumpLines(Path db, long mint, long maxt) throws Exception {
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
    private static String canonical(double v) {
        return Double.isNaN(v) ? "NaN" : Double.toString(v);
    }

    private static String run(String... args) throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add(promtool.toString());
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

    private static Path findPromtool() {
        String path = System.getenv("PATH");
        if (path != null) {
            for (String d : path.split(File.pathSeparator)) {
                Path p = Path.of(d, "promtool");
                if (Files.isExecutable(p)) return p;
            }
        }
        Path debian = Path.of("/usr/bin/promtool");
        if (Files.isExecutable(debian)) return debian;
        String why = "promtool is not installed, and these tests check blocks with it: install Debian's "
                + "prometheus package (apt-get install prometheus), as .ci/run does";
        if (Boolean.getBoolean("mnemo.require-test-inputs")) {
            return fail(why + " (-Dmnemo.require-test-inputs=true makes it mandatory)");
        }
        System.out.println("SKIPPED: " + why);
        return org.junit.jupiter.api.Assumptions.abort(why);
    }
}
