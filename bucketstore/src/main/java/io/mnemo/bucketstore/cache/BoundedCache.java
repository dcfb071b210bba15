package io.mnemo.bucketstore.cache;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.stats.CacheStats;
import java.util.function.ToIntFunction;

/**
 * A Caffeine cache bounded by the estimated bytes of its entries (a weigher), with hit, miss and
 * eviction counts. Eviction runs on the thread that adds, so the bound holds as soon as an add
 * returns (Caffeine would otherwise leave it to a pool thread).
 */
final class BoundedCache<K, V> {
    /** Per entry besides its value: key, entry object, references (an estimate, as any Java size is). */
    static final int ENTRY_OVERHEAD = 96;

    private final Cache<K, V> cache;
    private final long maxBytes;

    BoundedCache(long maxBytes, ToIntFunction<V> valueBytes) {
        if (maxBytes < 0) throw new IllegalArgumentException("cache size must not be negative: " + maxBytes);
        this.maxBytes = maxBytes;
        this.cache = Caffeine.newBuilder()
                .maximumWeight(maxBytes)
                .weigher((K k, V v) -> ENTRY_OVERHEAD + valueBytes.applyAsInt(v))
                .executor(Runnable::run)
                .recordStats()
                .build();
    }

    V get(K key) {
        return cache.getIfPresent(key);
    }

    void put(K key, V value) {
        if (maxBytes > 0) cache.put(key, value);
    }

    io.mnemo.bucketstore.cache.CacheStats stats() {
        CacheStats s = cache.stats();
        long bytes = cache.policy().eviction().map(e -> e.weightedSize().orElse(0L)).orElse(0L);
        return new io.mnemo.bucketstore.cache.CacheStats(s.hitCount(), s.missCount(), s.evictionCount(),
                cache.estimatedSize(), bytes, maxBytes);
    }

    void cleanUp() {
        cache.cleanUp();
    }
}
