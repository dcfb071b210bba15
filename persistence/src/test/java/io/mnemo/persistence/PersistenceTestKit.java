package io.mnemo.persistence;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;

/** Starts actor systems on the Mnemo plugins with a given data directory, and drives {@link TestEntity}. */
public final class PersistenceTestKit {

    public static final Duration TIMEOUT = Duration.ofSeconds(20);
    private static final AtomicInteger systems = new AtomicInteger();

    private PersistenceTestKit() {
    }

    /** Plugins selected as the server does; {@code overrides} (HOCON) win. */
    public static Config config(Path dataDir, String overrides) {
        return ConfigFactory.parseString(overrides)
                .withFallback(ConfigFactory.parseString(String.join("\n",
                        "pekko.persistence.journal.plugin = \"mnemo.persistence.journal\"",
                        "pekko.persistence.snapshot-store.plugin = \"mnemo.persistence.snapshot-store\"",
                        "mnemo.persistence.journal.dir = \"" + dataDir.resolve("journal") + "\"",
                        "mnemo.persistence.snapshot-store.dir = \"" + dataDir.resolve("snapshots") + "\"",
                        "pekko.loggers = [\"org.apache.pekko.event.slf4j.Slf4jLogger\"]",
                        "pekko.logging-filter = \"org.apache.pekko.event.slf4j.Slf4jLoggingFilter\"",
                        "pekko.loglevel = WARNING")))
                .withFallback(ConfigFactory.load())
                .resolve();
    }

    public static ActorTestKit start(Path dataDir, String overrides) {
        return ActorTestKit.create("persistence-test-" + systems.incrementAndGet(), config(dataDir, overrides));
    }

    public static ActorTestKit start(Path dataDir) {
        return start(dataDir, "");
    }

    /** Appends each payload as its own event and waits for every acknowledgement. */
    public static void appendAll(ActorTestKit kit, ActorRef<TestEntity.Command> entity, List<byte[]> payloads) {
        TestProbe<Long> acks = kit.createTestProbe(Long.class);
        for (byte[] p : payloads) {
            entity.tell(new TestEntity.Append(p, acks.ref()));
        }
        for (int i = 0; i < payloads.size(); i++) {
            acks.expectMessageClass(Long.class, TIMEOUT);
        }
    }

    /** Spawns {@code persistenceId} and returns its state once recovered. */
    public static TestEntity.Recovered recover(ActorTestKit kit, String persistenceId) {
        TestProbe<TestEntity.Report> reports = kit.createTestProbe(TestEntity.Report.class);
        kit.spawn(TestEntity.create(persistenceId, reports.ref()));
        return assertInstanceOf(TestEntity.Recovered.class, reports.receiveMessage(TIMEOUT));
    }

    /** Asserts {@code events} hold exactly {@code payloads}, in order, numbered from {@code firstSequenceNr}. */
    public static void assertEvents(List<byte[]> payloads, long firstSequenceNr, List<TestEntity.Appended> events) {
        assertEquals(payloads.size(), events.size(), "event count");
        for (int i = 0; i < payloads.size(); i++) {
            assertEquals(firstSequenceNr + i, events.get(i).sequenceNr(), "sequence number of event " + i);
            assertArrayEquals(payloads.get(i), events.get(i).data(), "payload of event " + i);
        }
    }

    /** {@code n} payloads of pseudo-random content and the given size, distinct per {@code seed}. */
    public static List<byte[]> payloads(int n, int size, long seed) {
        java.util.Random r = new java.util.Random(seed);
        java.util.ArrayList<byte[]> out = new java.util.ArrayList<>();
        for (int i = 0; i < n; i++) {
            byte[] b = new byte[size];
            r.nextBytes(b);
            out.add(b);
        }
        return out;
    }
}
