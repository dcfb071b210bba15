package io.mnemo.tsdb.db;

/**
 * Where the blocks a {@link TenantDb} cuts end: at the end of the largest aligned range of 12, 6
 * or 1 block ranges (24 h, 12 h, 2 h with the default range: Mimir's compactor levels) that
 * contains the oldest sample to cut and ends by the limit. A head that keeps up with steady
 * traffic is cut one block range at a time; one holding days of old data (a flood of backfilled
 * samples, a long replay) is cut into a block per day instead of one per range, so a sparse day
 * costs one block and its two memory maps, not twelve.
 */
public final class BlockLevels {
    private static final int[] MULTIPLES = {12, 6, 1};

    private BlockLevels() {}

    /**
     * The end of the largest aligned level containing {@code t} that ends at or before
     * {@code limit}; {@code limit} itself when not even one block range does.
     */
    public static long end(long t, long limit, long blockRange) {
        for (int m : MULTIPLES) {
            long size = blockRange * m;
            try { // timestamps come from clients: near the ends of the long range, no level fits
                long end = Math.addExact(Math.multiplyExact(Math.floorDiv(t, size), size), size);
                if (end <= limit) return end;
            } catch (ArithmeticException e) {
                // try a smaller level
            }
        }
        return limit;
    }

    /**
     * The start of the block range containing t: floor(t / range) * range, held at
     * Long.MIN_VALUE instead of wrapping for timestamps near it.
     */
    public static long alignDown(long t, long range) {
        long q = Math.floorDiv(t, range);
        return q < Long.MIN_VALUE / range ? Long.MIN_VALUE : q * range;
    }
}
