package io.mnemo.bucketstore;

import java.time.Clock;
import java.time.Duration;

/**
 * Settings of a {@link BucketStore}, in Mimir's terms.
 *
 * @param ignoreBlocksWithin blocks whose min time is within this of now are not loaded (the
 *                           ingesters still answer for them); 0 loads every block
 *                           ({@code blocks-storage.bucket-store.ignore-blocks-within})
 * @param indexCacheBytes    bound of the postings and series cache
 *                           ({@code blocks-storage.bucket-store.index-cache.inmemory.max-size-bytes}); 0: none
 * @param chunksCacheBytes   bound of the chunks cache
 *                           ({@code blocks-storage.bucket-store.chunks-cache.inmemory.max-size-bytes}); 0: none
 * @param clock              what "now" is
 * @param ignoreDeletionMarksDelay a block marked for deletion is served until its mark is this old
 *                           ({@code blocks-storage.bucket-store.ignore-deletion-marks-delay}); 0 drops it on the mark
 */
public record BucketStoreConfig(Duration ignoreBlocksWithin, long indexCacheBytes, long chunksCacheBytes, Clock clock,
                                Duration ignoreDeletionMarksDelay) {
    /** Mimir's default of {@code ignore-deletion-marks-delay}. */
    public static final Duration DEFAULT_IGNORE_DELETION_MARKS_DELAY = Duration.ofHours(1);

    /** Mimir's default of {@code ignore-blocks-within}. */
    public static final Duration DEFAULT_IGNORE_BLOCKS_WITHIN = Duration.ofHours(10);
    /** 256 MiB: Mimir's default is 1 GiB, for machines larger than Mnemo's 2-core VMs. */
    public static final long DEFAULT_INDEX_CACHE_BYTES = 256L << 20;
    /** 256 MiB. */
    public static final long DEFAULT_CHUNKS_CACHE_BYTES = 256L << 20;

    public BucketStoreConfig {
        if (ignoreBlocksWithin.isNegative()) throw new IllegalArgumentException("ignore-blocks-within must not be negative");
        if (indexCacheBytes < 0 || chunksCacheBytes < 0) throw new IllegalArgumentException("cache sizes must not be negative");
        if (ignoreDeletionMarksDelay.isNegative()) throw new IllegalArgumentException("ignore-deletion-marks-delay must not be negative");
    }

    /** Marked blocks dropped as soon as they are marked. */
    public BucketStoreConfig(Duration ignoreBlocksWithin, long indexCacheBytes, long chunksCacheBytes, Clock clock) {
        this(ignoreBlocksWithin, indexCacheBytes, chunksCacheBytes, clock, Duration.ZERO);
    }

    /** The defaults, with the system clock. */
    public static BucketStoreConfig defaults() {
        return new BucketStoreConfig(DEFAULT_IGNORE_BLOCKS_WITHIN, DEFAULT_INDEX_CACHE_BYTES, DEFAULT_CHUNKS_CACHE_BYTES,
                Clock.systemUTC(), DEFAULT_IGNORE_DELETION_MARKS_DELAY);
    }
}
