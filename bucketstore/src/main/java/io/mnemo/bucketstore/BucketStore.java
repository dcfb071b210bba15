package io.mnemo.bucketstore;

import io.mnemo.bucketstore.bucketindex.BlocksDiscovery;
import io.mnemo.bucketstore.cache.CacheStats;
import io.mnemo.bucketstore.cache.ChunksCache;
import io.mnemo.bucketstore.cache.IndexCache;
import io.mnemo.objstore.Bucket;
import io.mnemo.tsdb.block.Ulid;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A store-gateway's storage engine (after Mimir's {@code BucketStore}): serves the blocks of object
 * storage where they lie. {@link #sync} finds the tenants' whole blocks in the bucket and loads
 * those this store-gateway owns, keeping per block only an index-header on local disk
 * ({@code <sync-dir>/<tenant>/<ULID>/index-header}); {@link #query} reads postings, series and
 * chunks with ranged reads through two caches of bounded size, on the caller's thread.
 *
 * <p>Which blocks a tenant has comes from its bucket index when the compactor has written one, else
 * from listing the bucket ({@link BlocksDiscovery}): a block is there once its {@code meta.json}
 * is, and is served until it is gone or its deletion mark is {@code ignore-deletion-marks-delay}
 * old, so that the block the compactor replaced it with is loaded first.
 *
 * <p>Safe for concurrent queries and a concurrent sync: a query holds a reference on each block
 * it reads, and a block a sync drops is closed only once the last query reading it is closed.
 */
public final class BucketStore implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(BucketStore.class);

    private final Bucket bucket;
    private final Path syncDir;
    private final BucketStoreConfig config;
    private final BlockFilter owned;
    private final BlocksDiscovery discovery;
    private final ReadPolicy policy;
    private final IndexCache indexCache;
    private final ChunksCache chunksCache;
    private final ReadCounters counters = new ReadCounters();
    private final Object syncLock = new Object();
    // Guarded by syncLock: meta.json of every whole block seen, read once (blocks do not change).
    private final Map<String, Map<Ulid, BucketBlockMeta>> metas = new HashMap<>();
    /** Loaded blocks per tenant, by min time: replaced whole by a sync, read by queries without a lock. */
    private volatile Map<String, List<BucketBlock>> loaded = Map.of();
    private volatile boolean closed;

    /** Which blocks a store-gateway serves: its shard of them. */
    @FunctionalInterface
    public interface BlockFilter {
        boolean owns(String tenant, BucketBlockMeta meta);
    }

    /**
     * What a sync did.
     *
     * @param loaded  blocks loaded by this sync
     * @param dropped blocks dropped: gone from the bucket, marked for deletion, no longer owned
     * @param failed  blocks that should be loaded but could not be (retried by the next sync)
     * @param blocks  blocks loaded after it, over all tenants
     */
    public record SyncResult(int loaded, int dropped, int failed, int blocks) {}

    /** @param owned which blocks this store-gateway serves (its shard); called during sync */
    public BucketStore(Bucket bucket, Path syncDir, BucketStoreConfig config, BlockFilter owned) {
        this(bucket, syncDir, config, owned, ReadPolicy.DEFAULT);
    }

    BucketStore(Bucket bucket, Path syncDir, BucketStoreConfig config, BlockFilter owned, ReadPolicy policy) {
        this.bucket = bucket;
        this.syncDir = syncDir;
        this.config = config;
        this.owned = owned;
        this.discovery = new BlocksDiscovery(bucket, config.ignoreDeletionMarksDelay(), config.clock());
        this.policy = policy;
        this.indexCache = new IndexCache(config.indexCacheBytes());
        this.chunksCache = new ChunksCache(config.chunksCacheBytes());
    }

    /**
     * Lists tenants and their blocks (bucket index, else listing: {@link BlocksDiscovery}), loads the owned ones not loaded yet
     * (index-header), drops those no longer owned or gone; blocks with minTime within
     * config.ignoreBlocksWithin() of now are skipped. Safe to call while queries run.
     *
     * @throws IOException when the bucket cannot be listed: then nothing changes
     */
    public SyncResult sync() throws IOException {
        synchronized (syncLock) {
            if (closed) throw new IllegalStateException("bucket store is closed");
            // Listing first, so that a bucket failing to list changes nothing.
            Map<String, Set<Ulid>> present = new TreeMap<>();
            for (String tenant : BucketLayout.tenants(bucket)) {
                if (tenant.equals(".") || tenant.equals("..")) continue;
                Set<Ulid> ids = new TreeSet<>();
                for (BlocksDiscovery.Discovered d : discovery.blocks(tenant)) ids.add(d.id());
                present.put(tenant, ids);
            }
            metas.keySet().retainAll(present.keySet());
            Map<String, Map<Ulid, BucketBlock>> previous = new HashMap<>();
            for (var e : loaded.entrySet()) {
                Map<Ulid, BucketBlock> m = new HashMap<>();
                for (BucketBlock b : e.getValue()) m.put(b.ulid(), b);
                previous.put(e.getKey(), m);
            }
            List<BucketBlock> loadedNow = new ArrayList<>();
            int[] failed = {0};
            Map<String, List<BucketBlock>> next = new HashMap<>();
            try {
                for (var e : present.entrySet()) {
                    String tenant = e.getKey();
                    List<BucketBlock> blocks = sync(tenant, e.getValue(), previous.computeIfAbsent(tenant, t -> new HashMap<>()),
                            loadedNow, failed);
                    if (!blocks.isEmpty()) next.put(tenant, List.copyOf(blocks));
                }
            } catch (RuntimeException e) { // the ownership filter failed: nothing changes
                loadedNow.forEach(BucketBlock::release);
                throw e;
            }
            loaded = Map.copyOf(next);
            int dropped = 0;
            for (Map<Ulid, BucketBlock> gone : previous.values()) {
                for (BucketBlock b : gone.values()) {
                    b.release(); // closes once the queries holding it are done
                    dropped++;
                }
            }
            removeStaleLocalDirs(next);
            int total = next.values().stream().mapToInt(List::size).sum();
            return new SyncResult(loadedNow.size(), dropped, failed[0], total);
        }
    }

    /**
     * The blocks of one tenant to serve, by min time: those of {@code present} old enough and
     * owned, taken from {@code had} (what is left there is dropped) or loaded (added to
     * {@code loadedNow}); blocks whose meta.json cannot be read or that cannot be loaded are
     * counted in {@code failed[0]} and tried again by the next sync.
     */
    private List<BucketBlock> sync(String tenant, Set<Ulid> present, Map<Ulid, BucketBlock> had, List<BucketBlock> loadedNow,
                                   int[] failed) {
        Map<Ulid, BucketBlockMeta> tenantMetas = metas.computeIfAbsent(tenant, t -> new HashMap<>());
        tenantMetas.keySet().retainAll(present);
        long ignoreMs = config.ignoreBlocksWithin().toMillis();
        long now = config.clock().millis();
        List<BucketBlock> blocks = new ArrayList<>();
        for (Ulid ulid : present) {
            BucketBlockMeta meta = tenantMetas.get(ulid);
            if (meta == null) {
                try {
                    meta = BucketLayout.meta(bucket, tenant, ulid).orElse(null);
                } catch (IOException | RuntimeException e) {
                    log.warn("cannot read the meta.json of block {} of tenant {}: {}", ulid, tenant, e.toString());
                    failed[0]++;
                    continue;
                }
                if (meta == null) continue; // deleted since the listing
                tenantMetas.put(ulid, meta);
            }
            if (ignoreMs > 0 && meta.block().minTime() >= now - ignoreMs) continue; // ingesters still answer for it
            if (!owned.owns(tenant, meta)) continue;
            BucketBlock block = had.remove(ulid);
            if (block == null) {
                try {
                    block = BucketBlock.load(bucket, tenant, meta, blockDir(tenant, ulid), indexCache, chunksCache, policy, counters);
                } catch (IOException | RuntimeException e) {
                    log.warn("cannot load block {} of tenant {} from {}: {}", ulid, tenant, bucket.describe(), e.toString());
                    failed[0]++;
                    continue;
                }
                loadedNow.add(block);
            }
            blocks.add(block);
        }
        blocks.sort(Comparator.comparingLong((BucketBlock b) -> b.meta().block().minTime()).thenComparing(BucketBlock::ulid));
        return blocks;
    }

    private Path blockDir(String tenant, Ulid ulid) {
        return syncDir.resolve(tenant).resolve(ulid.toString());
    }

    /**
     * Removes the local directories of blocks not loaded (dropped now, or left by an earlier run).
     * A query still reading a dropped block keeps its index-header mapped: the mapping outlives
     * the file.
     */
    private void removeStaleLocalDirs(Map<String, List<BucketBlock>> loadedNow) {
        if (!Files.isDirectory(syncDir)) return;
        try (DirectoryStream<Path> tenants = Files.newDirectoryStream(syncDir, Files::isDirectory)) {
            for (Path tenantDir : tenants) {
                Set<String> keep = new HashSet<>();
                for (BucketBlock b : loadedNow.getOrDefault(tenantDir.getFileName().toString(), List.of())) {
                    keep.add(b.ulid().toString());
                }
                try (DirectoryStream<Path> blocks = Files.newDirectoryStream(tenantDir)) {
                    for (Path p : blocks) {
                        if (!keep.contains(p.getFileName().toString())) deleteRecursively(p);
                    }
                }
                if (keep.isEmpty()) Files.deleteIfExists(tenantDir);
            }
        } catch (IOException e) {
            log.warn("cannot remove index-headers of blocks no longer loaded under {}: {}", syncDir, e.toString());
        }
    }

    private static void deleteRecursively(Path p) throws IOException {
        try (Stream<Path> walk = Files.walk(p)) {
            for (Path q : walk.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(q);
        } catch (NoSuchFileException e) {
            // gone already
        }
    }

    /**
     * The loaded blocks of a tenant overlapping [mint, maxt], restricted to {@code wanted} (null:
     * all). Holds a reference on each until close(), so a sync dropping a block never closes it
     * under a query.
     */
    public BlockQuery query(String tenant, long mint, long maxt, Set<Ulid> wanted) {
        if (closed) throw new IllegalStateException("bucket store is closed");
        List<BucketBlock> taken = new ArrayList<>();
        for (BucketBlock b : loaded.getOrDefault(tenant, List.of())) {
            if (!b.meta().block().overlaps(mint, maxt)) continue;
            if (wanted != null && !wanted.contains(b.ulid())) continue;
            if (b.tryAcquire()) taken.add(b); // else dropped and closed since the list was read: gone
        }
        return new BlockQuery(taken, mint, maxt, policy);
    }

    /** The metas of a tenant's loaded blocks, by min time: for status pages and tests. */
    public List<BucketBlockMeta> loaded(String tenant) {
        return loaded.getOrDefault(tenant, List.of()).stream().map(BucketBlock::meta).toList();
    }

    /** The tenants with loaded blocks, sorted. */
    public List<String> tenants() {
        return loaded.keySet().stream().sorted().toList();
    }

    /** Hits, misses, evictions and size of the postings and series cache. */
    public CacheStats indexCacheStats() { return indexCache.stats(); }

    /** Hits, misses, evictions and size of the chunks cache. */
    public CacheStats chunksCacheStats() { return chunksCache.stats(); }

    /** Ranged reads queries made of the bucket's index and chunk objects (index-header builds not counted). */
    public long bucketReads() { return counters.reads(); }

    /** Bytes those reads fetched, gaps between coalesced ranges included. */
    public long bucketBytesRead() { return counters.bytes(); }

    IndexCache indexCache() { return indexCache; }

    ChunksCache chunksCache() { return chunksCache; }

    /** Drops every block (each closed once the queries holding it are); queries cannot start after. */
    @Override
    public void close() {
        synchronized (syncLock) {
            if (closed) return;
            closed = true;
            Map<String, List<BucketBlock>> was = loaded;
            loaded = Map.of();
            for (List<BucketBlock> blocks : was.values()) blocks.forEach(BucketBlock::release);
        }
    }
}
