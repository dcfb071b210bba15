package io.mnemo.bucketstore.cache;

import io.mnemo.tsdb.block.Ulid;
import io.mnemo.tsdb.chunkenc.Chunk;

/**
 * Chunks of blocks in object storage, by their ref (segment file and offset), so that a repeated
 * query reads no chunk bytes from the bucket (Mimir's chunks cache, in memory:
 * {@code chunks-cache.inmemory.max-size-bytes}). Holds each chunk in its encoding (floats or
 * native histograms), checked when it was fetched, on an array of its own. Safe for concurrent use.
 */
public final class ChunksCache {
    private record ChunkKey(String tenant, Ulid block, long ref) {}

    private final BoundedCache<ChunkKey, Chunk> cache;

    /** @param maxBytes its bound; 0 caches nothing */
    public ChunksCache(long maxBytes) {
        cache = new BoundedCache<>(maxBytes, c -> 16 + c.array().length);
    }

    /** The chunk at this ref; null if not cached. */
    public Chunk chunk(String tenant, Ulid block, long ref) {
        return cache.get(new ChunkKey(tenant, block, ref));
    }

    /** Caches a chunk that is the whole of its array (a read-only view nobody changes). */
    public void putChunk(String tenant, Ulid block, long ref, Chunk chunk) {
        cache.put(new ChunkKey(tenant, block, ref), chunk);
    }

    public CacheStats stats() { return cache.stats(); }

    /** Runs pending maintenance (tests: the size after it is exact). */
    public void cleanUp() { cache.cleanUp(); }
}
