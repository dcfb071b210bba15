package io.mnemo.actors.querier;

import io.mnemo.bucketstore.BucketBlockMeta;
import io.mnemo.bucketstore.BucketLayout;
import io.mnemo.objstore.Bucket;
import io.mnemo.tsdb.block.Ulid;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The blocks of a tenant in the bucket, as a querier needs to know them to check that
 * store-gateways answered for all (Mimir's querier reads the same from its bucket index): the meta
 * of each whole block not marked for deletion ({@link BucketLayout#wholeBlocks}, what
 * store-gateways load), with when it was uploaded. A tenant's list is read from the bucket on its first query and again on a
 * query once it is older than the refresh interval (the store-gateways' sync interval: a block
 * they could have loaded is known here too); metas are read once per block, they never change.
 * When a refresh fails, the previous list serves until it is three intervals old.
 */
public final class BlocksFinder {
    private static final Logger log = LoggerFactory.getLogger(BlocksFinder.class);

    private final Bucket bucket;
    private final Duration refreshInterval;
    private final LongSupplier clock;
    private final Map<String, Tenant> tenants = new ConcurrentHashMap<>();

    /** @param clock Unix time in ms */
    public BlocksFinder(Bucket bucket, Duration refreshInterval, LongSupplier clock) {
        this.bucket = bucket;
        this.refreshInterval = refreshInterval;
        this.clock = clock;
    }

    /** A block in the bucket: its meta, and when its meta.json was stored (the block became whole). */
    public record Known(BucketBlockMeta meta, long uploadedAt) {}

    /**
     * The tenant's whole blocks not marked for deletion, by ULID (oldest first).
     *
     * @throws BlocksUnavailableException when the bucket cannot be read and no recent list is known
     */
    public List<Known> blocks(String tenant) {
        return tenants.computeIfAbsent(tenant, Tenant::new).blocks();
    }

    /** One tenant's list; refreshed by one query while others wait for it. */
    private final class Tenant {
        private final String tenant;
        /** By ULID: metas read, kept across refreshes while the block is there. */
        private final Map<Ulid, Known> metas = new ConcurrentHashMap<>();
        private volatile List<Known> blocks;
        private volatile long readAt;

        Tenant(String tenant) {
            this.tenant = tenant;
        }

        List<Known> blocks() {
            long now = clock.getAsLong();
            if (blocks != null && now - readAt < refreshInterval.toMillis()) return blocks;
            synchronized (this) {
                if (blocks != null && now - readAt < refreshInterval.toMillis()) return blocks;
                try {
                    blocks = read();
                    readAt = now;
                } catch (IOException | RuntimeException e) {
                    if (blocks != null && now - readAt < 3 * refreshInterval.toMillis()) {
                        log.warn("Listing the blocks of tenant {} in {} failed, using the list of {} ms ago: {}", tenant,
                                bucket.describe(), now - readAt, e.toString());
                        return blocks;
                    }
                    throw new BlocksUnavailableException("the blocks of tenant " + tenant + " could not be listed from "
                            + bucket.describe() + ": " + e);
                }
                return blocks;
            }
        }

        private List<Known> read() throws IOException {
            Set<Ulid> ids = BucketLayout.wholeBlocks(bucket, tenant);
            metas.keySet().retainAll(ids);
            List<Known> out = new ArrayList<>(ids.size());
            for (Ulid id : ids) {
                Known known = metas.get(id);
                if (known == null) {
                    Optional<BucketBlockMeta> meta = BucketLayout.meta(bucket, tenant, id);
                    if (meta.isEmpty()) continue; // deleted since the listing
                    long uploadedAt;
                    try {
                        uploadedAt = bucket.attributes(BucketLayout.object(tenant, id, BucketLayout.META)).lastModified().toEpochMilli();
                    } catch (IOException e) {
                        if (Bucket.isObjNotFound(e)) continue;
                        throw e;
                    }
                    known = new Known(meta.get(), uploadedAt);
                    metas.put(id, known);
                }
                out.add(known);
            }
            return List.copyOf(out);
        }
    }
}
