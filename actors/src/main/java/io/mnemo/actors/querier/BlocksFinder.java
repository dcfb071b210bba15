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
 * store-gateways load). A tenant's list is read from the bucket on its first query and again on a
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

    /**
     * The tenant's whole blocks not marked for deletion, by ULID (oldest first).
     *
     * @throws BlocksUnavailableException when the bucket cannot be read and no recent list is known
     */
    public List<BucketBlockMeta> blocks(String tenant) {
        return tenants.computeIfAbsent(tenant, Tenant::new).blocks();
    }

    /** One tenant's list; refreshed by one query while others wait for it. */
    private final class Tenant {
        private final String tenant;
        /** By ULID: metas read, kept across refreshes while the block is there. */
        private final Map<Ulid, BucketBlockMeta> metas = new ConcurrentHashMap<>();
        private volatile List<BucketBlockMeta> blocks;
        private volatile long readAt;

        Tenant(String tenant) {
            this.tenant = tenant;
        }

        List<BucketBlockMeta> blocks() {
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

        private List<BucketBlockMeta> read() throws IOException {
            Set<Ulid> ids = BucketLayout.wholeBlocks(bucket, tenant);
            metas.keySet().retainAll(ids);
            List<BucketBlockMeta> out = new ArrayList<>(ids.size());
            for (Ulid id : ids) {
                BucketBlockMeta meta = metas.get(id);
                if (meta == null) {
                    Optional<BucketBlockMeta> read = BucketLayout.meta(bucket, tenant, id);
                    if (read.isEmpty()) continue; // deleted since the listing
                    meta = read.get();
                    metas.put(id, meta);
                }
                out.add(meta);
            }
            return List.copyOf(out);
        }
    }
}
