package io.mnemo.actors.compactor;

import io.mnemo.bucketstore.BucketLayout;
import io.mnemo.bucketstore.markers.Markers;
import io.mnemo.bucketstore.markers.TenantDeletionMark;
import io.mnemo.objstore.Bucket;
import java.io.IOException;
import java.time.Clock;

/**
 * Mimir's tenant deletion API over the bucket: a request writes the tenant's deletion mark
 * ({@code <tenant>/markers/tenant-deletion-mark.json}); the compactor that owns the tenant then
 * deletes its bucket index and every block at its next cleanup ({@code BlocksCleaner}), and
 * queriers and store-gateways stop reading the tenant as soon as its index is gone.
 */
public final class TenantDeletion {
    private final Bucket bucket;
    private final Clock clock;

    public TenantDeletion(Bucket bucket, Clock clock) {
        this.bucket = bucket;
        this.clock = clock;
    }

    /** Marks the tenant for deletion now (a mark there already is replaced, as Mimir's API does). */
    public void request(String tenant) throws IOException {
        Markers.writeTenantDeletionMark(bucket, tenant, new TenantDeletionMark(clock.instant().getEpochSecond(), 0));
    }

    /** Whether none of the tenant's blocks is left in the bucket (Mimir's {@code blocks_deleted}). */
    public boolean blocksDeleted(String tenant) throws IOException {
        return BucketLayout.blocksNewestFirst(bucket, tenant).isEmpty();
    }
}
