package io.mnemo.persistence.journal;

import com.typesafe.config.Config;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Settings of a {@link SegmentJournal}, read from its plugin config section.
 *
 * @param dir root directory; one sub-directory per persistence id
 * @param segmentSize a segment is rolled once the next frame would take it past this size
 * @param maxFrameSize writes larger than this are rejected; several queued writes of one
 *     persistence id share a frame up to this size. Replay holds one frame in memory.
 * @param fsyncInterval null for {@code fsync = always} (force before acknowledging every batch);
 *     otherwise writes are acknowledged once in the page cache and forced at this interval
 * @param repair verify every segment when a persistence id's log opens, and truncate the log at
 *     the first damage instead of failing (the operator's {@code --journal.repair})
 */
record JournalSettings(Path dir, long segmentSize, int maxFrameSize, Duration fsyncInterval, boolean repair) {

    static JournalSettings from(Config config) {
        Path dir = Path.of(config.getString("dir"));
        long segmentSize = config.getBytes("segment-size");
        long maxFrame = config.getBytes("max-frame-size");
        if (segmentSize <= 0) {
            throw new IllegalArgumentException("segment-size must be positive, was " + segmentSize);
        }
        if (maxFrame <= FrameFormat.HEADER_BYTES || maxFrame > Integer.MAX_VALUE - FrameFormat.HEADER_BYTES) {
            throw new IllegalArgumentException("max-frame-size must be above 8 bytes and below 2GiB, was " + maxFrame);
        }
        Duration interval = null;
        if (!"always".equalsIgnoreCase(config.getString("fsync").trim())) {
            interval = config.getDuration("fsync");
            if (interval.isNegative() || interval.isZero()) {
                throw new IllegalArgumentException("fsync must be 'always' or a positive duration, was " + interval);
            }
        }
        return new JournalSettings(dir, segmentSize, (int) maxFrame, interval, config.getBoolean("repair"));
    }

    boolean fsyncAlways() {
        return fsyncInterval == null;
    }
}
