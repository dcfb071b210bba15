package io.mnemo.compactor;

import java.util.concurrent.atomic.AtomicLong;

/**
 * What the compactor counts (after Mimir's {@code cortex_compactor_*} metrics); the node wires it
 * to its metrics registry. Calls come from the compactor's threads, concurrently.
 */
public interface CompactorMetrics {
    /** Why blocks were marked for deletion (Mimir's {@code reason} label). */
    String COMPACTION = "compaction";
    String RETENTION = "retention";
    String PARTIAL = "partial";

    /** A compaction pass over a tenant ran ({@code cortex_compactor_runs_started_total}). */
    void compactionRun();

    /** A compaction pass, or a group in it, failed and is tried again at the next pass ({@code cortex_compactor_runs_failed_total}). */
    void compactionFailed();

    /** A cleanup of a tenant ran ({@code cortex_compactor_block_cleanup_started_total}). */
    void cleanupRun();

    /** A cleanup of a tenant, or a block deletion in it, failed ({@code cortex_compactor_block_cleanup_failed_total}). */
    void cleanupFailed();

    /** Blocks got a deletion mark, for {@link #COMPACTION}, {@link #RETENTION} or {@link #PARTIAL} ({@code cortex_compactor_blocks_marked_for_deletion_total}). */
    void blocksMarkedForDeletion(String reason, int blocks);

    /** Blocks were deleted from the bucket ({@code cortex_compactor_blocks_cleaned_total}). */
    void blocksDeleted(int blocks);

    /** A block got a no-compact mark ({@code cortex_compactor_blocks_marked_for_no_compaction_total}). */
    void blockMarkedNoCompact();

    /** Counts in memory: for tests, and for a node that reads them into its own registry. */
    final class Counting implements CompactorMetrics {
        public final AtomicLong compactionRuns = new AtomicLong();
        public final AtomicLong compactionFailures = new AtomicLong();
        public final AtomicLong cleanupRuns = new AtomicLong();
        public final AtomicLong cleanupFailures = new AtomicLong();
        public final AtomicLong markedForCompaction = new AtomicLong();
        public final AtomicLong markedForRetention = new AtomicLong();
        public final AtomicLong markedPartial = new AtomicLong();
        public final AtomicLong deleted = new AtomicLong();
        public final AtomicLong noCompactMarks = new AtomicLong();

        @Override
        public void compactionRun() { compactionRuns.incrementAndGet(); }

        @Override
        public void compactionFailed() { compactionFailures.incrementAndGet(); }

        @Override
        public void cleanupRun() { cleanupRuns.incrementAndGet(); }

        @Override
        public void cleanupFailed() { cleanupFailures.incrementAndGet(); }

        @Override
        public void blocksMarkedForDeletion(String reason, int blocks) {
            (RETENTION.equals(reason) ? markedForRetention : PARTIAL.equals(reason) ? markedPartial : markedForCompaction)
                    .addAndGet(blocks);
        }

        @Override
        public void blocksDeleted(int blocks) { deleted.addAndGet(blocks); }

        @Override
        public void blockMarkedNoCompact() { noCompactMarks.incrementAndGet(); }
    }
}
