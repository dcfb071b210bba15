package io.mnemo.tsdb.block;

import io.mnemo.tsdb.Labels;
import io.mnemo.tsdb.head.Head;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static io.mnemo.tsdb.block.TestData.MAXT;
import static io.mnemo.tsdb.block.TestData.MINT;
import static io.mnemo.tsdb.block.TestData.assertSameLines;
import static io.mnemo.tsdb.block.TestData.dump;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Checks blocks with Prometheus's own tool, Debian's promtool (CI installs it, see .ci/run):
 * {@code promtool tsdb analyze} must accept the block and {@code promtool tsdb dump} must print
 * exactly the samples the head held in the block's range.
 */
class PromtoolBlockTest {
    @TempDir
    static Path tmp;
    static Promtool promtool;
    static Head head;
    static TreeMap<Labels, List<String>> expected;

    @BeforeAll
    static void setUp() {
        promtool = Promtool.findOrSkip(tmp);
        head = TestData.head(300, 11);
        expected = dump(head, MINT, MAXT - 1);
        assertTrue(TestData.countSamples(expected) > 50_000, "the fixture must have plenty of samples in the range");
    }

    @Test
    void analyzeAcceptsTheBlock() throws Exception {
        Path db = tmp.resolve("analyze");
        BlockMeta meta = new BlockWriter(db).write(head, MINT, MAXT).orElseThrow();
        String out = promtool.run("tsdb", "analyze", db.toString(), meta.ulid().toString());
        assertTrue(out.contains("Block ID: " + meta.ulid()), out);
        assertTrue(out.contains("\nSeries: " + expected.size() + "\n"), out);
        long labelNames = expected.keySet().stream().flatMap(l -> l.names().stream()).distinct().count();
        assertTrue(out.contains("\nLabel names: " + labelNames + "\n"), out);
    }

    @Test
    void dumpPrintsExactlyTheSamplesWritten() throws Exception {
        Path db = tmp.resolve("dump");
        new BlockWriter(db).write(head, MINT, MAXT).orElseThrow();
        assertSameLines(lines(expected), promtool.dump(db, MINT, MAXT - 1), "promtool dump");
        assertSameLines(lines(expected), promtool.dump(db, Long.MIN_VALUE, Long.MAX_VALUE), "promtool dump, all time");
        long from = MINT + 1_800_000;
        long to = MINT + 3_600_000 + 1;
        assertSameLines(lines(dump(head, from, to)), promtool.dump(db, from, to), "promtool dump of a sub-range");
    }

    @Test
    void dumpReadsChunksAcrossManySegments() throws Exception {
        Path db = tmp.resolve("segments");
        BlockMeta meta = new BlockWriter(db, 32 * 1024).write(head, MINT, MAXT).orElseThrow();
        try (var files = Files.list(db.resolve(meta.ulid().toString()).resolve("chunks"))) {
            assertTrue(files.count() > 2, "expected several chunk segments");
        }
        assertSameLines(lines(expected), promtool.dump(db, MINT, MAXT - 1), "promtool dump, many segments");
    }

    /** "labels value timestamp" as promtool prints them, sorted. */
    private static List<String> lines(TreeMap<Labels, List<String>> series) {
        List<String> out = new ArrayList<>();
        for (Map.Entry<Labels, List<String>> e : series.entrySet()) {
            for (String s : e.getValue()) {
                String[] tv = s.split(" ");
                double v = Double.longBitsToDouble(Long.parseUnsignedLong(tv[1], 16));
                out.add(e.getKey() + " " + Promtool.canonical(v) + " " + tv[0]);
            }
        }
        out.sort(null);
        return out;
    }
}
