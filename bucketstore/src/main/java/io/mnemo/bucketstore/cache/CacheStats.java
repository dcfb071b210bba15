package io.mnemo.bucketstore.cache;

/**
 * What a cache did since it was made: lookups answered and not, entries evicted to stay within
 * its bound, and what it holds now.
 *
 * @param bytes    the estimated size of what it holds (its weight), at most {@code maxBytes}
 * @param maxBytes its bound; 0 when caching is off
 */
public record CacheStats(long hits, long misses, long evictions, long entries, long bytes, long maxBytes) {}
