package io.mnemo.bucketstore;

import static io.mnemo.bucketstore.StoreData.RANGE;
import static io.mnemo.bucketstore.StoreData.T0;
import static io.mnemo.bucketstore.StoreData.TENANT;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.mnemo.objstore.FilesystemBucket;
import io.mnemo.tsdb.LabelMatcher;
import io.mnemo.tsdb.Labels;
import io.mnemo.tsdb.Querier;
import io.mnemo.tsdb.Queryable;
import io.mnemo.tsdb.block.BlockReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * For any matchers over the test blocks' label names and values (every matcher type, regexes of
 * each shape) and any range, the bucket store selects what tsdb's block reader does, and gives
 * the same label names and values.
 */
class BucketStorePropertyTest {
    static final String[] NAMES = {"__name__", "job", "instance", "env", "zone", "path", "nope"};
    static final String[] VALUES = {"metric_1", "metric_7", "job-3", "job-13", "prod", "dev", "", "zöne-4",
            "host-77.example:9100", "/a\"b\\c d", "x"};
    static final String[] REGEXES = {"metric_[0-4]", "job-1.*", ".*", ".+", "", "prod|dev", "zöne-.+",
            "host-1[0-9]+\\..*", "(?i)PROD", "nope|metric_3", "job-(2|12)", ".*:9100", "/a.*|"};

    private static Fixture fixture;

    /** The big blocks locally and in a bucket store, opened once for every try. */
    record Fixture(Queryable local, BucketStore store) {}

    static synchronized Fixture fixture() {
        if (fixture == null) {
            try {
                BigBlocks blocks = BigBlocks.get();
                List<BlockReader> readers = new ArrayList<>();
                Queryable local = blocks.localBlocks(readers);
                FilesystemBucket bucket = new FilesystemBucket(blocks.bucketDir);
                BucketStore store = new BucketStore(bucket, Files.createTempDirectory(blocks.dir, "property-sync"),
                        StoreData.config(32L << 20, 32L << 20), (t, m) -> true);
                assertEquals(3, store.sync().blocks());
                fixture = new Fixture(local, store);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return fixture;
    }

    @Property(tries = 60)
    void selectsAnswerAsTheBlockReader(@ForAll("matcherSets") List<LabelMatcher> matchers, @ForAll("ranges") long[] range) {
        Fixture f = fixture();
        LabelMatcher[] ms = matchers.toArray(new LabelMatcher[0]);
        String what = matchers + " over [" + range[0] + ", " + range[1] + "]";
        TreeMap<Labels, List<String>> want;
        List<String> names;
        List<String> values;
        try (Querier q = f.local().querier(range[0], range[1])) {
            want = StoreData.dump(q, ms);
            names = q.labelNames(ms);
            values = q.labelValues("env", ms);
        }
        try (BlockQuery q = f.store().query(TENANT, range[0], range[1], null)) {
            StoreData.assertSameSeries(want, StoreData.dump(q, ms), what);
            assertEquals(names, q.labelNames(ms), "label names of " + what);
            assertEquals(values, q.labelValues("env", ms), "env values of " + what);
        }
    }

    @Provide
    Arbitrary<List<LabelMatcher>> matcherSets() {
        Arbitrary<LabelMatcher> matcher = Combinators.combine(
                Arbitraries.of(LabelMatcher.Type.values()), Arbitraries.of(NAMES), Arbitraries.of(VALUES), Arbitraries.of(REGEXES))
                .as((type, name, value, regex) -> {
                    boolean isRegex = type == LabelMatcher.Type.REGEX || type == LabelMatcher.Type.NOT_REGEX;
                    return LabelMatcher.of(type, name, isRegex ? regex : value);
                });
        return matcher.list().ofMinSize(1).ofMaxSize(3);
    }

    @Provide
    Arbitrary<long[]> ranges() {
        Arbitrary<Long> start = Arbitraries.longs().between(T0 - 3_600_000, T0 + RANGE + 600_000);
        Arbitrary<Long> length = Arbitraries.longs().between(0, RANGE + 7_200_000);
        return Combinators.combine(start, length).as((s, l) -> new long[] {s, s + l});
    }
}
