package io.mnemo.bucketstore.cache;

import io.mnemo.tsdb.block.Ulid;

/**
 * Postings lists and series entries of blocks in object storage, so that a repeated query reads
 * no index bytes from the bucket (Mimir's index cache, in memory:
 * {@code index-cache.inmemory.max-size-bytes}). Postings lists are kept decoded, series entries as
 * the bytes of the index (checked when they were fetched). Keys name the tenant and block, and
 * the list's offset in the index or the series' id. Safe for concurrent use.
 */
public final class IndexCache {
    private record PostingsKey(String tenant, Ulid block, long offset) {}

    private record SeriesKey(String tenant, Ulid block, int id) {}

    private final BoundedCache<Object, Object> cache;

    /** @param maxBytes its bound; 0 caches nothing */
    public IndexCache(long maxBytes) {
        cache = new BoundedCache<>(maxBytes, v -> v instanceof int[] ids ? 16 + 4 * ids.length : 16 + ((byte[]) v).length);
    }

    /** The postings list at this offset of the block's index; null if not cached. */
    public int[] postings(String tenant, Ulid block, long offset) {
        return (int[]) cache.get(new PostingsKey(tenant, block, offset));
    }

    public void putPostings(String tenant, Ulid block, long offset, int[] ids) {
        cache.put(new PostingsKey(tenant, block, offset), ids);
    }

    /** The bytes of a series entry (length, body, checksum); null if not cached. */
    public byte[] series(String tenant, Ulid block, int id) {
        return (byte[]) cache.get(new SeriesKey(tenant, block, id));
    }

    public void putSeries(String tenant, Ulid block, int id, byte[] entry) {
        cache.put(new SeriesKey(tenant, block, id), entry);
    }

    public CacheStats stats() { return cache.stats(); }

    /** Runs pending maintenance (tests: the size after it is exact). */
    public void cleanUp() { cache.cleanUp(); }
}
