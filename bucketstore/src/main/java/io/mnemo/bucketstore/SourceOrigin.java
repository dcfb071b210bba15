package io.mnemo.bucketstore;

import io.mnemo.tsdb.block.Ulid;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What a compacted block holds of one ingester's (zone and partition's) blocks: the origin of the
 * newest of them (its cut offsets), the ULID of that block (when it was cut), and the end of the
 * newest-ending of them. An ingester that restores an empty disk takes from it what it would have
 * taken from the blocks the compactor merged and deleted ({@code BucketRestore}).
 *
 * @param origin  the zone, partition and offsets of the newest cut among the sources (by next offset)
 * @param block   the ULID of that cut's block
 * @param maxTime the greatest max time (exclusive) of this ingester's sources
 */
public record SourceOrigin(BlockOrigin origin, Ulid block, long maxTime) {
    /** The newer of two records of one ingester: the greater next offset, then the later cut. */
    private static final Comparator<SourceOrigin> NEWER = Comparator.<SourceOrigin>comparingLong(s -> s.origin().nextOffset())
            .thenComparing(SourceOrigin::block);

    /** A block an ingester cut, as a compacted block records it. */
    public static SourceOrigin of(BucketBlockMeta meta) {
        return new SourceOrigin(meta.origin(), meta.block().ulid(), meta.block().maxTime());
    }

    /**
     * The origins of a block merged from these: per zone and partition, the newest cut and the
     * greatest end, over the inputs' own origins (an ingester's block) and the origins they carry
     * (a compacted block). Sorted by zone, then partition.
     */
    public static List<SourceOrigin> merge(Collection<BucketBlockMeta> inputs) {
        Map<String, SourceOrigin> byIngester = new TreeMap<>();
        for (BucketBlockMeta in : inputs) {
            List<SourceOrigin> of = new ArrayList<>(in.sourceOrigins());
            if (in.origin() != null) of.add(of(in));
            for (SourceOrigin s : of) {
                String key = s.origin().zone() + "\u0000" + String.format("%010d", s.origin().partition());
                byIngester.merge(key, s, (a, b) -> {
                    SourceOrigin newer = NEWER.compare(a, b) >= 0 ? a : b;
                    return new SourceOrigin(newer.origin(), newer.block(), Math.max(a.maxTime(), b.maxTime()));
                });
            }
        }
        return List.copyOf(byIngester.values());
    }
}
