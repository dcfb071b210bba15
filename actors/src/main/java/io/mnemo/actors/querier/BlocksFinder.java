package io.mnemo.actors.querier;

import io.mnemo.bucketstore.BucketBlockMeta;
import io.mnemo.bucketstore.BucketLayout;
import io.mnemo.bucketstore.bucketindex.BlocksDiscovery;
import io.mnemo.objstore.Bucket;
import io.mnemo.tsdb.block.Ulid;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashSet;
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
 * store-gateways answered for all (Mimir's querier reads the same): those of the tenant's bucket
 * index, or of a listing while there is none ({@link BlocksDiscovery}, what store-gateways load
 * too), a block marked for deletion until its mark is {@code ignore-deletion-marks-delay} old, each
 * with its meta, when it was uploaded and when it was marked. A tenant's list is read on its first
 * query and again on a query once it is older than the refresh interval (the store-gateways' sync
 * interval: a block they could have loaded is known here too); metas are read once per block, they
 * never change. When a refresh fails, the previous list serves until it is three intervals old.
 */
public final class BlocksFinder {
    private static final Logger log = LoggerFactory.getLogger(BlocksFinder.class);

    private final Bucket bucket;
    private final Duration refreshInterval;
    private final LongSupplier clock;
    private final BlocksDiscovery discovery;
    private final Map<String, Tenant> tenants = new ConcurrentHashMap<>();

    /** Blocks marked for deletion are left out at once. @param clock Unix time in ms */
    public BlocksFinder(Bucket bucket, Duration refreshInterval, LongSupplier clock) {
        this(bucket, refreshInterval, Duration.ZERO, clock);
    }

    /**
     * @param ignoreDeletionMarksDelay a block marked for deletion is used until its mark is this old
     * @param clock Unix time in ms
     */
    public BlocksFinder(Bucket bucket, Duration refreshInterval, Duration ignoreDeletionMarksDelay, LongSupplier clock) {
        this.bucket = bucket;
        this.refreshInterval = refreshInterval;
        this.clock = clock;
        this.discovery = new BlocksDiscovery(bucket, ignoreDeletionMarksDelay, new Clock() {
            @Override
            public ZoneId getZone() { return ZoneOffset.UTC; }

            @Override
            public Clock withZone(ZoneId zone) { return this; }

            @Override
            public Instant instant() { return Instant.ofEpochMilli(clock.getAsLong()); }
        });
    }

    /** How often a tenant's list is read again: the store-gateways' sync interval. */
    public Duration refreshInterval() {
        return refreshInterval;
    }

    public Duration ignoreDeletionMarksDelay() {
        return discovery.ignoreDeletionMarksDelay();
    }

    /**
     * A block in the bucket: its meta, when its meta.json was stored (the block became whole, unix
     * ms), and when it was marked for deletion (unix seconds; -1: it is not).
     */
    public record Known(BucketBlockMeta meta, long uploadedAt, long deletionTime) {
        public Known(BucketBlockMeta meta, long uploadedAt) {
            this(meta, uploadedAt, -1);
        }
    }

    /**
     * The tenant's blocks in use, by ULID (oldest first).
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
        private final Map<Ulid, BucketBlockMeta> metas = new ConcurrentHashMap<>();
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
            List<BlocksDiscovery.Discovered> found = discovery.blocks(tenant);
            Set<Ulid> ids = new HashSet<>();
            for (BlocksDiscovery.Discovered d : found) ids.add(d.id());
            metas.keySet().retainAll(ids);
            List<Known> out = new ArrayList<>(found.size());
            for (BlocksDiscovery.Discovered d : found) {
                BucketBlockMeta meta = metas.get(d.id());
                if (meta == null) {
                    Optional<BucketBlockMeta> read = BucketLayout.meta(bucket, tenant, d.id());
                    if (read.isEmpty()) continue; // deleted since the index was written
                    meta = read.get();
                    metas.put(d.id(), meta);
                }
                out.add(new Known(meta, d.uploadedAt(), d.deletionTime()));
            }
            return List.copyOf(out);
        }
    }
}
