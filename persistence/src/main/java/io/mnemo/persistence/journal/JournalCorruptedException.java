package io.mnemo.persistence.journal;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A segment holds bytes that are not a valid frame somewhere other than its torn tail. Recovery
 * stops instead of skipping records, because skipping would silently rebuild a wrong state.
 */
public final class JournalCorruptedException extends IOException {

    private final Path file;
    private final long offset;

    JournalCorruptedException(Path file, long offset, String reason) {
        super("journal file " + file + " is corrupt at offset " + offset + ": " + reason
                + ". Refusing to skip records; restore the file from a backup, or restart with "
                + "mnemo.persistence.journal.repair = on (the server's --journal.repair) to truncate the log at "
                + "offset " + offset + ", dropping every later event of this persistence id.");
        this.file = file;
        this.offset = offset;
    }

    /** The damaged file. */
    public Path file() {
        return file;
    }

    /** Byte offset of the first damaged frame in {@link #file()}. */
    public long offset() {
        return offset;
    }
}
