package io.mnemo.persistence.journal;

import io.mnemo.persistence.DurableFiles;
import io.mnemo.persistence.PersistenceIdDirectory;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import java.util.zip.CRC32C;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The write-ahead log of one persistence id: its directory of segments, the logical deletion point,
 * the list of segments it wrote (so that a segment deleted outside the journal is noticed) and the
 * cached highest sequence number.
 *
 * <p>Only the journal's writer thread appends and deletes; replays run on other threads and read
 * a snapshot of the segment list, bounded by the committed size of the last segment so they never
 * see a half-written frame. The log opens lazily: the first use scans the last segment, truncates
 * a torn tail and learns the highest sequence number. With {@code repair} on, the open first
 * verifies every segment and truncates the log at the first damage it finds.
 */
final class PersistenceIdLog {

    static final String DELETED_TO_FILE = "deleted-to";
    /** Base sequence numbers of the segments the log holds, as it last wrote them (format version 1). */
    static final String SEGMENT_LIST_FILE = "segments";
    private static final byte SEGMENT_LIST_VERSION = 1;

    private static final Logger log = LoggerFactory.getLogger(PersistenceIdLog.class);

    private final String persistenceId;
    private final Path root;
    private final Path dir;
    private final JournalSettings settings;
    private final JournalNotices notices;

    // All fields below are guarded by this.
    private boolean open;
    private final List<Segment> segments = new ArrayList<>();
    /** Committed bytes of the last segment: acknowledged frames end here. */
    private long lastSegmentSize;
    /** Write channel of the last segment, opened by the first append. */
    private FileChannel active;
    private long highestSequenceNr;
    private long deletedTo;
    /** What {@link #SEGMENT_LIST_FILE} on disk says; null when there is none (yet). */
    private List<Long> listed;
    /** Events the open found gone (for the notice), or null. */
    private String lost;

    PersistenceIdLog(String persistenceId, JournalSettings settings, JournalNotices notices) {
        this.persistenceId = persistenceId;
        this.root = settings.dir();
        this.dir = PersistenceIdDirectory.resolve(root, persistenceId);
        this.settings = settings;
        this.notices = notices;
    }

    String persistenceId() {
        return persistenceId;
    }

    synchronized long highestSequenceNr() throws IOException {
        ensureOpen();
        return highestSequenceNr;
    }

    synchronized long deletedTo() throws IOException {
        ensureOpen();
        return deletedTo;
    }

    /** Segment files currently on disk, oldest first. */
    synchronized List<Segment> segments() throws IOException {
        ensureOpen();
        return List.copyOf(segments);
    }

    // ---------------------------------------------------------------- recovery

    private void ensureOpen() throws IOException {
        if (open) {
            return;
        }
        segments.clear();
        lastSegmentSize = 0;
        highestSequenceNr = 0;
        deletedTo = 0;
        listed = null;
        lost = null;
        List<Long> missingAtEnd = List.of();
        boolean hadDirectory = Files.isDirectory(dir);
        if (hadDirectory) {
            PersistenceIdDirectory.verify(dir, persistenceId);
            segments.addAll(listSegments());
            deletedTo = readDeletedTo();
            listed = readSegmentList();
            missingAtEnd = checkListedSegments();
            if (settings.repair()) {
                repairBeforeLastSegment();
            }
            while (!segments.isEmpty()) {
                Segment last = segments.get(segments.size() - 1);
                long[] tail = recoverTail(last);
                if (tail[0] > 0) {
                    lastSegmentSize = tail[0];
                    highestSequenceNr = tail[1];
                    break;
                }
                // Nothing valid in it: created just before a crash, or holding only a torn frame.
                removeSegments(List.of(last));
            }
        }
        highestSequenceNr = Math.max(highestSequenceNr, deletedTo);
        if (!missingAtEnd.isEmpty()) {
            reportMissingAtEnd(missingAtEnd);
        }
        if (hadDirectory) {
            syncSegmentList(); // a list older than this feature, damaged, or naming what is gone
        }
        if (lost != null) {
            notices.put(new JournalNotices.Notice(persistenceId, JournalNotices.Kind.EVENTS_LOST, lost));
        } else if (highestSequenceNr == 0) {
            notices.put(new JournalNotices.Notice(persistenceId, JournalNotices.Kind.NO_LOG, null));
        }
        open = true;
    }

    private List<Segment> listSegments() throws IOException {
        List<Segment> found = new ArrayList<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
            for (Path f : files) {
                Segment s = Segment.parse(f);
                if (s != null) {
                    found.add(s);
                } else if (f.getFileName().toString().endsWith(DurableFiles.TEMP_SUFFIX)) {
                    Files.delete(f); // an atomic write the crash interrupted; its target is intact
                }
            }
        }
        found.sort(Comparator.comparingLong(Segment::baseSequenceNr));
        return found;
    }

    /**
     * Verifies every frame of the last segment. A bad frame that can only be the remains of the
     * last, unacknowledged write is truncated; any other bad frame fails the open.
     *
     * @return {valid size in bytes, last sequence nr (0 if none)}
     */
    private long[] recoverTail(Segment segment) throws IOException {
        long fileSize = Files.size(segment.path());
        long lastSeq = 0;
        try (SegmentReader reader = new SegmentReader(segment.path(), fileSize)) {
            while (true) {
                SegmentReader.Frame frame;
                try {
                    frame = reader.next();
                } catch (SegmentReader.BadFrameException bad) {
                    if (!isTornTail(reader, bad, lastSeq)) {
                        if (!settings.repair()) {
                            throw JournalCorruptedException.damaged(segment.path(), bad.offset, bad.getMessage());
                        }
                        truncateAtDamage(segment, reader, bad, lastSeq);
                        return new long[] {bad.offset, lastSeq};
                    }
                    log.warn("Truncating torn record at the tail of journal file {} at offset {} ({} bytes dropped, "
                            + "persistence id [{}]): {}", segment.path(), bad.offset, fileSize - bad.offset,
                            persistenceId, bad.getMessage());
                    try (FileChannel ch = FileChannel.open(segment.path(), StandardOpenOption.WRITE)) {
                        ch.truncate(bad.offset);
                        ch.force(true);
                    }
                    return new long[] {bad.offset, lastSeq};
                }
                if (frame == null) {
                    return new long[] {fileSize, lastSeq};
                }
                lastSeq = frame.lastSequenceNr;
            }
        }
    }

    /**
     * A crash during the last write can only leave garbage after the last good frame: a prefix of
     * the write, pages that never reached the disk (zeros, stale data) or a file extended with
     * nothing. So a bad frame is a torn tail exactly when no valid frame follows it; otherwise the
     * damage is in the middle and truncating would drop acknowledged events.
     */
    private static boolean isTornTail(SegmentReader reader, SegmentReader.BadFrameException bad, long lastSeq)
            throws IOException {
        return !reader.validFrameFollows(bad.offset + 1, lastSeq);
    }

    // ---------------------------------------------------------------- repair

    /**
     * Verifies every segment but the last (which {@link #recoverTail} checks) and, at the first bad
     * frame, truncates the log there. Segments before the last were forced before the next one was
     * started, so any bad frame in them is damage, never a torn write.
     */
    private void repairBeforeLastSegment() throws IOException {
        for (int i = 0; i < segments.size() - 1; i++) {
            Segment segment = segments.get(i);
            long lastSeq = 0;
            try (SegmentReader reader = new SegmentReader(segment.path(), Long.MAX_VALUE)) {
                while (true) {
                    SegmentReader.Frame frame;
                    try {
                        frame = reader.next();
                    } catch (SegmentReader.BadFrameException bad) {
                        truncateAtDamage(segment, reader, bad, lastSeq);
                        return;
                    }
                    if (frame == null) {
                        break;
                    }
                    lastSeq = frame.lastSequenceNr;
                }
            }
        }
    }

    /**
     * Cuts the log at a bad frame: deletes every later segment, newest first, then truncates the
     * damaged one. In that order a crash part-way leaves the damage in place to be found again,
     * never a later segment behind a hole (whose events would replay as if nothing were missing).
     * Empties the segment list after the damaged one; the caller re-reads the damaged one's tail.
     */
    private void truncateAtDamage(Segment segment, SegmentReader reader, SegmentReader.BadFrameException bad,
            long lastGoodSequenceNr) throws IOException {
        int index = segments.indexOf(segment);
        long droppedRecords = reader.countRecordsFrom(bad.offset + 1);
        long droppedBytes = reader.limit() - bad.offset;
        List<Segment> later = new ArrayList<>(segments.subList(index + 1, segments.size()));
        long[] dropped = measure(later);
        droppedBytes += dropped[0];
        droppedRecords += dropped[1];
        removeSegments(later);
        try (FileChannel ch = FileChannel.open(segment.path(), StandardOpenOption.WRITE)) {
            ch.truncate(bad.offset);
            ch.force(true);
        }
        long endsAt = lastGoodSequenceNr > 0 ? lastGoodSequenceNr : segment.baseSequenceNr() - 1;
        log.error("Repairing journal of persistence id [{}]: journal file {} is corrupt at offset {} ({}). "
                        + "Truncated it at that offset and deleted {} later segment(s): {} bytes and at least {} "
                        + "intact event(s) after the damage are dropped; the log now ends at sequence number {}.",
                persistenceId, segment.path(), bad.offset, bad.getMessage(), later.size(), droppedBytes,
                droppedRecords, endsAt);
        noteLost("journal file " + segment.path() + " was corrupt at offset " + bad.offset + " and --journal.repair "
                + "truncated the log there: the events after sequence number " + endsAt + " are gone");
    }

    /** {bytes, records} of whole segments about to be dropped. */
    private static long[] measure(List<Segment> dropped) throws IOException {
        long bytes = 0;
        long records = 0;
        for (Segment s : dropped) {
            long size = Files.size(s.path());
            try (SegmentReader r = new SegmentReader(s.path(), size)) {
                records += r.countRecordsFrom(0);
            }
            bytes += size;
        }
        return new long[] {bytes, records};
    }

    // ---------------------------------------------------------------- segment list

    /**
     * Compares the segment files with the list the log wrote. A listed segment whose file is gone
     * (and whose events were not all deleted anyway) was deleted outside the journal. Gone at the
     * end of the log, its events are simply no longer there: returned, to be reported once the log
     * knows where it now ends. Gone before a segment that remains, replaying the rest would skip its
     * events as if nothing were missing: the open fails, or with repair the later segments are
     * deleted so that the log ends before the hole.
     */
    private List<Long> checkListedSegments() throws IOException {
        if (listed == null) {
            return List.of();
        }
        Set<Long> present = new HashSet<>();
        segments.forEach(s -> present.add(s.baseSequenceNr()));
        List<Long> missing = new ArrayList<>();
        for (int i = 0; i < listed.size(); i++) {
            boolean allDeleted = i + 1 < listed.size() && listed.get(i + 1) - 1 <= deletedTo;
            if (!present.contains(listed.get(i)) && !allDeleted) {
                missing.add(listed.get(i));
            }
        }
        if (missing.isEmpty()) {
            return List.of();
        }
        long firstMissing = missing.get(0);
        List<Segment> later = segments.stream().filter(s -> s.baseSequenceNr() > firstMissing).toList();
        if (later.isEmpty()) {
            return missing;
        }
        Path file = dir.resolve(Segment.fileName(firstMissing));
        if (!settings.repair()) {
            throw JournalCorruptedException.missing(file, dir.resolve(SEGMENT_LIST_FILE), later.size());
        }
        long[] dropped = measure(later);
        removeSegments(later);
        log.error("Repairing journal of persistence id [{}]: journal file {} is missing (listed in {}, deleted outside "
                        + "Mnemo). Deleted the {} later segment(s): {} bytes and at least {} intact event(s) after it are "
                        + "dropped; the log now ends before sequence number {}.", persistenceId, file,
                dir.resolve(SEGMENT_LIST_FILE), later.size(), dropped[0], dropped[1], firstMissing);
        noteLost("journal file " + file + " was deleted outside Mnemo and --journal.repair dropped the segments after "
                + "it: the events from sequence number " + Math.max(firstMissing, deletedTo + 1) + " on are gone");
        return List.of(); // what is missing lies past the log's new end, and the ERROR said so
    }

    /** Segments listed but gone at the end of the log: their events are gone, the log goes on without them. */
    private void reportMissingAtEnd(List<Long> missing) {
        List<String> files = missing.stream().map(b -> dir.resolve(Segment.fileName(b)).toString()).toList();
        long goneFrom = Math.max(missing.get(0), deletedTo + 1);
        log.warn("Journal of persistence id [{}]: segment file(s) {} listed in {} are missing (deleted outside Mnemo): "
                        + "the events from sequence number {} on are gone, and the log continues after sequence number {}.",
                persistenceId, String.join(", ", files), dir.resolve(SEGMENT_LIST_FILE), goneFrom, highestSequenceNr);
        noteLost("journal file(s) " + String.join(", ", files) + " deleted outside Mnemo: the events from sequence "
                + "number " + goneFrom + " on are gone");
    }

    private void noteLost(String what) {
        lost = lost == null ? what : lost + "; " + what;
    }

    /**
     * Drops whole segments (newest first): off the segment list on disk first, then their files, so
     * that the list never names a file that was removed on purpose, whenever a crash comes.
     */
    private void removeSegments(List<Segment> gone) throws IOException {
        if (gone.isEmpty()) {
            return;
        }
        List<Segment> remaining = new ArrayList<>(segments);
        remaining.removeAll(gone);
        writeSegmentList(remaining);
        for (int i = gone.size() - 1; i >= 0; i--) {
            Files.deleteIfExists(gone.get(i).path());
        }
        DurableFiles.syncDirectory(dir);
        segments.removeAll(gone);
    }

    /** Writes the segment list when it does not name exactly the segments there are. */
    private void syncSegmentList() throws IOException {
        writeSegmentList(segments);
    }

    /**
     * {@link #SEGMENT_LIST_FILE}, written atomically: int8 version (1), int32 count, int64 base
     * sequence number × count (ascending), int32 CRC32C of everything before it.
     */
    private void writeSegmentList(List<Segment> list) throws IOException {
        List<Long> bases = list.stream().map(Segment::baseSequenceNr).toList();
        if (bases.equals(listed)) {
            return;
        }
        ByteBuffer b = ByteBuffer.allocate(1 + 4 + 8 * bases.size() + 4);
        b.put(SEGMENT_LIST_VERSION).putInt(bases.size());
        bases.forEach(b::putLong);
        CRC32C crc = new CRC32C();
        crc.update(b.array(), 0, b.position());
        b.putInt((int) crc.getValue());
        DurableFiles.writeAtomically(dir.resolve(SEGMENT_LIST_FILE), b.array());
        listed = bases;
    }

    /** The segment list on disk; null when there is none, or when it is damaged (then rewritten). */
    private List<Long> readSegmentList() throws IOException {
        Path file = dir.resolve(SEGMENT_LIST_FILE);
        if (!Files.exists(file)) {
            return null;
        }
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(file));
        String damage = null;
        List<Long> bases = new ArrayList<>();
        if (b.remaining() < 9) {
            damage = b.remaining() + " bytes";
        } else if (b.get(0) != SEGMENT_LIST_VERSION) {
            damage = "unknown format version " + b.get(0);
        } else {
            CRC32C crc = new CRC32C();
            crc.update(b.array(), 0, b.remaining() - 4);
            int count = b.getInt(1);
            if ((int) crc.getValue() != b.getInt(b.remaining() - 4)) {
                damage = "CRC32C mismatch";
            } else if (count < 0 || b.remaining() != 1 + 4 + 8L * count + 4) {
                damage = "expected " + count + " entries, found " + b.remaining() + " bytes";
            } else {
                b.position(5);
                for (int i = 0; i < count; i++) {
                    bases.add(b.getLong());
                }
            }
        }
        if (damage == null) {
            return bases;
        }
        // The list only serves to notice deleted segments; the events do not depend on it.
        log.warn("Journal of persistence id [{}]: segment list {} is damaged ({}); rewriting it from the segment files "
                + "there are (a segment deleted before now goes unnoticed)", persistenceId, file, damage);
        return null;
    }

    private long readDeletedTo() throws IOException {
        Path file = dir.resolve(DELETED_TO_FILE);
        if (!Files.exists(file)) {
            return 0;
        }
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(file));
        String damage = null;
        long value = 0;
        if (b.remaining() != 12) {
            damage = "expected 12 bytes, found " + b.remaining();
        } else {
            value = b.getLong();
            CRC32C crc = new CRC32C();
            crc.update(b.array(), 0, 8);
            if ((int) crc.getValue() != b.getInt()) {
                damage = "CRC32C mismatch";
            }
        }
        if (damage == null) {
            return value;
        }
        if (!settings.repair()) {
            throw JournalCorruptedException.damagedMarker(file, damage);
        }
        // Everything below the oldest segment was deleted for sure; events of that segment up to
        // the lost point may replay again, which is harmless as they are covered by a snapshot.
        long assumed = segments.isEmpty() ? 0 : segments.get(0).baseSequenceNr() - 1;
        log.error("Repairing journal of persistence id [{}]: deletion marker {} is corrupt ({}); assuming events "
                + "up to sequence number {} are deleted and rewriting it", persistenceId, file, damage, assumed);
        writeDeletedTo(assumed);
        return assumed;
    }

    private void writeDeletedTo(long value) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(12).putLong(value);
        CRC32C crc = new CRC32C();
        crc.update(b.array(), 0, 8);
        b.putInt((int) crc.getValue());
        DurableFiles.writeAtomically(dir.resolve(DELETED_TO_FILE), b.array());
    }

    // ---------------------------------------------------------------- writing (writer thread only)

    /**
     * Appends {@code frames} (ascending, all above the highest sequence nr) with one gathering write
     * per segment touched, rolling segments at the configured size. With {@code force}, the data is
     * on disk before this returns. On failure the log is rolled back to its previous end and will
     * re-scan on next use.
     */
    synchronized void append(List<FrameFormat.EncodedFrame> frames, boolean force) throws IOException {
        ensureOpen();
        if (frames.isEmpty()) {
            return;
        }
        int segmentsBefore = segments.size();
        long sizeBefore = lastSegmentSize;
        try {
            if (segments.isEmpty()) {
                PersistenceIdDirectory.create(root, persistenceId);
            }
            long size = lastSegmentSize;
            List<ByteBuffer> pending = new ArrayList<>();
            for (FrameFormat.EncodedFrame frame : frames) {
                boolean roll = !segments.isEmpty() && size > 0 && size + frame.size() > settings.segmentSize();
                if (segments.isEmpty() || roll) {
                    if (active != null) {
                        write(pending);
                        active.force(false); // a rolled segment is never written again: make it whole
                        active.close();
                        active = null;
                    }
                    Segment next = new Segment(frame.firstSequenceNr(),
                            dir.resolve(Segment.fileName(frame.firstSequenceNr())));
                    active = FileChannel.open(next.path(), StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
                    DurableFiles.syncDirectory(dir);
                    segments.add(next);
                    size = 0;
                } else if (active == null) {
                    active = FileChannel.open(segments.get(segments.size() - 1).path(), StandardOpenOption.WRITE);
                    active.position(size);
                }
                for (ByteBuffer b : frame.buffers()) {
                    pending.add(b);
                }
                size += frame.size();
            }
            write(pending);
            if (force) {
                active.force(false);
            }
            if (segments.size() != segmentsBefore) {
                // Listed only once it holds acknowledged frames: a crash before leaves an unlisted file, never a listed hole.
                syncSegmentList();
            }
            lastSegmentSize = size;
            highestSequenceNr = frames.get(frames.size() - 1).lastSequenceNr();
        } catch (IOException | RuntimeException e) {
            rollBack(segmentsBefore, sizeBefore, e);
            throw e;
        }
    }

    private void write(List<ByteBuffer> pending) throws IOException {
        if (!pending.isEmpty()) {
            DurableFiles.writeFully(active, pending.toArray(new ByteBuffer[0]));
            pending.clear();
        }
    }

    private void rollBack(int segmentsBefore, long sizeBefore, Exception cause) {
        try {
            closeActive();
            while (segments.size() > segmentsBefore) {
                Files.deleteIfExists(segments.remove(segments.size() - 1).path());
            }
            if (listed != null && Files.isDirectory(dir)) {
                writeSegmentList(segments); // in case the failure came after listing a new segment
            }
            if (segmentsBefore > 0) {
                try (FileChannel ch = FileChannel.open(segments.get(segmentsBefore - 1).path(),
                        StandardOpenOption.WRITE)) {
                    ch.truncate(sizeBefore);
                    ch.force(true);
                }
            }
        } catch (IOException | RuntimeException e) {
            cause.addSuppressed(e);
        }
        open = false; // re-scan from disk, whatever state the failure left behind
    }

    /** Forces written data of the last segment to disk (fsync-interval policy). */
    synchronized void force() throws IOException {
        if (active != null) {
            try {
                active.force(false);
            } catch (IOException e) {
                closeActive();
                open = false;
                throw e;
            }
        }
    }

    /**
     * Logically deletes records up to {@code toSequenceNr} (clamped to the highest sequence nr),
     * then removes every segment whose records all lie at or below the deletion point. The point is
     * recorded durably first, so the highest sequence nr survives even when every segment is gone.
     */
    synchronized void deleteTo(long toSequenceNr) throws IOException {
        ensureOpen();
        long target = Math.min(toSequenceNr, highestSequenceNr);
        if (target <= deletedTo) {
            return;
        }
        PersistenceIdDirectory.create(root, persistenceId);
        writeDeletedTo(target);
        deletedTo = target;

        int drop = 0;
        while (drop < segments.size()) {
            long end = drop + 1 < segments.size()
                    ? segments.get(drop + 1).baseSequenceNr() - 1
                    : highestSequenceNr;
            if (end > target) {
                break;
            }
            drop++;
        }
        if (drop == 0) {
            return;
        }
        if (drop == segments.size()) {
            closeActive();
            lastSegmentSize = 0;
        }
        removeSegments(new ArrayList<>(segments.subList(0, drop)));
    }

    // ---------------------------------------------------------------- replay (any thread)

    /**
     * Streams records with {@code fromSequenceNr <= seq <= toSequenceNr} that are not deleted, in
     * order, at most {@code max} of them. Any bad frame fails the replay with a
     * {@link JournalCorruptedException}.
     */
    void replay(long fromSequenceNr, long toSequenceNr, long max, Consumer<JournalRecord> consumer)
            throws IOException {
        List<Segment> view;
        long lastLimit;
        long start;
        synchronized (this) {
            ensureOpen();
            view = List.copyOf(segments);
            lastLimit = lastSegmentSize;
            start = Math.max(fromSequenceNr, deletedTo + 1);
        }
        if (start > toSequenceNr || max <= 0 || view.isEmpty()) {
            return;
        }
        int first = 0;
        for (int i = 0; i < view.size() && view.get(i).baseSequenceNr() <= start; i++) {
            first = i;
        }
        long delivered = 0;
        for (int i = first; i < view.size(); i++) {
            Segment segment = view.get(i);
            if (segment.baseSequenceNr() > toSequenceNr) {
                return;
            }
            long limit = i == view.size() - 1 ? lastLimit : Long.MAX_VALUE;
            try (SegmentReader reader = new SegmentReader(segment.path(), limit)) {
                SegmentReader.Frame frame;
                while ((frame = nextFrame(reader)) != null) {
                    if (frame.lastSequenceNr < start) {
                        continue;
                    }
                    FrameFormat.Cursor cursor = frame.cursor();
                    while (cursor.next()) {
                        long seq = cursor.sequenceNr();
                        if (seq < start) {
                            continue;
                        }
                        if (seq > toSequenceNr) {
                            return;
                        }
                        consumer.accept(cursor.record());
                        if (++delivered >= max) {
                            return;
                        }
                    }
                }
            } catch (NoSuchFileException e) {
                if (!deletedSince(segment)) {
                    throw e;
                }
                // removed by a concurrent deleteTo: its records are deleted, nothing to replay
            }
        }
    }

    private synchronized boolean deletedSince(Segment segment) {
        return !segments.contains(segment) && (segments.isEmpty()
                || segments.get(0).baseSequenceNr() > segment.baseSequenceNr());
    }

    private static SegmentReader.Frame nextFrame(SegmentReader reader) throws IOException {
        try {
            return reader.next();
        } catch (SegmentReader.BadFrameException bad) {
            throw JournalCorruptedException.damaged(reader.file(), bad.offset, bad.getMessage());
        }
    }

    // ---------------------------------------------------------------- lifecycle

    synchronized void close() {
        closeActive();
        open = false;
    }

    private void closeActive() {
        if (active != null) {
            try {
                active.close();
            } catch (IOException e) {
                log.warn("Failed to close journal segment of persistence id [{}]", persistenceId, e);
            }
            active = null;
        }
    }
}
