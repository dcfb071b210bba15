package io.mnemo.compactor;

import io.mnemo.bucketstore.BlockTransfer;
import io.mnemo.bucketstore.BucketBlockMeta;
import io.mnemo.bucketstore.BucketLayout;
import io.mnemo.bucketstore.bucketindex.BucketIndex;
import io.mnemo.bucketstore.bucketindex.BucketIndexUpdater;
import io.mnemo.bucketstore.markers.DeletionMark;
import io.mnemo.bucketstore.markers.Markers;
import io.mnemo.bucketstore.markers.NoCompactMark;
import io.mnemo.objstore.Bucket;
import io.mnemo.tsdb.LabelMatcher;
import io.mnemo.tsdb.Querier;
import io.mnemo.tsdb.SampleIterator;
import io.mnemo.tsdb.SeriesSet;
import io.mnemo.tsdb.block.BlockMeta;
import io.mnemo.tsdb.block.BlockReader;
import io.mnemo.tsdb.block.Ulid;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One compaction pass over one tenant's blocks in the bucket. Runs until the planner has nothing
 * left to run (a day of two-hour blocks becomes one 24 h block in one pass), in rounds:
 *
 * <ol>
 *   <li>Update the tenant's bucket index and write it.</li>
 *   <li>Mark for deletion every block whose samples another block already holds: one whose
 *       sources are among a compacted block's {@code compaction.sources} (Thanos's deduplicate
 *       filter). This is how a pass finishes the work of one that died between uploading a result
 *       and marking its sources, instead of compacting them twice.</li>
 *   <li>Plan ({@link CompactionPlanner}) over the blocks neither marked for deletion nor
 *       no-compact.</li>
 *   <li>Per group: download its blocks under {@code data-dir}, merge them ({@link BlockMerger}),
 *       upload the result ({@link BlockTransfer#uploadCompacted}: meta.json last, so it appears
 *       whole, with the origins of its sources per ingester), and only then mark the sources for deletion. Queriers read both meanwhile; they
 *       deduplicate identical samples.</li>
 * </ol>
 *
 * A group whose merge fails has its blocks checked one by one (every series and sample read); the
 * one that does not read gets a no-compact mark (reason "critical"), and the pass carries on
 * without it. A failure that no block explains (a download, the disk, the bucket) fails the group:
 * it is counted and tried again at the next pass. A tenant with a tenant deletion mark is skipped.
 *
 * <p>Crash safety: the bucket is consistent at every point. A result is visible only whole; until
 * its sources are marked, both are readable and hold the same samples; marks are idempotent. Files
 * a crash leaves under {@code data-dir} are removed by the next pass.
 *
 * <p>One pass per tenant at a time (the caller's scheduling); different tenants may run at once.
 */
public final class TenantCompaction {
    private static final Logger log = LoggerFactory.getLogger(TenantCompaction.class);
    /** Rounds of one pass at most: every level of every range, with room to spare. */
    private static final int MAX_ROUNDS = 64;
    private static final LabelMatcher[] EVERY_SERIES = {LabelMatcher.regex("__name__", ".+")};

    private final Bucket bucket;
    private final CompactorConfig config;
    private final BlockMerger merger;
    private final Clock clock;
    private final CompactorMetrics metrics;
    private final CompactionPlanner planner;
    private final BlockTransfer transfer;
    /** meta.json of compacted blocks read so far, by tenant/ULID: immutable, so read once. */
    private final Map<String, BucketBlockMeta> metas = new ConcurrentHashMap<>();

    public TenantCompaction(Bucket bucket, CompactorConfig config, BlockMerger merger, Clock clock, CompactorMetrics metrics) {
        this.bucket = bucket;
        this.config = config;
        this.merger = merger;
        this.clock = clock;
        this.metrics = metrics;
        this.planner = new CompactionPlanner(config, clock);
        this.transfer = new BlockTransfer(bucket);
    }

    /**
     * What a pass did.
     *
     * @param compacted  the blocks uploaded, one per group merged
     * @param failed     groups that failed, to be tried again
     * @param marked     blocks marked for deletion: sources of the results, and blocks a result held already
     * @param noCompact  blocks marked no-compact
     * @param index      the tenant's bucket index as the pass left it (null: tenant deleted, nothing done)
     */
    public record Result(List<Ulid> compacted, int failed, int marked, int noCompact, BucketIndex index) {}

    /**
     * Runs a pass over the tenant.
     *
     * @throws IOException when the bucket fails outside a group (listing, the index, marks): the
     *     pass stops where it was, and the next one carries on from the bucket's state
     */
    public Result run(String tenant) throws IOException {
        metrics.compactionRun();
        try {
            return pass(tenant);
        } catch (IOException | RuntimeException e) {
            metrics.compactionFailed();
            throw e;
        }
    }

    private Result pass(String tenant) throws IOException {
        if (Markers.tenantDeletionMark(bucket, tenant).isPresent()) return new Result(List.of(), 0, 0, 0, null);
        Path work = config.dataDir().resolve("compact").resolve(tenant);
        deleteRecursively(work); // what a crash left
        List<Ulid> compacted = new ArrayList<>();
        int failed = 0;
        int marked = 0;
        int noCompact = 0;
        BucketIndex index = updateIndex(tenant);
        Set<Ulid> failedBlocks = new HashSet<>(); // of groups that failed in this pass: not tried again before the next
        for (int round = 0; round < MAX_ROUNDS; round++) {
            int redundant = markRedundant(tenant, index);
            if (redundant > 0) {
                marked += redundant;
                index = updateIndex(tenant);
            }
            List<CompactionPlanner.Group> groups = planner.plan(index, Markers.listGlobal(bucket, tenant, NoCompactMark.FILE)).stream()
                    .filter(g -> g.ids().stream().noneMatch(failedBlocks::contains)).toList();
            if (groups.isEmpty()) break;
            boolean progress = false;
            for (CompactionPlanner.Group g : groups) {
                Outcome o = compact(tenant, g, work);
                switch (o.kind) {
                    case COMPACTED, EMPTY -> {
                        if (o.result != null) compacted.add(o.result);
                        marked += markSources(tenant, g, o.result);
                        progress = true;
                    }
                    case NO_COMPACT -> {
                        noCompact++;
                        progress = true;
                    }
                    case FAILED -> {
                        failedBlocks.addAll(g.ids());
                        failed++;
                        metrics.compactionFailed();
                    }
                }
            }
            index = updateIndex(tenant);
            if (!progress) break; // only failures: the next pass tries again
        }
        deleteRecursively(work);
        return new Result(List.copyOf(compacted), failed, marked, noCompact, index);
    }

    /** Reads the tenant's index (a corrupted one is rebuilt), brings it up to date and writes it. */
    private BucketIndex updateIndex(String tenant) throws IOException {
        BucketIndex old = null;
        try {
            old = BucketIndex.read(bucket, tenant).orElse(null);
        } catch (BucketIndex.CorruptedException e) {
            log.warn("Tenant {}: rebuilding a corrupted bucket index: {}", tenant, e.getMessage());
        }
        BucketIndex index = new BucketIndexUpdater(bucket, tenant, clock).update(old).index();
        index.write(bucket, tenant);
        Set<String> live = new HashSet<>();
        for (BucketIndex.Block b : index.blocks()) live.add(tenant + "/" + b.id());
        metas.keySet().removeIf(k -> k.startsWith(tenant + "/") && !live.contains(k));
        return index;
    }

    /**
     * Marks for deletion the live blocks whose sources a bigger live block holds (or an equal one
     * with a greater ULID: one of two results of the same sources stays). Returns how many.
     */
    private int markRedundant(String tenant, BucketIndex index) throws IOException {
        List<BucketIndex.Block> live = index.liveBlocks();
        List<BucketIndex.Block> compactedBlocks = live.stream().filter(b -> b.compactionLevel() != 1).toList();
        if (compactedBlocks.isEmpty()) return 0;
        Map<Ulid, Set<Ulid>> sources = new java.util.HashMap<>();
        for (BucketIndex.Block b : live) sources.put(b.id(), sourcesOf(tenant, b));
        int marked = 0;
        for (BucketIndex.Block b : live) {
            Set<Ulid> mine = sources.get(b.id());
            for (BucketIndex.Block a : compactedBlocks) {
                if (a.id().equals(b.id())) continue;
                Set<Ulid> theirs = sources.get(a.id());
                boolean covers = theirs.containsAll(mine) && (theirs.size() > mine.size() || a.id().compareTo(b.id()) > 0);
                if (!covers) continue;
                if (Markers.write(bucket, tenant, new DeletionMark(b.id(), clock.instant().getEpochSecond(),
                        "its samples are in block " + a.id()))) {
                    log.info("Tenant {}: marked block {} for deletion, block {} holds its samples already", tenant, b.id(), a.id());
                    metrics.blocksMarkedForDeletion(CompactorMetrics.COMPACTION, 1);
                    marked++;
                }
                break;
            }
        }
        return marked;
    }

    private Set<Ulid> sourcesOf(String tenant, BucketIndex.Block b) throws IOException {
        if (b.compactionLevel() == 1) return Set.of(b.id()); // cut from a head: its own only source
        Optional<BucketBlockMeta> meta = meta(tenant, b.id());
        if (meta.isEmpty() || meta.get().block().sources().isEmpty()) return Set.of(b.id());
        return new HashSet<>(meta.get().block().sources());
    }

    private Optional<BucketBlockMeta> meta(String tenant, Ulid id) throws IOException {
        String key = tenant + "/" + id;
        BucketBlockMeta cached = metas.get(key);
        if (cached != null) return Optional.of(cached);
        Optional<BucketBlockMeta> meta = BucketLayout.meta(bucket, tenant, id);
        meta.ifPresent(m -> metas.put(key, m));
        return meta;
    }

    private enum Kind { COMPACTED, EMPTY, NO_COMPACT, FAILED }

    private record Outcome(Kind kind, Ulid result) {}

    private Outcome compact(String tenant, CompactionPlanner.Group g, Path work) {
        Path dir = work.resolve(g.kind().name().toLowerCase() + "-" + g.rangeStart() + "-" + g.rangeEnd());
        try {
            deleteRecursively(dir);
            List<Path> inputs = new ArrayList<>();
            List<BucketBlockMeta> inputMetas = new ArrayList<>();
            for (BucketIndex.Block b : g.blocks()) {
                Optional<BucketBlockMeta> meta = meta(tenant, b.id());
                if (meta.isEmpty()) {
                    log.warn("Tenant {}: block {} of a compaction group has no meta.json any more; group left for the next pass", tenant, b.id());
                    return new Outcome(Kind.FAILED, null);
                }
                inputMetas.add(meta.get());
                inputs.add(transfer.download(tenant, meta.get(), dir.resolve("in")));
            }
            Optional<BlockMeta> merged;
            try {
                merged = merger.merge(inputs, dir.resolve("out"));
            } catch (IOException | RuntimeException e) {
                return noCompactOrFail(tenant, g, inputs, e);
            }
            if (merged.isEmpty()) {
                log.info("Tenant {}: blocks {} hold no samples; marking them for deletion", tenant, g.ids());
                return new Outcome(Kind.EMPTY, null);
            }
            // What it holds of each ingester's blocks, for an ingester restoring an empty disk once they are gone.
            BucketBlockMeta uploaded = transfer.uploadCompacted(tenant, dir.resolve("out").resolve(merged.get().ulid().toString()),
                    io.mnemo.bucketstore.SourceOrigin.merge(inputMetas));
            metas.put(tenant + "/" + uploaded.block().ulid(), uploaded);
            log.info("Tenant {}: compacted {} ({}) into block {} [{}, {})", tenant, g.ids(), g.kind(), uploaded.block().ulid(),
                    uploaded.block().minTime(), uploaded.block().maxTime());
            return new Outcome(Kind.COMPACTED, uploaded.block().ulid());
        } catch (IOException | RuntimeException e) {
            log.warn("Tenant {}: compaction of {} failed, tried again at the next pass: {}", tenant, g.ids(), e.toString());
            return new Outcome(Kind.FAILED, null);
        } finally {
            try {
                deleteRecursively(dir);
            } catch (IOException e) {
                log.warn("Tenant {}: could not remove {}: {}", tenant, dir, e.toString());
            }
        }
    }

    /** After a failed merge: the first input that does not read gets a no-compact mark; else the group failed. */
    private Outcome noCompactOrFail(String tenant, CompactionPlanner.Group g, List<Path> inputs, Exception cause) throws IOException {
        for (int i = 0; i < inputs.size(); i++) {
            String problem = unreadable(inputs.get(i));
            if (problem == null) continue;
            Ulid id = g.blocks().get(i).id();
            if (Markers.write(bucket, tenant, new NoCompactMark(id, clock.instant().getEpochSecond(), NoCompactMark.CRITICAL,
                    "compaction failed: " + problem))) {
                metrics.blockMarkedNoCompact();
            }
            log.error("Tenant {}: block {} cannot be read ({}); marked no-compact, compaction carries on without it", tenant, id, problem);
            return new Outcome(Kind.NO_COMPACT, null);
        }
        log.warn("Tenant {}: merging {} failed with every block readable, tried again at the next pass: {}", tenant, g.ids(),
                cause.toString());
        return new Outcome(Kind.FAILED, null);
    }

    /** Why a local block cannot be read whole (index, every series, every sample), or null. */
    private static String unreadable(Path block) {
        try (BlockReader r = BlockReader.open(block); Querier q = r.querier(Long.MIN_VALUE, Long.MAX_VALUE)) {
            SeriesSet set = q.select(false, EVERY_SERIES);
            while (set.next()) {
                for (SampleIterator it = set.at().iterator(); it.next(); ) {
                    it.timestamp();
                }
            }
            return null;
        } catch (IOException | RuntimeException e) {
            return e.toString();
        }
    }

    private int markSources(String tenant, CompactionPlanner.Group g, Ulid result) throws IOException {
        int marked = 0;
        String details = result == null ? "no samples" : "compacted into block " + result;
        for (BucketIndex.Block b : g.blocks()) {
            if (Markers.write(bucket, tenant, new DeletionMark(b.id(), clock.instant().getEpochSecond(), details))) marked++;
        }
        metrics.blocksMarkedForDeletion(CompactorMetrics.COMPACTION, marked);
        return marked;
    }

    static void deleteRecursively(Path dir) throws IOException {
        if (!Files.exists(dir)) return;
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        } catch (NoSuchFileException e) {
            // gone already
        }
    }
}
