package io.mnemo.actors.warmup;

import io.mnemo.actors.distributor.MetadataReader;
import io.mnemo.actors.distributor.PartitionSplitter;
import io.mnemo.actors.distributor.RemoteWriteBody;
import io.mnemo.actors.distributor.SeriesValidator;
import io.mnemo.actors.distributor.WriteRequestReader;
import io.mnemo.actors.ingester.BatchConsumed;
import io.mnemo.actors.ingester.PartitionReplay;
import io.mnemo.actors.prompb.Remote;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import org.xerial.snappy.Snappy;

/**
 * Runs the write path's own code on synthetic pushes before a node reports ready: decompressing,
 * decoding, validating and sharding remote-write bodies into ingest records, then reading those
 * records into scratch heads as an ingester applies them ({@link PartitionReplay}: series created,
 * then found again, samples appended). Nothing leaves this class: no Kafka, no journal, no
 * tenant's head, and the scratch heads are dropped.
 *
 * <p>Why: a fresh JVM runs this code interpreted, then compiles it while it works. On a small
 * node taking a full load at once (a restart while Prometheus servers flush their remote-write
 * backlog), the first tens of seconds then cost several times the CPU per sample, and push latency
 * with it. Warming up moves that compiling before the node takes traffic; it costs a few seconds
 * of startup ({@code mnemo.write-path-warm-up}, 0 turns it off).
 */
public final class WritePathWarmUp {
    static final int SERIES_PER_PUSH = 2000;
    static final int PUSHES = 10; // 20,000 series

    /** What the warm-up did. */
    public record Result(long samples, long series, Duration took) {}

    private WritePathWarmUp() {}

    /** Pushes synthetic rounds through the write path's code until {@code budget} is spent. */
    public static Result run(Duration budget, int partitions) {
        long start = System.nanoTime();
        long deadline = start + budget.toNanos();
        RemoteWriteBody body = new RemoteWriteBody(Long.MAX_VALUE);
        WriteRequestReader reader = new WriteRequestReader();
        MetadataReader metadata = new MetadataReader();
        PartitionSplitter splitter = new PartitionSplitter(SeriesValidator.withDefaults());
        PartitionReplay[] heads = new PartitionReplay[partitions];
        for (int p = 0; p < partitions; p++) heads[p] = PartitionReplay.scratch(7_200_000L);
        String[] tenant = {"warm-up"};
        long offset = 0;
        long samples = 0;
        for (int round = 0; System.nanoTime() < deadline; round++) {
            for (int push = 0; push < PUSHES && System.nanoTime() < deadline; push++) {
                byte[] compressed = push(push, round);
                int len = body.decompress(compressed);
                reader.reset(body.buffer(), 0, len);
                PartitionSplitter.Split split = splitter.split("warm-up", reader, metadata.reset(body.buffer(), 0, len), partitions);
                for (int p = 0; p < partitions; p++) {
                    if (split.record(p) != null) {
                        heads[p].apply(new BatchConsumed(new long[] {offset++}, tenant, new byte[][] {split.record(p)}));
                    }
                }
                samples += split.acceptedSamples();
            }
        }
        long series = 0;
        for (PartitionReplay h : heads) series += h.series();
        return new Result(samples, series, Duration.ofNanos(System.nanoTime() - start));
    }

    /** Push {@code push} of a round: one sample for each of its series, snappy-compressed as Prometheus sends it. */
    static byte[] push(int push, int round) {
        Remote.WriteRequest.Builder w = Remote.WriteRequest.newBuilder();
        long t = 1_000_000L + round * 15_000L;
        for (int i = 0; i < SERIES_PER_PUSH; i++) {
            int s = push * SERIES_PER_PUSH + i;
            Remote.TimeSeries.Builder ts = Remote.TimeSeries.newBuilder();
            label(ts, "__name__", "mnemo_warm_up_" + (s % 20) + (s % 2 == 0 ? "_total" : ""));
            label(ts, "instance", "10.0." + (s / 100 % 250) + "." + (s % 100) + ":9100");
            label(ts, "job", "warm-up-" + (s % 7));
            label(ts, "le", Integer.toString(s % 11));
            label(ts, "pod", "warm-up-" + Integer.toHexString(s / 10));
            label(ts, "zone", "z" + (s % 3));
            ts.addSamples(Remote.Sample.newBuilder().setTimestamp(t).setValue(s % 2 == 0 ? round * 3.0 + s : (s * 31 + round) % 97 * 0.5));
            w.addTimeseries(ts);
        }
        try {
            return Snappy.compress(w.build().toByteArray());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void label(Remote.TimeSeries.Builder ts, String name, String value) {
        ts.addLabels(Remote.Label.newBuilder().setName(name).setValue(value));
    }
}
