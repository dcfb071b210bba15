package io.mnemo.tsdb.block;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.mnemo.tsdb.LabelMatcher;
import io.mnemo.tsdb.Labels;
import io.mnemo.tsdb.head.Head;
import io.mnemo.tsdb.index.PostingsForMatchers;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The block's index under {@link PostingsForMatchers}: every combination of matchers selects what
 * the definition says (each matcher matches the series' value, or "" when it lacks the label), as
 * the head's index does for the same series ({@code MemPostingsTest}), non-ASCII values included.
 */
class BlockPostingsTest {
    @TempDir
    Path dir;

    @Test
    void agreesWithBruteForceAndWithTheHeadOnRandomMatchers() throws IOException {
        Random r = new Random(3);
        String[] names = {"a", "b", "c"};
        String[] values = {"x", "xy", "xyz", "y", "foo", "foobar", "fo", "b.c", "bxc", "", "Foo", "zöne", "zz", "\uD83D\uDE00"};
        Head head = new Head();
        List<Labels> all = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            Labels.Builder b = new Labels.Builder().set("__name__", "m");
            for (String n : names) if (r.nextInt(3) > 0) b.set(n, values[r.nextInt(values.length)]);
            Labels l = b.build();
            if (all.contains(l)) continue;
            head.append(head.getOrCreateSeries(l), 1000, i);
            all.add(l);
        }
        BlockMeta meta = new BlockWriter(dir).write(head, 0, 2000).orElseThrow();
        String[] regexes = {"x", "x|y", "(x|foo)", "(?:xy|)", "foo.*", "fo.+", ".*", ".+", "x.*z", "f.*r",
                "b\\.c", "b.c", "(?i)foo", "[xy]+", "", "xy?z?", "foo|.*bar", "F?oo", "z.*", "zö.+", "\uD83D\uDE00|zz"};
        try (IndexReader index = new IndexReader(MappedFile.open(dir.resolve(meta.ulid().toString()).resolve("index")))) {
            SeriesEntry entry = new SeriesEntry();
            for (int round = 0; round < 3000; round++) {
                int n = 1 + r.nextInt(3);
                LabelMatcher[] ms = new LabelMatcher[n];
                for (int i = 0; i < n; i++) {
                    String name = names[r.nextInt(names.length)];
                    LabelMatcher.Type type = LabelMatcher.Type.values()[r.nextInt(4)];
                    String v = (type == LabelMatcher.Type.REGEX || type == LabelMatcher.Type.NOT_REGEX)
                            ? regexes[r.nextInt(regexes.length)] : values[r.nextInt(values.length)];
                    ms[i] = LabelMatcher.of(type, name, v);
                }
                TreeSet<Labels> expected = new TreeSet<>();
                for (Labels l : all) {
                    boolean ok = true;
                    for (LabelMatcher m : ms) ok &= m.matches(l.get(m.name()));
                    if (ok) expected.add(l);
                }
                TreeSet<Labels> got = new TreeSet<>();
                for (int id : PostingsForMatchers.of(index, ms)) {
                    index.series(id, entry, false);
                    got.add(entry.labels);
                }
                assertEquals(expected, got, List.of(ms).toString());
                assertEquals(expected.size(), PostingsForMatchers.of(head.postings(), ms).length, List.of(ms).toString());
            }
            assertEquals(head.postings().labelNames(), index.labelNames());
            for (String name : names) assertEquals(head.postings().labelValues(name), index.labelValues(name));
            assertArrayEquals(new int[0], index.postings("", ""), "the empty pair is the block's list of all series, not a label");
            assertEquals(all.size(), index.allPostings().length);
        }
    }
}
