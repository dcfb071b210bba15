package io.mnemo.persistence.journal;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.mnemo.persistence.PersistenceTestKit;
import io.mnemo.persistence.TestEntity;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.pekko.actor.AbstractActor;
import org.apache.pekko.actor.ActorRef;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.actor.Props;
import org.apache.pekko.persistence.AtomicWrite;
import org.apache.pekko.persistence.JournalProtocol;
import org.apache.pekko.persistence.Persistence;
import org.apache.pekko.persistence.PersistentEnvelope;
import org.apache.pekko.persistence.PersistentRepr;
import org.apache.pekko.testkit.javadsl.TestKit;
import scala.jdk.javaapi.CollectionConverters;

/**
 * Measures how fast a persistence id's journal replays, which bounds how fast an ingester gets
 * back to ACTIVE after a restart. Not a JUnit test (surefire does not pick it up): run by hand,
 *
 * <pre>
 *   mvn -o -q -B -pl persistence test-compile dependency:build-classpath \
 *       -Dmdep.outputFile=target/test.classpath -Dmdep.includeScope=test
 *   java -cp persistence/target/test-classes:persistence/target/classes:$(cat persistence/target/test.classpath) \
 *       io.mnemo.persistence.journal.ReplayThroughput [events, default 4096] [payload bytes, default 65536] [dir]
 * </pre>
 *
 * <p>Writes the events through the journal actor (fsync = always, group commit), then replays
 * them (a) straight from the segment files (frame reads, CRC32C, record decoding: the journal's own
 * cost) and (b) through the journal actor as a recovering actor sees them (plus Pekko
 * deserialization with Kryo, and a message per event). Replays run on a warm page cache, so they
 * measure CPU cost rather than the disk.
 */
public final class ReplayThroughput {

    private static final String PID = "ingester|bench|0";
    private static final int WRITE_BATCH = 64;
    private static final int ROUNDS = 3;

    private ReplayThroughput() {
    }

    public static void main(String[] args) throws Exception {
        int events = args.length > 0 ? Integer.parseInt(args[0]) : 4096;
        int payloadBytes = args.length > 1 ? Integer.parseInt(args[1]) : 64 * 1024;
        Path dir = args.length > 2 ? Path.of(args[2]) : Files.createTempDirectory("mnemo-replay-throughput");
        Config config = PersistenceTestKit.config(dir, "pekko.loglevel = WARNING");

        ActorSystem system = ActorSystem.create("replay-throughput", config);
        try {
            ActorRef journal = Persistence.get(system).journalFor("mnemo.persistence.journal", ConfigFactory.empty());
            long start = System.nanoTime();
            write(system, journal, events, payloadBytes);
            report("write (fsync = always)", events, (long) events * payloadBytes, System.nanoTime() - start);
        } finally {
            TestKit.shutdownActorSystem(system);
        }
        System.out.printf("journal: %d events of %d bytes, %d MiB in %s%n", events, payloadBytes,
                directorySize(dir) >> 20, dir);

        JournalSettings settings = JournalSettings.from(config.getConfig("mnemo.persistence.journal"));
        for (int round = 1; round <= ROUNDS; round++) {
            PersistenceIdLog log = new PersistenceIdLog(PID, settings, new JournalNotices());
            long[] counted = new long[2];
            long start = System.nanoTime();
            log.replay(1, Long.MAX_VALUE, Long.MAX_VALUE, r -> {
                counted[0]++;
                counted[1] += r.event().bytes().length;
            });
            long nanos = System.nanoTime() - start;
            log.close();
            check(events, counted[0]);
            report("replay, segment files   #" + round, counted[0], counted[1], nanos);
        }

        for (int round = 1; round <= ROUNDS; round++) {
            system = ActorSystem.create("replay-throughput-" + round, config);
            try {
                ActorRef journal = Persistence.get(system).journalFor("mnemo.persistence.journal",
                        ConfigFactory.empty());
                CompletableFuture<long[]> done = new CompletableFuture<>();
                ActorRef counter = system.actorOf(Props.create(ReplayCounter.class, () -> new ReplayCounter(done)));
                long start = System.nanoTime();
                journal.tell(new JournalProtocol.ReplayMessages(1, Long.MAX_VALUE, Long.MAX_VALUE, PID, counter),
                        ActorRef.noSender());
                long[] counted = done.get(10, TimeUnit.MINUTES);
                long nanos = System.nanoTime() - start;
                check(events, counted[0]);
                report("replay, journal actor   #" + round, counted[0], counted[1], nanos);
            } finally {
                TestKit.shutdownActorSystem(system);
            }
        }
        if (args.length <= 2) {
            deleteRecursively(dir);
        }
    }

    private static void write(ActorSystem system, ActorRef journal, int events, int payloadBytes) {
        TestKit probe = new TestKit(system);
        Random random = new Random(42);
        long seq = 0;
        while (seq < events) {
            List<PersistentEnvelope> writes = new ArrayList<>();
            for (int i = 0; i < WRITE_BATCH && seq < events; i++) {
                byte[] data = new byte[payloadBytes];
                random.nextBytes(data);
                seq++;
                writes.add(AtomicWrite.apply(PersistentRepr.apply(new TestEntity.Appended(seq, data), seq, PID, "",
                        false, ActorRef.noSender(), "writer")));
            }
            journal.tell(new JournalProtocol.WriteMessages(CollectionConverters.asScala(writes).toSeq(),
                    probe.getRef(), 1), ActorRef.noSender());
            probe.expectMsg(Duration.ofMinutes(1), JournalProtocol.WriteMessagesSuccessful$.MODULE$);
            for (int i = 0; i < writes.size(); i++) {
                probe.expectMsgClass(Duration.ofMinutes(1), JournalProtocol.WriteMessageSuccess.class);
            }
        }
    }

    /** Stands in for a recovering actor: counts replayed events and their payload bytes. */
    static final class ReplayCounter extends AbstractActor {
        private final CompletableFuture<long[]> done;
        private long events;
        private long bytes;

        ReplayCounter(CompletableFuture<long[]> done) {
            this.done = done;
        }

        @Override
        public Receive createReceive() {
            return receiveBuilder()
                    .match(JournalProtocol.ReplayedMessage.class, m -> {
                        events++;
                        bytes += ((TestEntity.Appended) m.persistent().payload()).data().length;
                    })
                    .match(JournalProtocol.RecoverySuccess.class, m -> done.complete(new long[] {events, bytes}))
                    .match(JournalProtocol.ReplayMessagesFailure.class, m -> done.completeExceptionally(m.cause()))
                    .build();
        }
    }

    private static void check(long expected, long replayed) {
        if (expected != replayed) {
            throw new IllegalStateException("replayed " + replayed + " events, expected " + expected);
        }
    }

    private static void report(String what, long events, long bytes, long nanos) {
        double seconds = nanos / 1e9;
        System.out.printf("%-30s %8.3f s  %10.1f events/s  %8.1f MB/s%n", what, seconds, events / seconds,
                bytes / 1e6 / seconds);
    }

    private static long directorySize(Path dir) throws Exception {
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(Files::isRegularFile).mapToLong(f -> f.toFile().length()).sum();
        }
    }

    private static void deleteRecursively(Path dir) throws Exception {
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
