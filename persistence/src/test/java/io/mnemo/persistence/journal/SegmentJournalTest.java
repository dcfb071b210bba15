package io.mnemo.persistence.journal;

import static io.mnemo.persistence.PersistenceTestKit.TIMEOUT;
import static io.mnemo.persistence.PersistenceTestKit.appendAll;
import static io.mnemo.persistence.PersistenceTestKit.assertEvents;
import static io.mnemo.persistence.PersistenceTestKit.payloads;
import static io.mnemo.persistence.PersistenceTestKit.recover;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.typesafe.config.ConfigFactory;
import io.mnemo.persistence.PersistenceTestKit;
import io.mnemo.persistence.TestEntity;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.persistence.DeleteMessagesSuccess;
import org.apache.pekko.persistence.JournalProtocol;
import org.apache.pekko.persistence.Persistence;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.slf4j.LoggerFactory;

class SegmentJournalTest {

    private static final String PID = "ingester|zone-a|3";

    @TempDir
    Path data;

    private ActorTestKit kit;

    @AfterEach
    void stop() {
        if (kit != null) {
            kit.shutdownTestKit();
        }
    }

    /** Stops the current actor system (closing the journal) and starts a new one on the same directory. */
    private ActorTestKit restart(String overrides) {
        if (kit != null) {
            kit.shutdownTestKit();
        }
        kit = PersistenceTestKit.start(data, overrides);
        return kit;
    }

    /** A running entity and what it recovered. */
    private record Live(ActorRef<TestEntity.Command> ref, TestEntity.Recovered recovered) {
    }

    private Live live(String pid) {
        TestProbe<TestEntity.Report> reports = kit.createTestProbe(TestEntity.Report.class);
        ActorRef<TestEntity.Command> entity = kit.spawn(TestEntity.create(pid, reports.ref()));
        return new Live(entity, assertInstanceOf(TestEntity.Recovered.class, reports.receiveMessage(TIMEOUT)));
    }

    private ActorRef<TestEntity.Command> spawn(String pid) {
        return live(pid).ref();
    }

    @ParameterizedTest
    @ValueSource(strings = {"always", "20ms"})
    void recoversEveryEventWithItsBytesAfterRestart(String fsync) {
        String config = "mnemo.persistence.journal.fsync = " + fsync;
        restart(config);
        ActorRef<TestEntity.Command> entity = spawn(PID);
        List<byte[]> expected = new ArrayList<>();
        expected.add(new byte[0]);
        expected.addAll(payloads(40, 333, 1));
        expected.addAll(payloads(1, 2 * 1024 * 1024, 2)); // a fetched batch of several MB
        appendAll(kit, entity, expected);
        List<byte[]> atomic = payloads(3, 1000, 3);
        TestProbe<Long> ack = kit.createTestProbe(Long.class);
        entity.tell(new TestEntity.AppendAll(atomic, ack.ref()));
        assertEquals(expected.size() + 3L, ack.receiveMessage(TIMEOUT));
        expected.addAll(atomic);

        restart(config);
        TestEntity.Recovered recovered = recover(kit, PID);
        assertEvents(expected, 1, recovered.state().events());
        assertEquals(expected.size(), recovered.lastSequenceNr());
        assertTrue(Files.isDirectory(data.resolve("journal").resolve("ingester%7Czone-a%7C3")),
                "persistence id directory is the percent-encoded id");
    }

    @Test
    void interleavedWritesOfSeveralPartitionsStayApartAndOrdered() {
        restart("");
        Map<String, List<byte[]>> expected = new HashMap<>();
        Map<String, ActorRef<TestEntity.Command>> entities = new HashMap<>();
        for (int p = 0; p < 4; p++) {
            String pid = "ingester|zone-b|" + p;
            entities.put(pid, spawn(pid));
            expected.put(pid, payloads(30, 100 + p, 10 + p));
        }
        TestProbe<Long> acks = kit.createTestProbe(Long.class);
        for (int i = 0; i < 30; i++) { // interleave so group commits mix persistence ids
            for (var e : entities.entrySet()) {
                e.getValue().tell(new TestEntity.Append(expected.get(e.getKey()).get(i), acks.ref()));
            }
        }
        for (int i = 0; i < 120; i++) {
            acks.receiveMessage(TIMEOUT);
        }

        restart("");
        for (var e : expected.entrySet()) {
            assertEvents(e.getValue(), 1, recover(kit, e.getKey()).state().events());
        }
    }

    @Test
    void rollsSegmentsNamedByTheirFirstSequenceNumber() throws Exception {
        String config = "mnemo.persistence.journal.segment-size = 4KiB";
        restart(config);
        List<byte[]> expected = payloads(40, 1000, 4);
        appendAll(kit, spawn(PID), expected);

        List<Path> segments = JournalFiles.segments(data, PID);
        assertTrue(segments.size() >= 10, "expected rolling at 4KiB, got " + segments.size() + " segments");
        long next = 1;
        for (Path s : segments) {
            List<JournalFiles.FrameInfo> frames = JournalFiles.frames(s);
            assertEquals(String.format("%020d.log", frames.get(0).firstSequenceNr()), s.getFileName().toString());
            assertEquals(next, frames.get(0).firstSequenceNr(), "segments continue where the previous ended");
            assertTrue(Files.size(s) <= 4096, s + " exceeds the segment size: " + Files.size(s));
            next = frames.get(frames.size() - 1).lastSequenceNr() + 1;
        }
        assertEquals(41, next);

        restart(config);
        assertEvents(expected, 1, recover(kit, PID).state().events());
    }

    @Test
    void replayHonoursFromToAndMax() {
        restart("mnemo.persistence.journal.segment-size = 2KiB");
        appendAll(kit, spawn(PID), payloads(40, 300, 5));

        TestProbe<Object> probe = kit.createTestProbe(Object.class);
        journal().tell(new JournalProtocol.ReplayMessages(15, 30, 10, PID, Adapter.toClassic(probe.ref())),
                org.apache.pekko.actor.ActorRef.noSender());
        for (long seq = 15; seq < 25; seq++) {
            JournalProtocol.ReplayedMessage m = probe.expectMessageClass(JournalProtocol.ReplayedMessage.class, TIMEOUT);
            assertEquals(seq, m.persistent().sequenceNr());
            assertEquals(PID, m.persistent().persistenceId());
            assertEquals(seq, ((TestEntity.Appended) m.persistent().payload()).sequenceNr());
        }
        assertEquals(40, probe.expectMessageClass(JournalProtocol.RecoverySuccess.class, TIMEOUT).highestSequenceNr());
    }

    @Test
    void deletionReclaimsWholeSegmentsAndReplayResumesAfterTheDeletedRange() throws Exception {
        String config = "mnemo.persistence.journal.segment-size = 2KiB";
        restart(config);
        List<byte[]> payloads = payloads(40, 300, 6);
        appendAll(kit, spawn(PID), payloads);
        int before = JournalFiles.segments(data, PID).size();

        deleteTo(25);
        List<Path> remaining = JournalFiles.segments(data, PID);
        assertTrue(remaining.size() < before, "segments below the deletion point are removed");
        List<JournalFiles.FrameInfo> first = JournalFiles.frames(remaining.get(0));
        assertTrue(first.get(0).firstSequenceNr() <= 26, "the segment holding 26 is kept");
        assertTrue(first.get(first.size() - 1).lastSequenceNr() > 25, "no remaining segment is wholly deleted");

        restart(config);
        TestEntity.Recovered recovered = recover(kit, PID);
        assertEvents(payloads.subList(25, 40), 26, recovered.state().events());
        assertEquals(40, recovered.lastSequenceNr());

        // delete everything: the files go, the highest sequence number stays
        deleteTo(Long.MAX_VALUE);
        assertEquals(List.of(), JournalFiles.segments(data, PID));
        restart(config);
        Live empty = live(PID);
        assertEquals(List.of(), empty.recovered().state().events());
        assertEquals(40, empty.recovered().lastSequenceNr());
        List<byte[]> more = payloads(2, 300, 7);
        appendAll(kit, empty.ref(), more);

        restart(config);
        assertEvents(more, 41, recover(kit, PID).state().events());
    }

    private void deleteTo(long toSequenceNr) {
        TestProbe<Object> probe = kit.createTestProbe(Object.class);
        journal().tell(new JournalProtocol.DeleteMessagesTo(PID, toSequenceNr, Adapter.toClassic(probe.ref())),
                org.apache.pekko.actor.ActorRef.noSender());
        probe.expectMessageClass(DeleteMessagesSuccess.class, TIMEOUT);
    }

    private org.apache.pekko.actor.ActorRef journal() {
        return Persistence.get(Adapter.toClassic(kit.system()))
                .journalFor("mnemo.persistence.journal", ConfigFactory.empty());
    }

    @Test
    void tornTailIsTruncatedWithAWarningAndRecoveryContinues() throws Exception {
        restart("");
        List<byte[]> payloads = payloads(10, 500, 8);
        appendAll(kit, spawn(PID), payloads);
        kit.shutdownTestKit();
        kit = null;

        // a crash in the middle of writing frame 11: its header and part of its body made it
        Path segment = JournalFiles.segments(data, PID).get(0);
        long validSize = Files.size(segment);
        byte[] partial = new byte[8 + 200];
        ByteBuffer.wrap(partial).putInt(1200).putInt(0x12345678).put((byte) 1).putInt(1).putLong(11);
        JournalFiles.append(segment, partial);

        ListAppender<ILoggingEvent> logs = captureLogs();
        restart("");
        Live live = live(PID);
        releaseLogs(logs);
        assertEvents(payloads, 1, live.recovered().state().events());
        assertEquals(validSize, Files.size(segment), "torn bytes are truncated");
        assertTrue(logs.list.stream().anyMatch(e -> e.getLevel() == Level.WARN
                        && e.getFormattedMessage().contains(segment.toString())
                        && e.getFormattedMessage().contains("offset " + validSize)),
                "WARN names the file and offset: " + logs.list);

        // the log continues at the truncation point
        List<byte[]> more = payloads(5, 500, 9);
        appendAll(kit, live.ref(), more);
        restart("");
        List<byte[]> all = new ArrayList<>(payloads);
        all.addAll(more);
        assertEvents(all, 1, recover(kit, PID).state().events());
    }

    @Test
    void lastFrameWithBadChecksumIsTreatedAsTorn() throws Exception {
        restart("");
        List<byte[]> payloads = payloads(10, 500, 10);
        appendAll(kit, spawn(PID), payloads);
        kit.shutdownTestKit();
        kit = null;

        Path segment = JournalFiles.segments(data, PID).get(0);
        List<JournalFiles.FrameInfo> frames = JournalFiles.frames(segment);
        JournalFiles.FrameInfo last = frames.get(frames.size() - 1);
        JournalFiles.flipByte(segment, last.end() - 3); // a page of the last write never reached the disk

        restart("");
        TestEntity.Recovered recovered = recover(kit, PID);
        assertEvents(payloads.subList(0, 9), 1, recovered.state().events());
        assertEquals(last.offset(), Files.size(segment));
    }

    @Test
    void damageInTheMiddleOfTheLastSegmentFailsRecoveryNamingFileAndOffset() throws Exception {
        restart("");
        appendAll(kit, spawn(PID), payloads(10, 500, 11));
        kit.shutdownTestKit();
        kit = null;

        Path segment = JournalFiles.segments(data, PID).get(0);
        JournalFiles.FrameInfo third = JournalFiles.frames(segment).get(2);
        long size = Files.size(segment);
        JournalFiles.flipByte(segment, third.offset() + 100);

        assertRecoveryFailsAt(segment, third.offset());
        assertEquals(size, Files.size(segment), "nothing is truncated or skipped");
    }

    @Test
    void damagedLengthFieldIsNotMistakenForATornTail() throws Exception {
        restart("");
        appendAll(kit, spawn(PID), payloads(10, 500, 12));
        kit.shutdownTestKit();
        kit = null;

        // a length pointing past the end of file looks like a torn write, but valid frames follow
        Path segment = JournalFiles.segments(data, PID).get(0);
        JournalFiles.FrameInfo fourth = JournalFiles.frames(segment).get(3);
        long size = Files.size(segment);
        JournalFiles.writeInt(segment, fourth.offset(), 0x00FFFFFF);

        assertRecoveryFailsAt(segment, fourth.offset());
        assertEquals(size, Files.size(segment), "nothing is truncated or skipped");
    }

    @Test
    void damageInAnEarlierSegmentFailsReplayNamingFileAndOffset() throws Exception {
        String config = "mnemo.persistence.journal.segment-size = 2KiB";
        restart(config);
        appendAll(kit, spawn(PID), payloads(20, 300, 13));
        kit.shutdownTestKit();
        kit = null;

        List<Path> segments = JournalFiles.segments(data, PID);
        assertTrue(segments.size() > 2);
        Path damaged = segments.get(1);
        JournalFiles.FrameInfo second = JournalFiles.frames(damaged).get(1);
        JournalFiles.flipByte(damaged, second.offset() + 50);

        kit = PersistenceTestKit.start(data, config);
        assertRecoveryFailsAt(damaged, second.offset());
    }

    @Test
    void repairTruncatesTheLastSegmentAtTheDamageAndTheLogContinues() throws Exception {
        restart("");
        List<byte[]> payloads = payloads(10, 500, 15);
        appendAll(kit, spawn(PID), payloads);
        kit.shutdownTestKit();
        kit = null;

        Path segment = JournalFiles.segments(data, PID).get(0);
        JournalFiles.FrameInfo third = JournalFiles.frames(segment).get(2);
        JournalFiles.flipByte(segment, third.offset() + 100);

        String repair = "mnemo.persistence.journal.repair = on";
        ListAppender<ILoggingEvent> logs = captureLogs();
        restart(repair);
        Live live = live(PID);
        releaseLogs(logs);
        long kept = third.firstSequenceNr() - 1;
        assertEvents(payloads.subList(0, (int) kept), 1, live.recovered().state().events());
        assertEquals(kept, live.recovered().lastSequenceNr());
        assertEquals(third.offset(), Files.size(segment), "truncated at the damaged frame");
        assertRepairLogged(logs, segment, third.offset(), 0, 10 - third.lastSequenceNr());

        // the log continues right after what was kept, and needs no repair on the next start
        List<byte[]> more = payloads(4, 500, 16);
        appendAll(kit, live.ref(), more);
        restart("");
        TestEntity.Recovered recovered = recover(kit, PID);
        List<byte[]> all = new ArrayList<>(payloads.subList(0, (int) kept));
        all.addAll(more);
        assertEvents(all, 1, recovered.state().events());
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1})
    void repairTruncatesAtDamageInAnEarlierSegmentAndDeletesLaterSegments(int damagedFrame) throws Exception {
        String config = "mnemo.persistence.journal.segment-size = 2KiB";
        restart(config);
        List<byte[]> payloads = payloads(20, 300, 17);
        appendAll(kit, spawn(PID), payloads);
        kit.shutdownTestKit();
        kit = null;

        List<Path> segments = JournalFiles.segments(data, PID);
        assertTrue(segments.size() > 3, "expected several segments, got " + segments.size());
        Path damaged = segments.get(1);
        JournalFiles.FrameInfo frame = JournalFiles.frames(damaged).get(damagedFrame);
        JournalFiles.flipByte(damaged, frame.offset() + 50);

        String repair = config + "\nmnemo.persistence.journal.repair = on";
        ListAppender<ILoggingEvent> logs = captureLogs();
        restart(repair);
        TestEntity.Recovered recovered = recover(kit, PID);
        releaseLogs(logs);
        long kept = frame.firstSequenceNr() - 1;
        assertEvents(payloads.subList(0, (int) kept), 1, recovered.state().events());
        assertEquals(kept, recovered.lastSequenceNr());
        assertRepairLogged(logs, damaged, frame.offset(), segments.size() - 2, 20 - frame.lastSequenceNr());
        List<Path> expected = damagedFrame == 0
                ? List.of(segments.get(0)) // nothing valid was left in it: removed like an empty segment
                : List.of(segments.get(0), damaged);
        assertEquals(expected, JournalFiles.segments(data, PID), "later segments are deleted");

        // a second start with repair on finds nothing to repair
        logs = captureLogs();
        restart(repair);
        recovered = recover(kit, PID);
        releaseLogs(logs);
        assertEvents(payloads.subList(0, (int) kept), 1, recovered.state().events());
        assertTrue(logs.list.stream().noneMatch(e -> e.getLevel() == Level.ERROR), "no repair: " + logs.list);
    }

    @Test
    void repairRewritesACorruptDeletionMarker() throws Exception {
        String config = "mnemo.persistence.journal.segment-size = 2KiB";
        restart(config);
        List<byte[]> payloads = payloads(20, 300, 18);
        appendAll(kit, spawn(PID), payloads);
        deleteTo(9);
        kit.shutdownTestKit();
        kit = null;
        Path marker = JournalFiles.dir(data, PID).resolve(PersistenceIdLog.DELETED_TO_FILE);
        JournalFiles.flipByte(marker, 3);
        long oldestKept = JournalFiles.frames(JournalFiles.segments(data, PID).get(0)).get(0).firstSequenceNr();

        kit = PersistenceTestKit.start(data, config);
        TestProbe<TestEntity.Report> reports = kit.createTestProbe(TestEntity.Report.class);
        kit.spawn(TestEntity.create(PID, reports.ref()));
        TestEntity.RecoveryFailure failure =
                assertInstanceOf(TestEntity.RecoveryFailure.class, reports.receiveMessage(TIMEOUT));
        assertTrue(String.valueOf(failure.cause()).contains(marker.toString()), String.valueOf(failure.cause()));

        restart(config + "\nmnemo.persistence.journal.repair = on");
        TestEntity.Recovered recovered = recover(kit, PID);
        // events of the oldest segment come back: below it everything was deleted for sure
        assertEvents(payloads.subList((int) oldestKept - 1, 20), oldestKept, recovered.state().events());
        assertEquals(20, recovered.lastSequenceNr());
    }

    @Test
    void deletedLastSegmentsAreReportedAndTheLogContinuesBeforeThem() throws Exception {
        String config = "mnemo.persistence.journal.segment-size = 2KiB";
        restart(config);
        List<byte[]> payloads = payloads(20, 300, 19);
        appendAll(kit, spawn(PID), payloads);
        kit.shutdownTestKit();
        kit = null;

        List<Path> segments = JournalFiles.segments(data, PID);
        assertTrue(segments.size() > 3, "expected several segments, got " + segments.size());
        Path last = segments.get(segments.size() - 1);
        Path beforeLast = segments.get(segments.size() - 2);
        long goneFrom = JournalFiles.frames(beforeLast).get(0).firstSequenceNr();
        Files.delete(last);
        Files.delete(beforeLast);

        ListAppender<ILoggingEvent> logs = captureLogs();
        restart(config);
        Live live = live(PID);
        releaseLogs(logs);
        assertEvents(payloads.subList(0, (int) goneFrom - 1), 1, live.recovered().state().events());
        assertEquals(goneFrom - 1, live.recovered().lastSequenceNr());
        assertTrue(logs.list.stream().anyMatch(e -> e.getLevel() == Level.WARN
                        && e.getFormattedMessage().contains(beforeLast + ", " + last)
                        && e.getFormattedMessage().contains("events from sequence number " + goneFrom + " on are gone")),
                "WARN names the missing files and the events gone: " + logs.list);
        JournalNotices.Notice notice = JournalNotices.get(Adapter.toClassic(kit.system())).take(PID).orElseThrow();
        assertEquals(JournalNotices.Kind.EVENTS_LOST, notice.kind());
        assertTrue(notice.what().contains(last.toString()) && notice.what().contains("sequence number " + goneFrom),
                notice.what());

        // the log goes on after what is left, and the next start finds nothing missing
        List<byte[]> more = payloads(3, 300, 20);
        appendAll(kit, live.ref(), more);
        logs = captureLogs();
        restart(config);
        TestEntity.Recovered recovered = recover(kit, PID);
        releaseLogs(logs);
        List<byte[]> all = new ArrayList<>(payloads.subList(0, (int) goneFrom - 1));
        all.addAll(more);
        assertEvents(all, 1, recovered.state().events());
        assertTrue(logs.list.stream().noneMatch(e -> e.getLevel().isGreaterOrEqual(Level.WARN)), "nothing missing: " + logs.list);
        assertTrue(JournalNotices.get(Adapter.toClassic(kit.system())).take(PID).isEmpty());
    }

    @Test
    void deletedOnlySegmentIsReportedEvenAfterADeletion() throws Exception {
        restart("");
        appendAll(kit, spawn(PID), payloads(10, 300, 21));
        deleteTo(4);
        kit.shutdownTestKit();
        kit = null;
        Path only = JournalFiles.segments(data, PID).get(0);
        Files.delete(only);

        ListAppender<ILoggingEvent> logs = captureLogs();
        restart("");
        TestEntity.Recovered recovered = recover(kit, PID);
        releaseLogs(logs);
        assertEquals(List.of(), recovered.state().events());
        assertEquals(4, recovered.lastSequenceNr(), "the deletion point survives");
        assertTrue(logs.list.stream().anyMatch(e -> e.getLevel() == Level.WARN
                        && e.getFormattedMessage().contains(only.toString())
                        && e.getFormattedMessage().contains("events from sequence number 5 on are gone")),
                "events up to the deletion point were deleted anyway: " + logs.list);
    }

    @Test
    void deletedMiddleSegmentFailsRecoveryUntilRepairDropsTheSegmentsAfterIt() throws Exception {
        String config = "mnemo.persistence.journal.segment-size = 2KiB";
        restart(config);
        List<byte[]> payloads = payloads(20, 300, 22);
        appendAll(kit, spawn(PID), payloads);
        kit.shutdownTestKit();
        kit = null;

        List<Path> segments = JournalFiles.segments(data, PID);
        assertTrue(segments.size() > 3, "expected several segments, got " + segments.size());
        Path missing = segments.get(1);
        long gapFrom = JournalFiles.frames(missing).get(0).firstSequenceNr();
        Files.delete(missing);

        kit = PersistenceTestKit.start(data, config);
        assertRecoveryFailsMissing(missing);
        assertEquals(segments.size() - 1, JournalFiles.segments(data, PID).size(), "nothing is deleted or skipped");

        ListAppender<ILoggingEvent> logs = captureLogs();
        restart(config + "\nmnemo.persistence.journal.repair = on");
        TestEntity.Recovered recovered = recover(kit, PID);
        releaseLogs(logs);
        assertEvents(payloads.subList(0, (int) gapFrom - 1), 1, recovered.state().events());
        assertEquals(gapFrom - 1, recovered.lastSequenceNr());
        assertEquals(List.of(segments.get(0)), JournalFiles.segments(data, PID), "the segments after the gap are deleted");
        assertTrue(logs.list.stream().anyMatch(e -> e.getLevel() == Level.ERROR
                        && e.getFormattedMessage().contains(missing + " is missing")
                        && e.getFormattedMessage().contains("Deleted the " + (segments.size() - 2) + " later segment(s)")),
                "ERROR names the missing file and what was dropped: " + logs.list);
        assertEquals(JournalNotices.Kind.EVENTS_LOST,
                JournalNotices.get(Adapter.toClassic(kit.system())).take(PID).orElseThrow().kind());
    }

    @Test
    void aLogWithoutSegmentListGetsOneAndAnEmptyLogSaysSo() throws Exception {
        String config = "mnemo.persistence.journal.segment-size = 2KiB";
        restart(config);
        assertEquals(JournalNotices.Kind.NO_LOG, recoverAndTakeNotice().kind());
        appendAll(kit, spawn(PID), payloads(20, 300, 23));
        kit.shutdownTestKit();
        kit = null;
        Path list = JournalFiles.dir(data, PID).resolve(PersistenceIdLog.SEGMENT_LIST_FILE);
        Files.delete(list); // as a journal written before the list existed

        restart(config);
        assertEquals(20, recover(kit, PID).lastSequenceNr());
        assertTrue(Files.exists(list), "written on open");
        kit.shutdownTestKit();
        kit = null;
        List<Path> segments = JournalFiles.segments(data, PID);
        Files.delete(segments.get(1));
        kit = PersistenceTestKit.start(data, config);
        assertRecoveryFailsMissing(segments.get(1));
    }

    @Test
    void aDamagedSegmentListIsRewrittenWithAWarning() throws Exception {
        String config = "mnemo.persistence.journal.segment-size = 2KiB";
        restart(config);
        List<byte[]> payloads = payloads(20, 300, 24);
        appendAll(kit, spawn(PID), payloads);
        kit.shutdownTestKit();
        kit = null;
        Path list = JournalFiles.dir(data, PID).resolve(PersistenceIdLog.SEGMENT_LIST_FILE);
        JournalFiles.flipByte(list, 7);

        ListAppender<ILoggingEvent> logs = captureLogs();
        restart(config);
        assertEvents(payloads, 1, recover(kit, PID).state().events());
        releaseLogs(logs);
        assertTrue(logs.list.stream().anyMatch(e -> e.getLevel() == Level.WARN
                && e.getFormattedMessage().contains(list + " is damaged")), "WARN names the list: " + logs.list);
        kit.shutdownTestKit();
        kit = null;
        List<Path> segments = JournalFiles.segments(data, PID);
        Files.delete(segments.get(2));
        kit = PersistenceTestKit.start(data, config);
        assertRecoveryFailsMissing(segments.get(2)); // the rewritten list serves again
    }

    private JournalNotices.Notice recoverAndTakeNotice() {
        recover(kit, PID);
        return JournalNotices.get(Adapter.toClassic(kit.system())).take(PID).orElseThrow();
    }

    private static void assertRepairLogged(ListAppender<ILoggingEvent> logs, Path file, long offset,
            int laterSegments, long intactEventsDropped) {
        assertTrue(logs.list.stream().anyMatch(e -> e.getLevel() == Level.ERROR
                        && e.getFormattedMessage().contains(file.toString())
                        && e.getFormattedMessage().contains("offset " + offset)
                        && e.getFormattedMessage().contains("deleted " + laterSegments + " later segment(s)")
                        && e.getFormattedMessage().contains("at least " + intactEventsDropped + " intact event(s)")),
                "ERROR names file, offset and what was dropped: " + logs.list);
    }

    /** Recovery fails naming the missing segment file and the remedy. */
    private void assertRecoveryFailsMissing(Path file) {
        JournalCorruptedException missing = recoveryFailure();
        assertEquals(file, missing.file());
        assertTrue(missing.fileMissing());
        assertTrue(missing.getMessage().contains(file + " is missing")
                && missing.getMessage().contains("--journal.repair"), missing.getMessage());
    }

    private void assertRecoveryFailsAt(Path file, long offset) {
        JournalCorruptedException corrupted = recoveryFailure();
        assertEquals(file, corrupted.file());
        assertEquals(offset, corrupted.offset());
        assertTrue(corrupted.getMessage().contains(file.toString())
                && corrupted.getMessage().contains("offset " + offset)
                && corrupted.getMessage().contains("--journal.repair"), corrupted.getMessage());
    }

    private JournalCorruptedException recoveryFailure() {
        if (kit == null) {
            kit = PersistenceTestKit.start(data, "");
        }
        TestProbe<TestEntity.Report> reports = kit.createTestProbe(TestEntity.Report.class);
        kit.spawn(TestEntity.create(PID, reports.ref()));
        TestEntity.RecoveryFailure failure =
                assertInstanceOf(TestEntity.RecoveryFailure.class, reports.receiveMessage(TIMEOUT));
        Throwable t = failure.cause();
        while (t != null && !(t instanceof JournalCorruptedException)) {
            t = t.getCause();
        }
        return assertInstanceOf(JournalCorruptedException.class, t, "cause chain: " + failure.cause());
    }

    @Test
    void eventLargerThanMaxFrameSizeIsRejectedAndNotStored() {
        String config = "mnemo.persistence.journal.max-frame-size = 4KiB";
        restart(config);
        ActorRef<TestEntity.Command> entity = spawn(PID);
        List<byte[]> stored = payloads(3, 1000, 14);
        appendAll(kit, entity, stored);
        TestProbe<Object> watcher = kit.createTestProbe(Object.class);
        entity.tell(new TestEntity.Append(new byte[8192], kit.createTestProbe(Long.class).ref()));
        watcher.expectTerminated(entity, TIMEOUT); // a rejected persist stops an EventSourcedBehavior

        restart(config);
        TestEntity.Recovered recovered = recover(kit, PID);
        assertEvents(stored, 1, recovered.state().events());
        assertFalse(recovered.lastSequenceNr() > 3);
    }

    private static void releaseLogs(ListAppender<ILoggingEvent> appender) {
        ((Logger) LoggerFactory.getLogger(PersistenceIdLog.class)).detachAppender(appender);
    }

    private static ListAppender<ILoggingEvent> captureLogs() {
        Logger logger = (Logger) LoggerFactory.getLogger(PersistenceIdLog.class);
        ListAppender<ILoggingEvent> appender = new ListAppender<>();
        appender.start();
        logger.addAppender(appender);
        return appender;
    }
}
