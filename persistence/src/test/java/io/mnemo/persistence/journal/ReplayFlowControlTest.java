package io.mnemo.persistence.journal;

import static io.mnemo.persistence.PersistenceTestKit.TIMEOUT;
import static io.mnemo.persistence.PersistenceTestKit.appendAll;
import static io.mnemo.persistence.PersistenceTestKit.payloads;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.mnemo.persistence.PersistenceTestKit;
import io.mnemo.persistence.TestEntity;
import java.nio.file.Path;
import java.time.Duration;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.persistence.JournalProtocol;
import org.apache.pekko.persistence.Persistence;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A registered replay is paced by its entity's acknowledgements; others replay unpaced. */
class ReplayFlowControlTest {
    private static final String PID = "ingester|zone-a|1";
    private static final Duration QUIET = Duration.ofMillis(300);

    @TempDir
    Path data;

    private ActorTestKit kit;

    @AfterEach
    void stop() {
        if (kit != null) kit.shutdownTestKit();
    }

    private TestProbe<Object> replay() {
        TestProbe<Object> probe = kit.createTestProbe(Object.class);
        Persistence.get(Adapter.toClassic(kit.system())).journalFor("mnemo.persistence.journal", ConfigFactory.empty())
                .tell(new JournalProtocol.ReplayMessages(1, Long.MAX_VALUE, Long.MAX_VALUE, PID, Adapter.toClassic(probe.ref())),
                        org.apache.pekko.actor.ActorRef.noSender());
        return probe;
    }

    private static long seq(TestProbe<Object> probe) {
        return probe.expectMessageClass(JournalProtocol.ReplayedMessage.class, TIMEOUT).persistent().sequenceNr();
    }

    @Test
    void replayWaitsForTheEntityOnceItsBudgetIsDelivered() {
        kit = PersistenceTestKit.start(data);
        appendAll(kit, kit.spawn(TestEntity.create(PID, kit.createTestProbe(TestEntity.Report.class).ref())),
                payloads(10, 1000, 3));
        ReplayFlowControl flow = ReplayFlowControl.get(Adapter.toClassic(kit.system()));
        flow.register(PID, 2500); // two events of ~1 KB fit, a third does not

        TestProbe<Object> probe = replay();
        assertEquals(1, seq(probe));
        assertEquals(2, seq(probe));
        probe.expectNoMessage(QUIET); // the journal waits for the entity
        flow.applied(PID);
        assertEquals(3, seq(probe));
        probe.expectNoMessage(QUIET);
        flow.applied(PID);
        flow.applied(PID);
        assertEquals(4, seq(probe));
        assertEquals(5, seq(probe));
        probe.expectNoMessage(QUIET);
        flow.unregister(PID); // recovery over: the rest goes unpaced
        for (long s = 6; s <= 10; s++) assertEquals(s, seq(probe));
        assertEquals(10, probe.expectMessageClass(JournalProtocol.RecoverySuccess.class, TIMEOUT).highestSequenceNr());
    }

    @Test
    void unregisteredReplaysAreNotPaced() {
        kit = PersistenceTestKit.start(data);
        appendAll(kit, kit.spawn(TestEntity.create(PID, kit.createTestProbe(TestEntity.Report.class).ref())),
                payloads(10, 1000, 4));
        TestProbe<Object> probe = replay();
        for (long s = 1; s <= 10; s++) assertEquals(s, seq(probe));
        assertTrue(probe.expectMessageClass(JournalProtocol.RecoverySuccess.class, TIMEOUT).highestSequenceNr() == 10);
    }
}
