package io.mnemo.compactor;

import io.mnemo.bucketstore.BucketLayout;
import io.mnemo.bucketstore.bucketindex.BucketIndex;
import io.mnemo.bucketstore.bucketindex.BucketIndexUpdater;
import io.mnemo.bucketstore.markers.DeletionMark;
import io.mnemo.bucketstore.markers.Markers;
import io.mnemo.bucketstore.markers.NoCompactMark;
import io.mnemo.bucketstore.markers.TenantDeletionMark;
import io.mnemo.objstore.Bucket;
import io.mnemo.tsdb.block.Ulid;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The compactor's cleaner (Mimir's {@code BlocksCleaner}), per tenant, every
 * {@code cleanup-interval}:
 *
 * <ul>
 *   <li><b>Retention</b>: blocks wholly older than the tenant's
 *       {@code compactor_blocks_retention_period} (max time before now − retention; 0 keeps
 *       forever) get a deletion mark.</li>
 *   <li><b>Deletion</b>: blocks whose deletion mark is older than {@code deletion-delay} are
 *       deleted in Mimir's order: {@code meta.json} first (from then on no reader takes the block
 *       for whole), then its other objects, then its marks, the block's own before those among
 *       the markers. A partial block that has a deletion mark goes at once (Mimir's rule: nobody
 *       reads a block without meta.json); one without a mark whose newest object is older than
 *       {@code partial-block-deletion-delay} (an upload that died, e.g. with its compactor) is
 *       marked first.</li>
 *   <li><b>Bucket index</b>: brought up to date and written, without the blocks deleted.</li>
 *   <li><b>Tenant deletion</b>: a tenant with {@code markers/tenant-deletion-mark.json} loses its
 *       bucket index first (its readers then see no blocks), then every block at once, with no
 *       deletion delay and no marks (Mimir's {@code deleteUserMarkedForDeletion}: readers stop
 *       reading a deleted tenant on the tenant mark itself), then its blocks' leftover marks; the
 *       mark gets {@code finished_time}. The tenant mark stays.</li>
 * </ul>
 *
 * Deleting a block that is gone already is fine, so a cleanup a crash interrupted is finished by
 * the next one.
 */
public final class BlocksCleaner {
    private static final Logger log = LoggerFactory.getLogger(BlocksCleaner.class);

    private final Bucket bucket;
    private final CompactorConfig config;
    private final Function<String, Duration> retention;
    private final Clock clock;
    private final CompactorMetrics metrics;

    /** @param retention a tenant's {@code compactor_blocks_retention_period} (zero: keep forever) */
    public BlocksCleaner(Bucket bucket, CompactorConfig config, Function<String, Duration> retention, Clock clock,
                         CompactorMetrics metrics) {
        this.bucket = bucket;
        this.config = config;
        this.retention = retention;
        this.clock = clock;
        this.metrics = metrics;
    }

    /**
     * What a cleanup of a tenant did.
     *
     * @param marked   blocks marked for deletion by retention
     * @param deleted  blocks deleted
     * @param failed   block deletions that failed (tried again next time)
     * @param index    the bucket index written; null for a deleted tenant
     */
    public record Result(int marked, int deleted, int failed, BucketIndex index) {}

    /** Cleans every tenant in the bucket; a tenant that fails is counted and logged, and the others are still cleaned. */
    public Map<String, Result> run() throws IOException {
        Map<String, Result> out = new LinkedHashMap<>();
        for (String tenant : BucketLayout.tenants(bucket)) {
            try {
                out.put(tenant, clean(tenant));
            } catch (IOException | RuntimeException e) {
                log.warn("Cleanup of tenant {} failed, tried again next time: {}", tenant, e.toString());
            }
        }
        return out;
    }

    /** Cleans one tenant (the caller owns it). */
    public Result clean(String tenant) throws IOException {
        metrics.cleanupRun();
        try {
            Optional<TenantDeletionMark> deleted = Markers.tenantDeletionMark(bucket, tenant);
            return deleted.isPresent() ? deleteTenant(tenant, deleted.get()) : cleanTenant(tenant);
        } catch (IOException | RuntimeException e) {
            metrics.cleanupFailed();
            throw e;
        }
    }

    private Result cleanTenant(String tenant) throws IOException {
        BucketIndex old = null;
        try {
            old = BucketIndex.read(bucket, tenant).orElse(null);
        } catch (BucketIndex.CorruptedException e) {
            log.warn("Tenant {}: rebuilding a corrupted bucket index: {}", tenant, e.getMessage());
        }
        BucketIndexUpdater.Result updated = new BucketIndexUpdater(bucket, tenant, clock).update(old);
        BucketIndex index = updated.index();
        long nowSec = clock.instant().getEpochSecond();

        int marked = 0;
        Duration keep = retention.apply(tenant);
        List<BucketIndex.BlockDeletionMark> marks = new ArrayList<>(index.blockDeletionMarks());
        if (keep != null && !keep.isZero() && !keep.isNegative()) {
            long threshold = clock.millis() - keep.toMillis();
            var alreadyMarked = index.markedForDeletion();
            for (BucketIndex.Block b : index.blocks()) {
                if (b.maxTime() >= threshold || alreadyMarked.contains(b.id())) continue;
                if (Markers.write(bucket, tenant, new DeletionMark(b.id(), nowSec, "block exceeding retention of " + keep))) {
                    log.info("Tenant {}: retention of {}: marked block {} (max time {}) for deletion", tenant, keep, b.id(), b.maxTime());
                    marked++;
                }
                marks.add(new BucketIndex.BlockDeletionMark(b.id(), nowSec));
            }
            if (marked > 0) metrics.blocksMarkedForDeletion(CompactorMetrics.RETENTION, marked);
            index = new BucketIndex(index.version(), index.blocks(), marks, index.updatedAt());
        }

        int deleted = 0;
        int failed = 0;
        long delay = config.deletionDelay().toSeconds();
        for (BucketIndex.BlockDeletionMark m : marks) {
            if (nowSec - m.deletionTime() <= delay) continue;
            if (deleteBlock(tenant, m.id())) {
                index = index.withoutBlock(m.id());
                deleted++;
            } else {
                failed++;
            }
        }
        for (BucketIndexUpdater.Partial p : updated.partials().values()) {
            if (p.corrupted()) continue; // a meta.json that does not parse is for an operator to look at
            Optional<DeletionMark> mark;
            try {
                mark = Markers.deletionMark(bucket, tenant, p.id());
            } catch (IOException e) {
                log.warn("Tenant {}: reading the deletion mark of partial block {}: {}", tenant, p.id(), e.toString());
                continue;
            }
            if (mark.isEmpty()) {
                if (!staleUpload(tenant, p.id())) continue;
                Markers.write(bucket, tenant, new DeletionMark(p.id(), nowSec,
                        "partial block older than " + config.partialBlockDeletionDelay()));
                metrics.blocksMarkedForDeletion(CompactorMetrics.PARTIAL, 1);
                log.info("Tenant {}: partial block {} (no {}) is older than {}: marked for deletion", tenant, p.id(),
                        BucketLayout.META, config.partialBlockDeletionDelay());
            }
            if (deleteBlock(tenant, p.id())) {
                index = index.withoutBlock(p.id());
                deleted++;
            } else {
                failed++;
            }
        }
        if (deleted > 0) metrics.blocksDeleted(deleted);
        index.write(bucket, tenant);
        return new Result(marked, deleted, failed, index);
    }

    /**
     * Whether a partial block is an upload that died (Mimir's partial-block-deletion-delay): its
     * newest object is older than the delay, so no upload is still writing it. Never with a delay of 0.
     */
    private boolean staleUpload(String tenant, Ulid id) {
        Duration delay = config.partialBlockDeletionDelay();
        if (delay.isZero()) return false;
        try {
            List<String> names = new ArrayList<>();
            bucket.iter(BucketLayout.block(tenant, id), true, names::add);
            if (names.isEmpty()) return false;
            java.time.Instant newest = java.time.Instant.MIN;
            for (String name : names) {
                java.time.Instant t = bucket.attributes(name).lastModified();
                if (t.isAfter(newest)) newest = t;
            }
            return newest.isBefore(clock.instant().minus(delay));
        } catch (IOException | RuntimeException e) {
            log.warn("Tenant {}: reading partial block {}: {}", tenant, id, e.toString());
            return false;
        }
    }

    private Result deleteTenant(String tenant, TenantDeletionMark mark) throws IOException {
        BucketIndex.delete(bucket, tenant); // first: readers of the index see no blocks from now on
        int deleted = 0;
        int failed = 0;
        for (Ulid id : BucketLayout.blocksNewestFirst(bucket, tenant)) {
            if (deleteBlock(tenant, id)) deleted++;
            else failed++;
        }
        if (deleted > 0) metrics.blocksDeleted(deleted);
        if (failed > 0) throw new IOException("tenant " + tenant + " is deleted, and " + failed + " of its blocks could not be deleted yet");
        // Marks of blocks gone already (a deletion a crash interrupted): all but the tenant's own.
        for (Ulid id : Markers.listGlobal(bucket, tenant, DeletionMark.FILE)) Markers.delete(bucket, tenant, id, DeletionMark.FILE);
        for (Ulid id : Markers.listGlobal(bucket, tenant, NoCompactMark.FILE)) Markers.delete(bucket, tenant, id, NoCompactMark.FILE);
        if (deleted > 0 || mark.finishedTime() == 0) {
            Markers.writeTenantDeletionMark(bucket, tenant, mark.finishedAt(clock.instant().getEpochSecond()));
            log.info("Tenant {} is deleted: {} blocks deleted", tenant, deleted);
        }
        return new Result(0, deleted, 0, null);
    }

    /**
     * Deletes a block in Mimir's order: meta.json, then its other objects (its no-compact mark
     * among them, and that mark among the markers), then its deletion mark, the block's own before
     * the one among the markers. False (logged, counted) when the bucket fails.
     */
    private boolean deleteBlock(String tenant, Ulid id) {
        String meta = BucketLayout.object(tenant, id, BucketLayout.META);
        String ownMark = BucketLayout.object(tenant, id, DeletionMark.FILE);
        try {
            deleteIfExists(meta);
            List<String> rest = new ArrayList<>();
            bucket.iter(BucketLayout.block(tenant, id), true, rest::add);
            for (String name : rest) {
                if (!name.equals(meta) && !name.equals(ownMark)) deleteIfExists(name);
            }
            deleteIfExists(Markers.global(tenant, id, NoCompactMark.FILE));
            Markers.delete(bucket, tenant, id, DeletionMark.FILE); // last: until here the block is still marked, and retried
            log.info("Tenant {}: deleted block {}", tenant, id);
            return true;
        } catch (IOException | RuntimeException e) {
            log.warn("Tenant {}: deleting block {} failed, tried again next time: {}", tenant, id, e.toString());
            metrics.cleanupFailed();
            return false;
        }
    }

    private void deleteIfExists(String name) throws IOException {
        try {
            bucket.delete(name);
        } catch (IOException e) {
            if (!Bucket.isObjNotFound(e)) throw e;
        }
    }
}
