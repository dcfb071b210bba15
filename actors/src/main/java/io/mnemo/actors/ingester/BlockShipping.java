package io.mnemo.actors.ingester;

import io.mnemo.actors.storage.BlocksStorage;
import io.mnemo.bucketstore.BucketLayout;
import io.mnemo.actors.storage.Shipper;
import io.mnemo.cluster.IngesterId;
import io.mnemo.tsdb.block.BlockReader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.BiConsumer;
import org.slf4j.Logger;

/**
 * The ingester's side of its {@link Shipper}: which of its blocks go to the bucket (every one not
 * shipped yet: after each cut, at each head compaction to retry those that failed, and after a
 * restart), and which leave its disk (shipped, and uploaded longer ago than
 * {@code mnemo.blocks-storage.tsdb.retention-period}, as Mimir's ingesters keep them). Uploads run
 * on the blocks storage's threads; the entity learns each one's outcome by message. Used on the
 * entity's thread only.
 */
final class BlockShipping {
    private final IngesterId id;
    private final BlocksStorage storage;
    private final Shipper shipper;
    private final Logger log;
    /** Shipments under way whose outcome the entity will be told. */
    private final Set<String> awaited = new HashSet<>();

    BlockShipping(IngesterId id, BlocksStorage storage, Path dataDir, Logger log) {
        this.id = id;
        this.storage = storage;
        this.shipper = storage.shipper(id, dataDir);
        this.log = log;
    }

    /**
     * Ships every block of the partition not in the bucket yet; {@code tell} gets each new
     * shipment (by bucket prefix), to pipe its outcome to the entity. Returns every shipment under
     * way, new or not.
     */
    List<CompletableFuture<Shipper.Shipment>> shipPending(PartitionTsdb tsdb,
                                                          BiConsumer<String, CompletableFuture<Shipper.Shipment>> tell) {
        List<CompletableFuture<Shipper.Shipment>> all = new ArrayList<>();
        tsdb.tenants.forEach((tenant, t) -> {
            for (BlockReader b : t.db.blocks()) {
                if (shipper.isShipped(tenant, b.meta().ulid())) continue;
                CompletableFuture<Shipper.Shipment> f = shipper.ship(tenant, b.dir());
                all.add(f);
                String key = BucketLayout.block(tenant, b.meta().ulid());
                if (awaited.add(key)) tell.accept(key, f);
            }
        });
        return all;
    }

    /** A shipment's outcome, told to the entity. */
    void shipped(String key, Shipper.Shipment shipment, Throwable failure) {
        awaited.remove(key);
        if (failure != null) {
            log.warn("Ingester {}: {}; it is tried again at the next head compaction", id, failure.getMessage());
        } else if (shipment.uploaded()) {
            log.info("Ingester {}: shipped block {} to {}{}", id, key, storage.bucket().describe(),
                    shipment.attempts() > 1 ? " (attempt " + shipment.attempts() + ")" : "");
        } else {
            log.info("Ingester {}: block {} was in {} already", id, key, storage.bucket().describe());
        }
    }

    /** Blocks downloaded from the bucket, by bucket prefix, with when they were made: not shipped again. */
    void markShipped(Map<String, Long> blocks) {
        shipper.markShipped(blocks);
    }

    /**
     * Deletes the blocks shipped longer than the retention period ago from the partition's
     * databases and disk; returns how many.
     */
    int deleteExpired(PartitionTsdb tsdb) {
        long now = storage.now();
        long retention = storage.retentionPeriod().toMillis();
        List<String> deleted = tsdb.deleteBlocks((tenant, meta) -> {
            OptionalLong at = shipper.shippedAt(tenant, meta.ulid());
            return at.isPresent() && now - at.getAsLong() >= retention;
        });
        if (deleted.isEmpty()) return 0;
        shipper.forget(deleted);
        log.info("Ingester {}: deleted {} local blocks shipped more than {} ago: {}", id, deleted.size(),
                storage.retentionPeriod(), deleted.size() <= 10 ? String.join(", ", deleted) : deleted.subList(0, 10) + "...");
        return deleted.size();
    }
}
