package io.mnemo.actors.ingester;

import static org.junit.jupiter.api.Assertions.*;

import io.mnemo.cluster.IngesterId;
import io.mnemo.persistence.journal.JournalNotices;
import io.mnemo.persistence.journal.JournalNotices.Kind;
import org.junit.jupiter.api.Test;

class ResumeCheckTest {
    static final IngesterId ID = new IngesterId("zone-a", 3);
    static final String DELETED = "journal file(s) /data/journal/x/00000000000000000022.log deleted outside Mnemo: "
            + "the events from sequence number 22 on are gone";

    static ResumeCheck check(long resumeAt, long earliest, long end, String lacks, boolean holdsData) {
        return new ResumeCheck(ID, "mnemo-ingest", resumeAt, earliest, end, lacks, holdsData);
    }

    @Test
    void recordsKafkaDeletedWhileTheJournalLackedThemAreALossNamingTheRangeTheCauseAndTheRemedy() {
        ResumeCheck c = check(21, 40, 40, DELETED, true);
        assertTrue(c.lost());
        assertEquals(19, c.lostRecords());
        assertNull(c.rebuildReport());
        assertTrue(c.lossReport().contains("DATA LOSS: Kafka offsets [21, 40) (19 records)"), c.lossReport());
        assertTrue(c.lossReport().contains(DELETED) && c.lossReport().contains("partition 3 of mnemo-ingest now starts at offset 40")
                && c.lossReport().contains("POST /ingester/accept-data-loss?id=zone-a/3"), c.lossReport());
        assertTrue(c.lossProblem().startsWith("ingester zone-a/3 lost Kafka offsets [21, 40) (19 records): " + DELETED),
                c.lossProblem());
        assertTrue(c.lossProblem().endsWith("accept the loss with POST /ingester/accept-data-loss?id=zone-a/3"), c.lossProblem());
    }

    @Test
    void aLossWithAnIntactJournalOrNothingOnDiskSaysSo() {
        assertTrue(check(21, 40, 50, null, true).lossProblem().contains("what it holds ends at offset 20"));
        assertTrue(check(0, 40, 50, null, false).lossProblem().contains("this node holds no journal, snapshot or blocks of it"));
    }

    @Test
    void whatTheJournalLackedAndKafkaHoldsIsRebuiltWithAWarning() {
        ResumeCheck c = check(21, 0, 40, DELETED, true);
        assertFalse(c.lost());
        assertFalse(c.behind());
        assertEquals("Ingester zone-a/3: " + DELETED + "; rebuilding Kafka offsets [21, 40) (19 records) from Kafka",
                c.rebuildReport());
        assertNull(check(21, 0, 40, null, true).rebuildReport(), "an intact journal resuming is not news");
        assertFalse(check(21, 21, 40, null, true).lost(), "Kafka still holds the resume offset");
    }

    @Test
    void kafkaEndingBeforeTheResumeOffsetIsReported() {
        ResumeCheck c = check(21, 0, 5, null, true);
        assertTrue(c.behind());
        assertFalse(c.lost());
        assertTrue(c.behindReport().contains("ends at offset 5, before offset 21"), c.behindReport());
    }

    @Test
    void theJournalLacksWhatItsOpenFoundOrAllOfItWhenASnapshotOrBlocksShowThereWasOne() {
        assertEquals(DELETED, ResumeCheck.journalLacks(new JournalNotices.Notice("p", Kind.EVENTS_LOST, DELETED), false, false));
        JournalNotices.Notice none = new JournalNotices.Notice("p", Kind.NO_LOG, null);
        assertNull(ResumeCheck.journalLacks(none, false, false), "a new ingester lacks nothing");
        assertTrue(ResumeCheck.journalLacks(none, true, false).contains("its journal is gone"));
        assertTrue(ResumeCheck.journalLacks(none, false, true).contains("blocks show it had one"));
        assertNull(ResumeCheck.journalLacks(null, true, true), "the journal opened clean");
    }
}
