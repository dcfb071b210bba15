package io.mnemo.actors.ingester;

import io.mnemo.actors.TenantId;
import io.mnemo.bucketstore.BlockOrigin;
import io.mnemo.bucketstore.BlockTransfer;
import io.mnemo.bucketstore.BucketBlockMeta;
import io.mnemo.bucketstore.BucketLayout;
import io.mnemo.bucketstore.SourceOrigin;
import io.mnemo.bucketstore.markers.DeletionMark;
import io.mnemo.bucketstore.markers.Markers;
import io.mnemo.cluster.IngesterId;
import io.mnemo.objstore.Bucket;
import io.mnemo.tsdb.block.Ulid;
import io.mnemo.tsdb.db.BlockSidecar;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.StandardCopyOption;
import io.mnemo.tsdb.block.BlockMeta;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What an ingester that starts with an empty disk (no journal, no snapshot, no block of its own)
 * takes back from the bucket, where it shipped its blocks: per tenant, where its blocks end (the
 * min valid time: records consumed again must not take what they hold) and the partition offset
 * reached at its newest cut there; for the partition, the rebuild offset of its newest block, where
 * consuming Kafka starts instead of at the beginning; and the blocks themselves that it cut
 * within the retention period (by their ULID's time), downloaded, as a disk it had not lost would hold them. Only blocks
 * whose Mnemo meta names this ingester's zone and partition count: its own, and compacted blocks
 * whose {@code sources} name it. Those stand for the blocks of its that the compactor merged and
 * deleted: their newest cut gives the offsets and the cut time, their end the floor.
 *
 * <p>A compacted block holding a cut of this ingester made within the retention period is
 * downloaded whole, as this ingester's own copy ({@link #ownCopy}): it holds every partition's (and
 * zone's) series of the tenant for its range, not only this partition's, and each partition's
 * ingester restoring on the node takes a copy. The ingester then answers queries of that range with the other
 * partitions' series too; queriers keep one of identical samples, so answers stay exact, at the
 * cost of disk and of reading them twice. Without it, what the compactor merged in the last
 * {@code query-store-after} would be asked of this ingester only, which no longer had it. Blocks
 * marked for deletion are not downloaded: the block that replaced them is.
 *
 * <p>Reads, per tenant, the block directories newest first (ULIDs order by creation) and each one's
 * {@code meta.json}, down to the first block of this ingester that is in order and older than
 * the retention period: its end is the tenant's min valid time. Blocks without a
 * {@code meta.json} (uploads in progress) are skipped. Runs on a blocks-storage thread.
 */
final class BucketRestore {
    private static final Logger log = LoggerFactory.getLogger(BucketRestore.class);

    /** A tenant's floor: what this ingester's blocks hold, by time and by partition offset. */
    record Floor(long minValidTime, long cutOffset) {}

    /**
     * @param floors         per tenant with blocks of this ingester
     * @param rebuildOffset  the newest block's rebuild offset (-1: no block, or it recorded none)
     * @param newest         the newest block of this ingester ({@code <tenant>/<ULID>}), or null
     * @param downloaded     the blocks downloaded, by bucket prefix, with their creation time (unix ms)
     * @param metasRead      meta.json files read (of every ingester's blocks)
     */
    record Result(Map<String, Floor> floors, long rebuildOffset, String newest, Map<String, Long> downloaded,
                  int metasRead) {
        boolean isEmpty() {
            return newest == null;
        }

        /** For the WARN that says what is rebuilt from Kafka. */
        String describe(String bucket) {
            return "this node held no journal, snapshot or block of it; from " + bucket + " it downloaded its "
                    + downloaded.size() + " blocks cut within the retention period, and its newest block there ("
                    + newest + ") says a rebuild starts at offset " + rebuildOffset;
        }
    }

    private BucketRestore() {}

    /**
     * What a block in the bucket holds of this ingester's cuts: its own block (its origin), or a
     * compacted block with this ingester among its sources (the newest of them and their end).
     *
     * @param cut the ULID of the newest cut it holds: when that cut was made
     */
    private record Held(BlockOrigin origin, Ulid cut, long maxTime, boolean outOfOrder) {}

    /**
     * Downloads a compacted block as this ingester's own copy: the partitions' ingesters of a node
     * share a tenant's directory and tell their blocks apart by the sidecar, and every one of them
     * may need the same compacted block. So each takes it under a ULID of its own, made at the time
     * of its newest cut in it (its local retention counts from there), with a sidecar naming that
     * cut's origin; staged in a directory of its own (not a ULID: block listings skip it).
     */
    private static Ulid ownCopy(BlockTransfer transfer, String tenant, BucketBlockMeta meta, Held held, Path tenantDir,
                                IngesterId id) throws IOException {
        Path staging = tenantDir.resolve("restore-" + id.zone() + "-" + id.partition() + ".tmp");
        deleteRecursively(staging);
        Path got = transfer.download(tenant, meta, staging);
        Ulid own = Ulid.generate(held.cut().timestamp());
        Path copy = staging.resolve(own.toString());
        Files.move(got, copy);
        BlockMeta m = meta.block();
        // the same counts (floats and histograms apart) under the ingester's own id
        Files.writeString(copy.resolve(BlockMeta.FILE_NAME), m.withLineage(own, m.compactionLevel(), m.sources(), List.of()).toJson());
        Files.write(copy.resolve(BlockSidecar.FILE), new BlockSidecar(held.origin().fields(), false).encode());
        Files.move(copy, tenantDir.resolve(own.toString()), StandardCopyOption.ATOMIC_MOVE);
        deleteRecursively(staging);
        return own;
    }

    private static void deleteRecursively(Path dir) throws IOException {
        if (!Files.exists(dir)) return;
        try (java.util.stream.Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        }
    }

    private static Held held(BucketBlockMeta meta, IngesterId id) {
        BlockOrigin origin = meta.origin();
        if (origin != null) {
            return origin.cutBy(id.zone(), id.partition())
                    ? new Held(origin, meta.block().ulid(), meta.block().maxTime(), meta.outOfOrder()) : null;
        }
        for (SourceOrigin s : meta.sourceOrigins()) {
            if (s.origin().cutBy(id.zone(), id.partition())) return new Held(s.origin(), s.block(), s.maxTime(), false);
        }
        return null;
    }

    /**
     * Finds this ingester's blocks in the bucket and downloads those cut within
     * {@code retentionMs} of {@code now} into their tenants' directories under {@code tsdbDir}.
     *
     * @throws IOException when the bucket or the local disk fails (blocks downloaded so far stay;
     *     a run again skips them)
     */
    static Result run(IngesterId id, Bucket bucket, Path tsdbDir, long now, long retentionMs) throws IOException {
        BlockTransfer transfer = new BlockTransfer(bucket);
        Map<String, Floor> floors = new LinkedHashMap<>();
        Map<String, Long> downloaded = new LinkedHashMap<>();
        Ulid newest = null;
        String newestKey = null;
        long rebuildOffset = -1;
        int metasRead = 0;
        for (String tenant : BucketLayout.tenants(bucket)) {
            TenantId.Problem problem = TenantId.problem(tenant);
            if (problem != null) {
                log.warn("Ingester {}: ignoring {}/{}: not a tenant's directory ({})", id, bucket.describe(),
                        PartitionTsdb.printable(tenant), problem.label);
                continue;
            }
            long minValidTime = Long.MIN_VALUE;
            long cutOffset = -1;
            boolean inOrderFound = false;
            List<Ulid> blocks = BucketLayout.blocksNewestFirst(bucket, tenant);
            Set<Ulid> marked = Markers.listGlobal(bucket, tenant, DeletionMark.FILE);
            Map<BucketBlockMeta, Held> toDownload = new LinkedHashMap<>();
            for (Ulid ulid : blocks) {
                boolean recent = now - ulid.timestamp() < retentionMs;
                if (!recent && inOrderFound) break;
                Optional<BucketBlockMeta> read = BucketLayout.meta(bucket, tenant, ulid);
                metasRead++;
                if (read.isEmpty()) continue; // not whole (yet)
                BucketBlockMeta meta = read.get();
                Held held = held(meta, id);
                if (held == null) continue;
                minValidTime = Math.max(minValidTime, held.maxTime());
                cutOffset = Math.max(cutOffset, held.origin().nextOffset());
                if (newest == null || held.cut().compareTo(newest) > 0) {
                    newest = held.cut();
                    newestKey = BucketLayout.block(tenant, ulid);
                    rebuildOffset = held.origin().rebuildOffset();
                }
                if (!held.outOfOrder()) inOrderFound = true;
                // A block marked for deletion is going: what it holds is in the block that replaced it,
                // found here too (or past retention, not wanted).
                if (now - held.cut().timestamp() < retentionMs && !marked.contains(ulid)) toDownload.put(meta, held);
            }
            if (minValidTime == Long.MIN_VALUE) continue;
            floors.put(tenant, new Floor(minValidTime, cutOffset));
            Path tenantDir = PartitionTsdb.tenantDir(tsdbDir, tenant);
            for (var d : toDownload.entrySet()) {
                BucketBlockMeta meta = d.getKey();
                if (meta.origin() != null) {
                    transfer.download(tenant, meta, tenantDir);
                    downloaded.put(BucketLayout.block(tenant, meta.block().ulid()), meta.block().ulid().timestamp());
                } else {
                    Ulid own = ownCopy(transfer, tenant, meta, d.getValue(), tenantDir, id);
                    downloaded.put(BucketLayout.block(tenant, own), own.timestamp());
                }
            }
        }
        return new Result(floors, rebuildOffset, newestKey, downloaded, metasRead);
    }
}
