package io.mnemo.bench;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.mnemo.actors.ingest.IngestRecordWriter;
import io.mnemo.actors.ingester.BatchConsumed;
import io.mnemo.actors.prompb.Remote;
import io.mnemo.tsdb.SeriesHasher;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * How fast an ingester recovers: writes an ingester journal of {@code series} series scraped every
 * 15 s for {@code minutes} through the Mnemo journal plugin (one {@code BatchConsumed} event of
 * {@code records-per-event} Kafka records, each an ingest record of {@code series-per-record}
 * series with one sample, as distributors produce them), then, in a fresh actor system, recovers
 * it the way an ingester does (journal replay, each event applied to the partition's heads) and
 * times it; finally encodes the recovered state as the ingester's snapshot and restores it.
 *
 * <pre>
 * mvn -B -q -o install -DskipTests -pl server,bench -am
 * java -Xmx8g -XX:+UseParallelGC -cp server/target/mnemo.jar:bench/target/classes \
 *     io.mnemo.bench.RecoveryBenchmark [series=200000] [minutes=120] [dir]
 * </pre>
 */
public final class RecoveryBenchmark {
    static final long T0 = 1_699_999_200_000L; // two-hour aligned
    static final long STEP = 15_000;
    static final int SERIES_PER_RECORD = 2000;
    static final int RECORDS_PER_EVENT = 50;
    static final String PERSISTENCE_ID = "ingester|bench|0";

    public static void main(String[] args) throws Exception {
        int numSeries = args.length > 0 ? Integer.parseInt(args[0]) : 200_000;
        int minutes = args.length > 1 ? Integer.parseInt(args[1]) : 120;
        Path dir = args.length > 2 ? Path.of(args[2]) : Files.createTempDirectory("recovery-bench");
        int rounds = (int) (minutes * 60_000L / STEP);
        long blockRange = 7_200_000L;
        System.out.printf("%,d series x %d rounds (%d min at 15 s) = %,d samples; journal in %s%n",
                numSeries, rounds, minutes, (long) numSeries * rounds, dir);
        try {
            // 1. Write the journal.
            byte[][][] labelBytes = RecordBuilder.encodeLabels(numSeries);
            ActorSystem<Void> writeSystem = ActorSystem.create(Behaviors.empty(), "bench", config(dir));
            ActorRef<ReplayProbe.Append> writer = writeSystem.systemActorOf(
                    ReplayProbe.create(PERSISTENCE_ID, dir.resolve("tsdb"), blockRange, new CompletableFuture<>()),
                    "writer", org.apache.pekko.actor.typed.Props.empty());
            long offset = 0, events = 0, journalBytes = 0;
            long w0 = System.nanoTime();
            CompletableFuture<Void> inFlight = CompletableFuture.completedFuture(null);
            RecordBuilder rb = new RecordBuilder();
            for (int r = 0; r < rounds; r++) {
                int recordsPerRound = (numSeries + SERIES_PER_RECORD - 1) / SERIES_PER_RECORD;
                for (int first = 0; first < recordsPerRound; first += RECORDS_PER_EVENT) {
                    int n = Math.min(RECORDS_PER_EVENT, recordsPerRound - first);
                    long[] offsets = new long[n];
                    String[] tenants = new String[n];
                    byte[][] values = new byte[n][];
                    for (int k = 0; k < n; k++) {
                        int from = (first + k) * SERIES_PER_RECORD;
                        values[k] = rb.record(labelBytes, from, Math.min(numSeries, from + SERIES_PER_RECORD), r);
                        offsets[k] = offset++;
                        tenants[k] = "bench";
                        journalBytes += values[k].length;
                    }
                    inFlight.get(); // one event in flight at a time: the journal's group commit batches nothing away
                    CompletableFuture<Void> done = new CompletableFuture<>();
                    writer.tell(new ReplayProbe.Append(new BatchConsumed(offsets, tenants, values), done));
                    inFlight = done;
                    events++;
                }
            }
            inFlight.get();
            double writeSeconds = (System.nanoTime() - w0) / 1e9;
            writeSystem.terminate();
            writeSystem.getWhenTerminated().toCompletableFuture().get(1, TimeUnit.MINUTES);
            long samples = (long) numSeries * rounds;
            System.out.printf("journal written: %,d events, %,d records, %,d samples, %,d record bytes in %.1f s%n",
                    events, offset, samples, journalBytes, writeSeconds);
            labelBytes = null;
            System.gc();

            // 2. Recover it in a fresh actor system, as an ingester would.
            long r0 = System.nanoTime();
            ActorSystem<Void> replaySystem = ActorSystem.create(Behaviors.empty(), "bench", config(dir));
            CompletableFuture<ReplayProbe.Recovered> recovered = new CompletableFuture<>();
            replaySystem.systemActorOf(ReplayProbe.create(PERSISTENCE_ID, dir.resolve("tsdb"), blockRange, recovered),
                    "replayer", org.apache.pekko.actor.typed.Props.empty());
            ReplayProbe.Recovered state = recovered.get(2, TimeUnit.HOURS);
            double replaySeconds = (System.nanoTime() - r0) / 1e9;
            System.out.printf("journal replayed: %,d samples into %,d series in %.1f s = %,.0f samples/s "
                    + "(actor system start included; next offset %,d)%n",
                    samples, state.series, replaySeconds, samples / replaySeconds, state.nextOffset);

            // 3. The snapshot an ingester would take of that state, and restoring it.
            long s0 = System.nanoTime();
            io.mnemo.persistence.snapshot.PagedSnapshot snapshot = state.encodeSnapshot();
            double encodeSeconds = (System.nanoTime() - s0) / 1e9;
            replaySystem.terminate();
            replaySystem.getWhenTerminated().toCompletableFuture().get(1, TimeUnit.MINUTES);
            state = null;
            System.gc();
            long d0 = System.nanoTime();
            long restoredSeries = ReplayProbe.Recovered.restoreSnapshot(snapshot, dir.resolve("tsdb"), blockRange);
            double decodeSeconds = (System.nanoTime() - d0) / 1e9;
            System.out.printf("snapshot: %,d bytes encoded in %.1f s; restored %,d series in %.1f s = %,.0f samples/s%n",
                    snapshot.size(), encodeSeconds, restoredSeries, decodeSeconds, samples / decodeSeconds);
        } finally {
            if (args.length <= 2) {
                try (Stream<Path> files = Files.walk(dir)) {
                    files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
                }
            }
        }
    }

    static Config config(Path dir) {
        return ConfigFactory.parseString("""
                pekko.loglevel = WARNING
                pekko.actor.provider = local
                pekko.persistence.journal.plugin = "mnemo.persistence.journal"
                pekko.persistence.snapshot-store.plugin = "mnemo.persistence.snapshot-store"
                mnemo.persistence.journal.dir = "%s"
                mnemo.persistence.snapshot-store.dir = "%s"
                """.formatted(dir.resolve("journal"), dir.resolve("snapshots"))).withFallback(ConfigFactory.load());
    }

    /** Encodes ingest records as distributors write them: one sample per series, label strings pre-encoded. */
    static final class RecordBuilder {
        private final IngestRecordWriter writer = new IngestRecordWriter();
        private int[] refs = new int[32];

        /** Per series: its label strings' UTF-8 bytes (name, value, ...), and their hashes. */
        static byte[][][] encodeLabels(int numSeries) {
            byte[][][] out = new byte[numSeries][][];
            for (int s = 0; s < numSeries; s++) {
                List<Remote.Label> labels = SyntheticSeries.labels(s);
                out[s] = new byte[labels.size() * 2][];
                for (int i = 0; i < labels.size(); i++) {
                    out[s][2 * i] = labels.get(i).getName().getBytes(StandardCharsets.UTF_8);
                    out[s][2 * i + 1] = labels.get(i).getValue().getBytes(StandardCharsets.UTF_8);
                }
            }
            return out;
        }

        byte[] record(byte[][][] labels, int from, int to, int round) {
            writer.reset();
            long ts = T0 + round * STEP;
            for (int s = from; s < to; s++) {
                byte[][] kv = labels[s];
                if (refs.length < kv.length) refs = new int[kv.length];
                for (int i = 0; i < kv.length; i++) refs[i] = writer.symbol(kv[i], 0, kv[i].length, SeriesHasher.bytes(kv[i], 0, kv[i].length));
                writer.beginSeries();
                writer.labels(refs, kv.length);
                writer.sample(ts, Double.doubleToRawLongBits(SyntheticSeries.value(s, round, 15)));
                writer.endSeries();
            }
            return writer.toByteArray();
        }
    }
}
