package io.mnemo.tsdb.index;

import io.mnemo.tsdb.LabelMatcher;
import io.mnemo.tsdb.Labels;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static io.mnemo.tsdb.LabelMatcher.*;
import static org.junit.jupiter.api.Assertions.*;

class MemPostingsTest {
    private final List<Labels> series = new ArrayList<>();
    private MemPostings postings;

    @BeforeEach
    void index() {
        series.add(Labels.of("__name__", "up", "job", "api", "instance", "a"));          // 0
        series.add(Labels.of("__name__", "up", "job", "db", "instance", "b"));           // 1
        series.add(Labels.of("__name__", "up", "instance", "c"));                        // 2 no job
        series.add(Labels.of("__name__", "http_requests", "job", "api", "path", "/foo")); // 3
        series.add(Labels.of("__name__", "http_requests", "job", "apiserver"));          // 4
        series.add(Labels.of("__name__", "up", "job", "ap\ni", "instance", "d"));        // 5 newline in value
        postings = new MemPostings();
        for (int i = 0; i < series.size(); i++) postings.add(i, series.get(i));
    }

    private int[] select(LabelMatcher... ms) { return PostingsForMatchers.of(postings, ms); }

    @Test
    void equalityAndInequality() {
        assertArrayEquals(new int[] {0, 1, 2, 5}, select(equal("__name__", "up")));
        assertArrayEquals(new int[] {0, 3}, select(equal("job", "api")));
        assertArrayEquals(new int[] {0}, select(equal("__name__", "up"), equal("job", "api")));
        assertArrayEquals(new int[] {}, select(equal("job", "nope")));
        assertArrayEquals(new int[] {}, select(equal("nolabel", "x")));
        // != also selects series without the label.
        assertArrayEquals(new int[] {1, 2, 5}, select(equal("__name__", "up"), notEqual("job", "api")));
        assertArrayEquals(new int[] {0, 1, 2, 3, 4, 5}, select(notEqual("nolabel", "x")));
    }

    @Test
    void emptyValueMeansAbsentLabel() {
        assertArrayEquals(new int[] {2}, select(equal("job", "")));
        assertArrayEquals(new int[] {2}, select(equal("__name__", "up"), equal("job", "")));
        assertArrayEquals(new int[] {0, 1, 3, 4, 5}, select(notEqual("job", "")));
        assertArrayEquals(new int[] {0, 1, 2, 3, 4, 5}, select(equal("nolabel", "")));
        assertArrayEquals(new int[] {}, select(notEqual("nolabel", "")));
        assertArrayEquals(new int[] {2}, select(regex("job", "")));
        assertArrayEquals(new int[] {0, 1, 3, 4, 5}, select(regex("job", ".+")));
        assertArrayEquals(new int[] {2}, select(notRegex("job", ".+")));
        assertArrayEquals(new int[] {0, 1, 2, 3, 4, 5}, select(regex("job", ".*")));
        assertArrayEquals(new int[] {}, select(notRegex("job", ".*")));
    }

    @Test
    void regexesAreAnchored() {
        assertArrayEquals(new int[] {0, 3}, select(regex("job", "api")));
        assertArrayEquals(new int[] {0, 3, 4}, select(regex("job", "api.*")));
        assertArrayEquals(new int[] {4}, select(regex("job", "api.+")));
        assertArrayEquals(new int[] {0, 3, 4}, select(regex("job", "a.i.*")));
        assertArrayEquals(new int[] {5}, select(regex("job", "ap.i")), "dot matches a newline");
        assertArrayEquals(new int[] {1, 2, 5}, select(notRegex("job", "api.*")));
        assertArrayEquals(new int[] {0, 1, 3}, select(regex("job", "api|db")));
        assertArrayEquals(new int[] {2, 4, 5}, select(notRegex("job", "api|db")));
        assertArrayEquals(new int[] {0, 2, 3}, select(regex("job", "api|")), "empty alternative selects label-less series");
        assertArrayEquals(new int[] {0, 1}, select(regex("instance", "[ab]")));
        assertArrayEquals(new int[] {3, 4}, select(regex("__name__", "http_.*"), notRegex("path", "/bar")));
    }

    /** Every combination of matchers against the definition: m.matches(value or "") for all of them. */
    @Test
    void agreesWithBruteForceOnRandomMatchers() {
        Random r = new Random(3);
        String[] names = {"a", "b", "c"};
        String[] values = {"x", "xy", "xyz", "y", "foo", "foobar", "fo", "b.c", "bxc", "", "Foo"};
        MemPostings p = new MemPostings();
        List<Labels> all = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            Labels.Builder b = new Labels.Builder();
            for (String n : names) if (r.nextInt(3) > 0) b.set(n, values[r.nextInt(values.length)]);
            Labels l = b.build();
            if (all.contains(l)) continue;
            p.add(all.size(), l);
            all.add(l);
        }
        String[] regexes = {"x", "x|y", "(x|foo)", "(?:xy|)", "foo.*", "fo.+", ".*", ".+", "x.*z", "f.*r",
                "b\\.c", "b.c", "(?i)foo", "[xy]+", "", "xy?z?", "foo|.*bar", "F?oo"};
        for (int round = 0; round < 3000; round++) {
            int n = 1 + r.nextInt(3);
            LabelMatcher[] ms = new LabelMatcher[n];
            for (int i = 0; i < n; i++) {
                String name = names[r.nextInt(names.length)];
                Type type = Type.values()[r.nextInt(4)];
                String v = (type == Type.REGEX || type == Type.NOT_REGEX)
                        ? regexes[r.nextInt(regexes.length)] : values[r.nextInt(values.length)];
                ms[i] = LabelMatcher.of(type, name, v);
            }
            List<Integer> expected = new ArrayList<>();
            for (int ref = 0; ref < all.size(); ref++) {
                boolean ok = true;
                for (LabelMatcher m : ms) ok &= m.matches(all.get(ref).get(m.name()));
                if (ok) expected.add(ref);
            }
            int[] got = PostingsForMatchers.of(p, ms);
            assertArrayEquals(expected.stream().mapToInt(Integer::intValue).toArray(), got, List.of(ms).toString());
        }
    }

    @Test
    void labelNamesAndValuesAreSorted() {
        assertEquals(List.of("__name__", "instance", "job", "path"), postings.labelNames());
        assertEquals(List.of("ap\ni", "api", "apiserver", "db"), postings.labelValues("job"));
        assertEquals(List.of(), postings.labelValues("nolabel"));
        assertArrayEquals(new int[] {0, 3}, postings.postings("job", "api"));
        assertEquals(6, postings.numSeries());
    }

    @Test
    void deleteRemovesEveryTrace() {
        postings.delete(3, series.get(3));
        assertArrayEquals(new int[] {0}, postings.postings("job", "api"));
        assertFalse(postings.labelNames().contains("path"), "a label left without series disappears");
        assertArrayEquals(new int[] {0, 1, 2, 4, 5}, postings.allPostings());
    }
    /** Dense dead refs take the bitmap, refs spread far apart the sorted array: same result. */
    @Test
    void deletingManyAtOnceEqualsDeletingOneByOne() {
        deleteManyAtOnce(1);
        deleteManyAtOnce(100_003);
    }

    private void deleteManyAtOnce(int refStep) {
        MemPostings one = new MemPostings();
        MemPostings many = new MemPostings();
        Random r = new Random(4);
        List<Labels> all = new ArrayList<>();
        for (int i = 0; i < 3_000; i++) {
            Labels l = Labels.of("__name__", "m" + r.nextInt(5), "pod", "p" + i, "job", "j" + r.nextInt(3));
            all.add(l);
            one.add(i * refStep, l);
            many.add(i * refStep, l);
        }
        List<Integer> dead = new ArrayList<>();
        List<Labels> deadLabels = new ArrayList<>();
        for (int i = 2_999; i >= 0; i--) { // any order
            if (r.nextInt(3) == 0 || all.get(i).get("job").equals("j1")) {
                dead.add(i * refStep);
                deadLabels.add(all.get(i));
                one.delete(i * refStep, all.get(i));
            }
        }
        many.delete(dead.stream().mapToInt(Integer::intValue).toArray(), deadLabels);
        assertArrayEquals(one.allPostings(), many.allPostings());
        assertEquals(one.labelNames(), many.labelNames());
        assertEquals(List.of("j0", "j2"), many.labelValues("job"));
        for (String name : one.labelNames()) {
            assertEquals(one.labelValues(name), many.labelValues(name));
            for (String v : one.labelValues(name)) assertArrayEquals(one.postings(name, v), many.postings(name, v));
        }
    }
}
