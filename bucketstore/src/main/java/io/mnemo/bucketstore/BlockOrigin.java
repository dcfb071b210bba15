package io.mnemo.bucketstore;

import io.mnemo.tsdb.db.BlockSidecar;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Where an ingester's block came from: the origin fields of its {@link BlockSidecar} on the
 * ingester's disk, and of the Mnemo section of its {@code meta.json} in the bucket
 * ({@link BucketBlockMeta}). With them an ingester finds its own blocks among those of every zone
 * and partition in a tenant's directory, and knows where consuming its partition must start to
 * rebuild what is not in them.
 *
 * <pre>
 * zone=&lt;zone&gt;                the ingester that cut the block
 * partition=&lt;partition&gt;      decimal
 * nextOffset=&lt;offset&gt;        the partition offset consumed up to (exclusive) at the cut
 * rebuildOffset=&lt;offset&gt;     where consuming rebuilds every tenant's head as it stood after the
 *                            cut; the newest block's counts (-1, or absent: from the start)
 * </pre>
 *
 * @param nextOffset -1 when absent
 * @param rebuildOffset -1 when absent
 */
public record BlockOrigin(String zone, int partition, long nextOffset, long rebuildOffset) {
    private static final String ZONE = "zone";
    private static final String PARTITION = "partition";
    private static final String NEXT_OFFSET = "nextOffset";
    private static final String REBUILD_OFFSET = "rebuildOffset";


    /** The sidecar's origin fields, in the order written since the first release. */
    public Map<String, String> fields() {
        Map<String, String> f = new LinkedHashMap<>();
        f.put(ZONE, zone);
        f.put(PARTITION, Integer.toString(partition));
        f.put(NEXT_OFFSET, Long.toString(nextOffset));
        f.put(REBUILD_OFFSET, Long.toString(rebuildOffset));
        return f;
    }

    /** Whether the ingester of this zone and partition cut the block. */
    public boolean cutBy(String zone, int partition) {
        return this.zone.equals(zone) && this.partition == partition;
    }

    /**
     * The origin of a block if the ingester of this zone and partition cut it; null for another
     * ingester's, or a sidecar without an ingester's fields.
     *
     * @throws IllegalArgumentException if its offsets are not numbers
     */
    public static BlockOrigin cutBy(String zone, int partition, BlockSidecar sidecar) {
        Map<String, String> f = sidecar.origin();
        if (!zone.equals(f.get(ZONE)) || !Integer.toString(partition).equals(f.get(PARTITION))) return null;
        return new BlockOrigin(zone, partition, offset(f, NEXT_OFFSET), offset(f, REBUILD_OFFSET));
    }

    /**
     * The origin a sidecar names, whichever ingester cut the block; null when it names none (a
     * sidecar without zone and partition).
     *
     * @throws IllegalArgumentException if its partition or offsets are not numbers
     */
    public static BlockOrigin of(BlockSidecar sidecar) {
        Map<String, String> f = sidecar.origin();
        String zone = f.get(ZONE);
        String partition = f.get(PARTITION);
        if (zone == null || partition == null) return null;
        int p;
        try {
            p = Integer.parseInt(partition);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("block origin field " + PARTITION + " is not a number: '" + partition + "'");
        }
        return new BlockOrigin(zone, p, offset(f, NEXT_OFFSET), offset(f, REBUILD_OFFSET));
    }

    private static long offset(Map<String, String> f, String key) {
        String v = f.get(key);
        if (v == null) return -1;
        try {
            return Long.parseLong(v);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("block origin field " + key + " is not a number: '" + v + "'");
        }
    }
}
