package io.mnemo.bench.tsdb;

import io.mnemo.tsdb.Labels;
import io.mnemo.tsdb.head.AppendResult;
import io.mnemo.tsdb.head.Head;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;

/**
 * Appending into existing series on one thread, in samples per second. The head holds
 * {@code series} series that already have samples; each invocation appends the next
 * {@value #BATCH} samples of a round-robin over them (one sample per series per round, 15 s
 * apart, as scrapes and remote-write requests deliver them), so chunks fill and get cut as in
 * production. Values come from a table of {@link TsdbWorkload} sample sequences, so encoding
 * cost is that of realistic data.
 *
 * <ul>
 *   <li>{@code append}: {@code Head.append(ref, t, v)} with the ref known, as with Prometheus's
 *       scrape cache;</li>
 *   <li>{@code lookupAndAppend}: {@code getOrCreateSeries(labels)} first (the labels are equal
 *       but distinct objects, as decoded from a request);</li>
 *   <li>{@code idsLookupAndAppend}: {@code seriesRef(symbolIds)} first, as an ingester finds every
 *       series of every ingest record once the record's strings are resolved to the head's symbol
 *       ids (once per distinct string per record, not measured here).</li>
 * </ul>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms6g", "-Xmx6g"})
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class HeadAppendBenchmark {
    static final int BATCH = 10_000;
    private static final int SEQUENCES = 1024;
    private static final int SEQUENCE_LENGTH = 240;

    @Param({"10000", "1000000"})
    public int series;

    private Head head;
    private int[] refs;
    private Labels[] labels;
    private int[][] ids;                     // per series: its labels' symbol ids in the head
    private long[] offsets;                  // per series: its scrape offset within the interval
    private final double[] values = new double[SEQUENCES * SEQUENCE_LENGTH];
    private int next;                        // next series of the round-robin
    private int round;
    private long time0;

    @Setup(Level.Trial)
    public void setUp() {
        TsdbWorkload workload = new TsdbWorkload(series);
        head = new Head();
        refs = new int[series];
        labels = new Labels[series];
        offsets = new long[series];
        TsdbWorkload.Samples gen = new TsdbWorkload.Samples(0);
        for (int q = 0; q < SEQUENCES; q++) {
            gen.reset(q * 7919 % series);
            for (int i = 0; i < SEQUENCE_LENGTH; i++) {
                gen.next();
                values[q * SEQUENCE_LENGTH + i] = gen.value();
            }
        }
        time0 = 1_700_000_000_000L;
        for (int s = 0; s < series; s++) {
            labels[s] = workload.labels(s);
            refs[s] = head.getOrCreateSeries(labels[s]);
            gen.reset(s);
            gen.next();
            offsets[s] = Math.floorMod(gen.timestamp(), TsdbWorkload.SCRAPE_INTERVAL_MS);
            if (head.append(refs[s], time0 + offsets[s], value(s, 0)) != AppendResult.OK) throw new AssertionError();
        }
        ids = new int[series][];
        for (int s = 0; s < series; s++) {
            Labels l = labels[s];
            ids[s] = new int[2 * l.size()];
            for (int i = 0; i < l.size(); i++) {
                ids[s][2 * i] = head.symbols().id(l.name(i));
                ids[s][2 * i + 1] = head.symbols().id(l.value(i));
            }
        }
        round = 1;
    }

    private double value(int s, int r) {
        return values[(s & (SEQUENCES - 1)) * SEQUENCE_LENGTH + r % SEQUENCE_LENGTH];
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public long append() {
        long t = time0 + round * TsdbWorkload.SCRAPE_INTERVAL_MS;
        int s = next;
        for (int i = 0; i < BATCH; i++) {
            head.append(refs[s], t + offsets[s], value(s, round));
            if (++s == series) {
                s = 0;
                round++;
                t += TsdbWorkload.SCRAPE_INTERVAL_MS;
            }
        }
        next = s;
        return head.appended();
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public long lookupAndAppend() {
        long t = time0 + round * TsdbWorkload.SCRAPE_INTERVAL_MS;
        int s = next;
        for (int i = 0; i < BATCH; i++) {
            int ref = head.getOrCreateSeries(labels[s]);
            head.append(ref, t + offsets[s], value(s, round));
            if (++s == series) {
                s = 0;
                round++;
                t += TsdbWorkload.SCRAPE_INTERVAL_MS;
            }
        }
        next = s;
        return head.appended();
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public long idsLookupAndAppend() {
        long t = time0 + round * TsdbWorkload.SCRAPE_INTERVAL_MS;
        int s = next;
        for (int i = 0; i < BATCH; i++) {
            int ref = head.seriesRef(ids[s], ids[s].length);
            head.append(ref, t + offsets[s], value(s, round));
            if (++s == series) {
                s = 0;
                round++;
                t += TsdbWorkload.SCRAPE_INTERVAL_MS;
            }
        }
        next = s;
        return head.appended();
    }
}
