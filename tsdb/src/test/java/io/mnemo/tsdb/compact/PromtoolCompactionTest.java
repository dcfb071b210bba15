package io.mnemo.tsdb.compact;

import io.mnemo.tsdb.block.BlockMeta;
import io.mnemo.tsdb.block.Promtool;
import io.mnemo.tsdb.head.Head;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

import static io.mnemo.tsdb.compact.Blocks.H2;
import static io.mnemo.tsdb.compact.Blocks.STEP;
import static io.mnemo.tsdb.compact.Blocks.T0;
import static io.mnemo.tsdb.compact.Blocks.append;
import static io.mnemo.tsdb.compact.Blocks.write;
import static io.mnemo.tsdb.compact.BlockCompactorTest.series;
import static io.mnemo.tsdb.compact.BlockCompactorTest.value;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Checks a compacted block with Prometheus's promtool: {@code tsdb analyze} accepts it and
 * {@code tsdb dump} prints the union of the inputs' dumps, each sample once, as the compactor's
 * integration test will check on a bucket.
 */
class PromtoolCompactionTest {
    @TempDir
    Path tmp;

    @Test
    void promtoolReadsTheUnionOfTheInputsOnce() throws Exception {
        Promtool promtool = Promtool.findOrSkip(tmp);
        // Two zones' copies of [T0, T0+2h), a consecutive block, and an out-of-order block across both.
        Head zone = BlockCompactorTest.day(120);
        Head ooo = new Head();
        for (int s = 100; s < 160; s++) { // even: on the zone's timestamps (where it has the series); odd: between them
            long offset = s % 2 == 0 ? (s % 13) * 1000 : 5_000 + s;
            for (long t = T0 + H2 - 1_800_000 + offset; t < T0 + H2 + 1_800_000; t += STEP) append(ooo, series(s), t, value(s, t));
        }
        List<Path> dbs = List.of(tmp.resolve("zone-a"), tmp.resolve("zone-b"), tmp.resolve("next"), tmp.resolve("ooo"));
        List<Path> inputs = new ArrayList<>();
        inputs.add(write(zone, dbs.get(0), T0, T0 + H2));
        inputs.add(write(zone, dbs.get(1), T0, T0 + H2));
        inputs.add(write(zone, dbs.get(2), T0 + H2, T0 + 2 * H2));
        inputs.add(write(ooo, dbs.get(3), T0 + H2 - 1_800_000, T0 + H2 + 1_800_000));

        BlockMeta out = new BlockCompactor(tmp.resolve("out")).compact(inputs).orElseThrow();

        String analyze = promtool.run("tsdb", "analyze", tmp.resolve("out").toString(), out.ulid().toString());
        assertTrue(analyze.contains("Block ID: " + out.ulid()), analyze);
        assertTrue(analyze.contains("\nSeries: " + out.numSeries() + "\n"), analyze);

        TreeSet<String> union = new TreeSet<>();
        long inputLines = 0;
        for (Path db : dbs) {
            List<String> lines = promtool.dump(db, Long.MIN_VALUE, Long.MAX_VALUE);
            inputLines += lines.size();
            union.addAll(lines);
        }
        List<String> got = promtool.dump(tmp.resolve("out"), Long.MIN_VALUE, Long.MAX_VALUE);
        assertTrue(inputLines > union.size() + 10_000, "the inputs overlap: " + inputLines + " lines, " + union.size() + " distinct");
        List<String> want = new ArrayList<>(union);
        for (int i = 0; i < Math.min(want.size(), got.size()); i++) {
            assertEquals(want.get(i), got.get(i), "promtool dump of the compacted block, line " + i);
        }
        assertEquals(want.size(), got.size(), "promtool dump of the compacted block, lines");
        assertEquals(union.size(), out.numSamples());
    }
}
