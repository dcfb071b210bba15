package io.mnemo.persistence.journal;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A persistence id's log cannot be replayed as it is: a segment holds bytes that are not a valid
 * frame somewhere other than its torn tail, or a segment is missing while later ones are there.
 * Recovery stops instead of skipping records, because skipping would silently rebuild a wrong
 * state. The message names the file, the offset, the damage and the remedy.
 */
public final class JournalCorruptedException extends IOException {

    private static final String REMEDY_DOC = "see persistence/README.md, \"Startup and damage\"";

    private final Path file;
    private final long offset;
    private final String damage;

    private JournalCorruptedException(Path file, long offset, String damage, String message) {
        super(message);
        this.file = file;
        this.offset = offset;
        this.damage = damage;
    }

    /** Bytes at {@code offset} of {@code file} are not a valid frame, and valid frames follow. */
    static JournalCorruptedException damaged(Path file, long offset, String reason) {
        return new JournalCorruptedException(file, offset, reason, "journal file " + file + " is corrupt at offset "
                + offset + ": " + reason + ". Nothing was skipped or changed. To start anyway, restart with "
                + "--journal.repair (mnemo.persistence.journal.repair = on): it truncates the log at offset " + offset
                + ", dropping every later event of this persistence id (an ingester consumes them again from Kafka); "
                + "or restore the file from a backup (" + REMEDY_DOC + ").");
    }

    /** The deletion marker {@code file} does not hold a valid deletion point. */
    static JournalCorruptedException damagedMarker(Path file, String reason) {
        return new JournalCorruptedException(file, 0, reason, "journal deletion marker " + file + " is corrupt: "
                + reason + ". Nothing was skipped or changed. To start anyway, restart with --journal.repair "
                + "(mnemo.persistence.journal.repair = on): it rewrites the marker as \"everything below the oldest "
                + "segment is deleted\" (" + REMEDY_DOC + ").");
    }

    /** {@code file}, listed in the log's segment list, is gone while later segments remain. */
    static JournalCorruptedException missing(Path file, Path segmentList, int laterSegments) {
        return new JournalCorruptedException(file, -1, "deleted outside Mnemo", "journal file " + file
                + " is missing: it is listed in " + segmentList + " and " + laterSegments + " later segment(s) "
                + "remain, so replaying them would skip its events. It was deleted outside Mnemo. Nothing was "
                + "skipped or changed. To start anyway, restart with --journal.repair "
                + "(mnemo.persistence.journal.repair = on): it deletes the later segments, so the log ends before "
                + "the missing one (an ingester consumes the rest again from Kafka); or restore the file from a "
                + "backup (" + REMEDY_DOC + ").");
    }

    /** The damaged (or missing) file. */
    public Path file() {
        return file;
    }

    /** Byte offset of the first damaged frame in {@link #file()}; -1 for a missing file. */
    public long offset() {
        return offset;
    }

    /** The file is not there at all (deleted outside Mnemo). */
    public boolean fileMissing() {
        return offset < 0;
    }

    /** What is wrong there, in a few words (e.g. the CRC mismatch). */
    public String damage() {
        return damage;
    }
}
