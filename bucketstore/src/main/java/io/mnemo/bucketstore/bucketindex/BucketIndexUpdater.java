package io.mnemo.bucketstore.bucketindex;

import io.mnemo.bucketstore.BucketBlockMeta;
import io.mnemo.bucketstore.BucketLayout;
import io.mnemo.bucketstore.markers.DeletionMark;
import io.mnemo.bucketstore.markers.Markers;
import io.mnemo.objstore.Bucket;
import io.mnemo.tsdb.block.Ulid;
import java.io.IOException;
import java.io.InputStream;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Builds a tenant's up-to-date {@link BucketIndex} from the bucket, as Mimir's updater does:
 * blocks and deletion marks are immutable, so an entry of the previous index is kept as long as
 * its block directory (or its mark) is still listed, and only new blocks' {@code meta.json} and
 * new marks are read. A block directory without {@code meta.json} is partial (an upload in
 * progress, a failed one, or a deletion half-done) and a {@code meta.json} that does not parse is
 * corrupted: both are left out and reported. Deletion marks come from the tenant's markers
 * ({@code <tenant>/markers/<ULID>-deletion-mark.json}); a corrupted one is left out and logged.
 *
 * <p>Costs one listing of the tenant's top-level directories, one of its markers, and a read per
 * new block or mark. Writes nothing: the caller writes the index it returns.
 */
public final class BucketIndexUpdater {
    private static final Logger log = LoggerFactory.getLogger(BucketIndexUpdater.class);

    private final Bucket bucket;
    private final String tenant;
    private final Clock clock;

    public BucketIndexUpdater(Bucket bucket, String tenant, Clock clock) {
        this.bucket = bucket;
        this.tenant = tenant;
        this.clock = clock;
    }

    /** A block directory left out of the index. @param corrupted meta.json is there but does not parse, else it is missing */
    public record Partial(Ulid id, boolean corrupted, String reason) {}

    /** The new index, and the block directories left out of it. */
    public record Result(BucketIndex index, SortedMap<Ulid, Partial> partials) {}

    /**
     * The index as the bucket is now; {@code old} (may be null) saves reading what it holds already.
     *
     * @throws IOException when the bucket fails (a missing or corrupted meta.json or mark is not a failure)
     */
    public Result update(BucketIndex old) throws IOException {
        SortedMap<Ulid, Partial> partials = new TreeMap<>();
        List<BucketIndex.Block> blocks = updateBlocks(old == null ? List.of() : old.blocks(), partials);
        List<BucketIndex.BlockDeletionMark> marks = updateMarks(old == null ? List.of() : old.blockDeletionMarks());
        BucketIndex index = new BucketIndex(BucketIndex.VERSION, blocks, marks, clock.instant().getEpochSecond());
        return new Result(index, Collections.unmodifiableSortedMap(partials));
    }

    private List<BucketIndex.Block> updateBlocks(List<BucketIndex.Block> old, Map<Ulid, Partial> partials) throws IOException {
        Set<Ulid> discovered = new HashSet<>(BucketLayout.blocksNewestFirst(bucket, tenant));
        List<BucketIndex.Block> out = new ArrayList<>();
        for (BucketIndex.Block b : old) {
            if (discovered.remove(b.id())) out.add(b);
        }
        for (Ulid id : discovered) {
            String name = BucketLayout.object(tenant, id, BucketLayout.META);
            byte[] bytes;
            try (InputStream in = bucket.get(name)) {
                bytes = in.readAllBytes();
            } catch (IOException e) {
                if (!Bucket.isObjNotFound(e)) throw e;
                partials.put(id, new Partial(id, false, "no " + BucketLayout.META));
                log.debug("Bucket index of tenant {}: skipped partial block {} (no {})", tenant, id, BucketLayout.META);
                continue;
            }
            BucketBlockMeta meta;
            try {
                meta = BucketBlockMeta.decode(bytes);
                if (!meta.block().ulid().equals(id)) throw new IllegalArgumentException("it describes block " + meta.block().ulid());
            } catch (IllegalArgumentException e) {
                partials.put(id, new Partial(id, true, e.getMessage()));
                log.error("Bucket index of tenant {}: skipped block {} with a corrupted {}: {}", tenant, id, name, e.getMessage());
                continue;
            }
            long uploadedAt;
            try {
                // meta.json is uploaded last and never changed: its time is the block's upload time.
                uploadedAt = bucket.attributes(name).lastModified().getEpochSecond();
            } catch (IOException e) {
                if (!Bucket.isObjNotFound(e)) throw e;
                partials.put(id, new Partial(id, false, "no " + BucketLayout.META)); // deleted since it was read
                continue;
            }
            out.add(BucketIndex.Block.of(meta, uploadedAt));
        }
        return out;
    }

    private List<BucketIndex.BlockDeletionMark> updateMarks(List<BucketIndex.BlockDeletionMark> old) throws IOException {
        Set<Ulid> discovered = new HashSet<>(Markers.listGlobal(bucket, tenant, DeletionMark.FILE));
        List<BucketIndex.BlockDeletionMark> out = new ArrayList<>();
        Map<Ulid, BucketIndex.BlockDeletionMark> kept = new HashMap<>();
        for (BucketIndex.BlockDeletionMark m : old) {
            if (discovered.remove(m.id())) kept.put(m.id(), m);
        }
        out.addAll(kept.values());
        for (Ulid id : discovered) {
            Optional<DeletionMark> mark;
            try {
                mark = Markers.globalDeletionMark(bucket, tenant, id);
            } catch (IOException e) {
                if (e.getCause() instanceof IllegalArgumentException) {
                    log.error("Bucket index of tenant {}: skipped a corrupted deletion mark of block {}: {}", tenant, id, e.getMessage());
                    continue;
                }
                throw e;
            }
            // Gone since the listing: the block was deleted meanwhile.
            mark.ifPresent(m -> out.add(new BucketIndex.BlockDeletionMark(id, m.deletionTime())));
        }
        return out;
    }
}
