package io.mnemo.bucketstore.cache;

import io.mnemo.tsdb.block.Ulid;

/**
 * Chunks of blocks in object storage, by their ref (segment file and offset), so that a repeated
 * query reads no chunk bytes from the bucket (Mimir's chunks cache, in memory:
 * {@code chunks-cache.inmemory.max-size-bytes}). Holds each chunk's XOR bytes, checked when they
 * were fetched. Safe for concurrent use.
 */
public final class ChunksCache {
    private record ChunkKey(String tenant, Ulid block, long ref) {}

    private final BoundedCache<ChunkKey, byte[]> cache;

    /** @param maxBytes its bound; 0 caches nothing */
    public ChunksCache(long maxBytes) {
        cache = new BoundedCache<>(maxBytes, b -> 16 + b.length);
    }

    /** The XOR bytes of the chunk at this ref; null if not cached. */
    public byte[] chunk(String tenant, Ulid block, long ref) {
        return cache.get(new ChunkKey(tenant, block, ref));
    }

    public void putChunk(String tenant, Ulid block, long ref, byte[] xor) {
        cache.put(new ChunkKey(tenant, block, ref), xor);
    }

    public CacheStats stats() { return cache.stats(); }

    /** Runs pending maintenance (tests: the size after it is exact). */
    public void cleanUp() { cache.cleanUp(); }
}
