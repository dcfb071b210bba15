package io.mnemo.bench.tsdb;

import io.mnemo.tsdb.LabelMatcher;
import io.mnemo.tsdb.Querier;
import io.mnemo.tsdb.SeriesSet;
import io.mnemo.tsdb.block.BlockReader;
import io.mnemo.tsdb.block.BlockWriter;
import io.mnemo.tsdb.head.Head;
import io.mnemo.tsdb.index.PostingsForMatchers;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Matchers resolved to series refs over the 1,000,000 series of {@link TsdbWorkload}, in a head
 * ({@code source=head}) and in a block cut from the same head ({@code source=block}, read through
 * a block querier's select, which resolves the postings before the first series is decoded). The
 * selectors take each path of the postings algorithm:
 *
 * <ul>
 *   <li>{@code prefix}: {@code {job="api", instance=~"host-1.*"}}, a literal regex prefix: one
 *       range of values (10,000 series, as {@link HeadSelectBenchmark});</li>
 *   <li>{@code notEmpty}: {@code {job="api", pod!=""}}: every value of a label with 100,000
 *       values (100,000 series);</li>
 *   <li>{@code regex}: {@code {job="api", instance=~"host-1[0-9]5.*"}}: a regex run over the
 *       values of its literal prefix (1,000 series);</li>
 *   <li>{@code notRegex}: {@code {job="api", instance!~"host-1.*"}}: a prefix range taken away
 *       (90,000 series).</li>
 * </ul>
 *
 * The block is written once under {@code java.io.tmpdir} and reused by later forks and runs.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms4g", "-Xmx4g"})
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class PostingsBenchmark {
    static final int SERIES = 1_000_000;
    private static final long T0 = 1_700_000_000_000L;

    @Param({"head", "block"})
    public String source;

    @Param({"prefix", "notEmpty", "regex", "notRegex"})
    public String selector;

    private Head head;
    private BlockReader block;
    private LabelMatcher[] matchers;

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        matchers = switch (selector) {
            case "prefix" -> new LabelMatcher[] {LabelMatcher.equal("job", "api"), LabelMatcher.regex("instance", "host-1.*")};
            case "notEmpty" -> new LabelMatcher[] {LabelMatcher.equal("job", "api"), LabelMatcher.notEqual("pod", "")};
            case "regex" -> new LabelMatcher[] {LabelMatcher.equal("job", "api"), LabelMatcher.regex("instance", "host-1[0-9]5.*")};
            case "notRegex" -> new LabelMatcher[] {LabelMatcher.equal("job", "api"), LabelMatcher.notRegex("instance", "host-1.*")};
            default -> throw new IllegalArgumentException(selector);
        };
        Path dir = Path.of(System.getProperty("java.io.tmpdir"), "mnemo-postings-benchmark-" + SERIES);
        if (source.equals("head") || !Files.isDirectory(dir)) head = new TsdbWorkload(SERIES).head(T0, 4);
        if (source.equals("block")) {
            if (!Files.isDirectory(dir)) {
                Path tmp = Files.createTempDirectory(dir.getParent(), dir.getFileName() + ".tmp");
                new BlockWriter(tmp).write(head, Long.MIN_VALUE, Long.MAX_VALUE).orElseThrow();
                Files.move(tmp, dir);
                head = null;
            }
            try (Stream<Path> blocks = Files.list(dir)) {
                block = BlockReader.open(blocks.filter(Files::isDirectory).findFirst().orElseThrow());
            }
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        if (block != null) block.close();
    }

    @Benchmark
    public Object postings() {
        if (block == null) return PostingsForMatchers.of(head.postings(), matchers);
        try (Querier q = block.querier(Long.MIN_VALUE, Long.MAX_VALUE)) {
            SeriesSet set = q.select(false, matchers); // postings resolved, nothing decoded yet
            return set;
        }
    }
}
