package io.mnemo.bench.tsdb;

import io.mnemo.tsdb.LabelMatcher;
import io.mnemo.tsdb.Querier;
import io.mnemo.tsdb.SeriesSet;
import io.mnemo.tsdb.head.Head;
import io.mnemo.tsdb.index.PostingsForMatchers;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;

/**
 * Selecting 10,000 of 1,000,000 head series by {@code {job="api", instance=~"host-1.*"}} (the
 * issue's {@code {job="x", instance=~"host-1.*"}}; see {@link TsdbWorkload} for why exactly
 * 10,000 match). Every series has a few samples in the queried range.
 *
 * <ul>
 *   <li>{@code postings}: the matchers resolved to series refs through the postings index;</li>
 *   <li>{@code select}: a querier's {@code select(false, ...)} (what PromQL calls), walked to the
 *       end: postings, then each series' labels and chunk snapshots;</li>
 *   <li>{@code selectSorted}: the same sorted by labels, {@code select(true, ...)}.</li>
 * </ul>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms4g", "-Xmx4g"})
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class HeadSelectBenchmark {
    static final int SERIES = 1_000_000;
    static final int EXPECTED = 10_000;
    private static final long T0 = 1_700_000_000_000L;

    private Head head;
    private final LabelMatcher[] matchers = {
            LabelMatcher.equal("job", "api"), LabelMatcher.regex("instance", "host-1.*")};

    @Setup(Level.Trial)
    public void setUp() {
        head = new TsdbWorkload(SERIES).head(T0, 4);
        int n = select();
        if (n != EXPECTED) throw new AssertionError("selected " + n + " series, not " + EXPECTED);
    }

    @Benchmark
    public int postings() {
        return PostingsForMatchers.of(head.postings(), matchers).length;
    }

    @Benchmark
    public int select() {
        return count(false);
    }

    @Benchmark
    public int selectSorted() {
        return count(true);
    }

    private int count(boolean sorted) {
        try (Querier q = head.querier(T0, T0 + 3_600_000)) {
            SeriesSet set = q.select(sorted, matchers);
            int n = 0;
            while (set.next()) {
                if (set.at().labels().size() == 8) n++;
            }
            return n;
        }
    }
}
