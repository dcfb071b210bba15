package io.mnemo.compactor;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * The compactor's settings, Mimir's {@code -compactor.*} flags in HOCON spelling:
 *
 * <pre>
 * mnemo.compactor {
 *   compaction-interval = 1h                   how often each owned tenant gets a compaction pass
 *   block-ranges = [2h, 12h, 24h]              the levels blocks are compacted into, ascending, each a
 *                                              multiple of the one before
 *   first-level-compaction-wait-period = 25m   a group holding a level-1 block (as ingesters ship them)
 *                                              uploaded more recently waits, so every zone's and
 *                                              partition's copy is in before it is merged; 0s: no wait
 *   deletion-delay = 12h                       how long a marked block stays readable before the cleaner
 *                                              deletes it (longer than queriers and store-gateways take
 *                                              to stop using it)
 *   cleanup-interval = 15m                     how often the cleaner runs: retention, deletions, tenant
 *                                              deletions, the bucket index
 *   data-dir = &lt;data-dir&gt;/compactor             where blocks are downloaded and merged
 *   partial-block-deletion-delay = 1d          a block directory without meta.json (an upload that
 *                                              died half-way) whose newest object is this old is
 *                                              marked for deletion and deleted; 0s: never
 * }
 * </pre>
 *
 * The per-tenant retention, {@code compactor_blocks_retention_period} (Mimir's limit; 0 keeps
 * forever), is a tenant limit, given to {@link BlocksCleaner} as a function of the tenant.
 */
public record CompactorConfig(Duration compactionInterval, List<Duration> blockRanges, Duration firstLevelCompactionWaitPeriod,
                              Duration deletionDelay, Duration cleanupInterval, Path dataDir,
                              Duration partialBlockDeletionDelay) {
    /** Mimir's default partial-block-deletion-delay. */
    public static final Duration DEFAULT_PARTIAL_BLOCK_DELETION_DELAY = Duration.ofDays(1);

    /** Mimir's defaults, with blocks merged under {@code dataDir}. */
    public static CompactorConfig defaults(Path dataDir) {
        return new CompactorConfig(Duration.ofHours(1), List.of(Duration.ofHours(2), Duration.ofHours(12), Duration.ofHours(24)),
                Duration.ofMinutes(25), Duration.ofHours(12), Duration.ofMinutes(15), dataDir);
    }

    /** With Mimir's default partial-block-deletion-delay (1d). */
    public CompactorConfig(Duration compactionInterval, List<Duration> blockRanges, Duration firstLevelCompactionWaitPeriod,
                           Duration deletionDelay, Duration cleanupInterval, Path dataDir) {
        this(compactionInterval, blockRanges, firstLevelCompactionWaitPeriod, deletionDelay, cleanupInterval, dataDir,
                DEFAULT_PARTIAL_BLOCK_DELETION_DELAY);
    }

    /**
     * @throws IllegalArgumentException naming the setting, for non-positive intervals or ranges,
     *     negative wait or delay, or ranges that are not ascending multiples of each other
     */
    public CompactorConfig {
        positive(compactionInterval, "compaction-interval");
        positive(cleanupInterval, "cleanup-interval");
        notNegative(firstLevelCompactionWaitPeriod, "first-level-compaction-wait-period");
        notNegative(deletionDelay, "deletion-delay");
        notNegative(partialBlockDeletionDelay, "partial-block-deletion-delay");
        if (dataDir == null) throw new IllegalArgumentException("mnemo.compactor.data-dir is not set");
        blockRanges = List.copyOf(blockRanges);
        if (blockRanges.isEmpty()) throw new IllegalArgumentException("mnemo.compactor.block-ranges is empty");
        for (int i = 0; i < blockRanges.size(); i++) {
            positive(blockRanges.get(i), "block-ranges");
            if (i > 0 && blockRanges.get(i).toMillis() % blockRanges.get(i - 1).toMillis() != 0) {
                throw new IllegalArgumentException("mnemo.compactor.block-ranges: " + blockRanges.get(i) + " is not a multiple of "
                        + blockRanges.get(i - 1) + " (each range must be a multiple of the one before)");
            }
            if (i > 0 && blockRanges.get(i).compareTo(blockRanges.get(i - 1)) <= 0) {
                throw new IllegalArgumentException("mnemo.compactor.block-ranges must ascend: " + blockRanges);
            }
        }
    }

    /** The block ranges in milliseconds, ascending. */
    public long[] blockRangesMillis() {
        return blockRanges.stream().mapToLong(Duration::toMillis).toArray();
    }

    private static void positive(Duration d, String name) {
        if (d == null || d.isNegative() || d.isZero()) throw new IllegalArgumentException("mnemo.compactor." + name + " must be positive: " + d);
    }

    private static void notNegative(Duration d, String name) {
        if (d == null || d.isNegative()) throw new IllegalArgumentException("mnemo.compactor." + name + " must not be negative: " + d);
    }
}
