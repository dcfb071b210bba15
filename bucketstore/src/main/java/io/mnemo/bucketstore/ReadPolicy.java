package io.mnemo.bucketstore;

/**
 * How the bucket store reads a block's objects.
 *
 * @param coalescer    which ranges are read together
 * @param seriesGuess  bytes read for a series entry whose end is not known (the last of a read):
 *                     one that is longer is read again on its own
 * @param chunkGuess   likewise for a chunk (Prometheus's XOR chunks hold 120 samples, rarely 2 KiB;
 *                     its histogram chunks are cut at about 1 KiB, more only with 10 samples of
 *                     very many buckets)
 * @param seriesBatch  series a select reads at once (their entries, then their chunks): bounds
 *                     what one select holds in memory per block
 */
record ReadPolicy(RangeCoalescer coalescer, int seriesGuess, int chunkGuess, int seriesBatch) {
    static final ReadPolicy DEFAULT = new ReadPolicy(new RangeCoalescer(512 << 10, 16 << 20), 4 << 10, 16 << 10, 4096);
}
