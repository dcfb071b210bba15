package io.mnemo.persistence.journal;

import java.nio.file.Path;

/**
 * One append-only file of a persistence id's log, named (like Kafka's log segments) after the
 * sequence number of its first record, zero-padded to 20 digits so names sort numerically.
 */
record Segment(long baseSequenceNr, Path path) {

    static final String SUFFIX = ".log";

    static String fileName(long baseSequenceNr) {
        return String.format("%020d%s", baseSequenceNr, SUFFIX);
    }

    /** The segment a file name denotes, or null if the file is not a segment. */
    static Segment parse(Path path) {
        String name = path.getFileName().toString();
        if (name.length() != 20 + SUFFIX.length() || !name.endsWith(SUFFIX)) {
            return null;
        }
        for (int i = 0; i < 20; i++) {
            if (!Character.isDigit(name.charAt(i))) {
                return null;
            }
        }
        return new Segment(Long.parseLong(name, 0, 20, 10), path);
    }
}
