package io.mnemo.tsdb.db;

import io.mnemo.tsdb.block.BlockMeta;
import java.util.List;
import java.util.Map;

/**
 * What the owner of a {@link TenantDb} adds to each cut and learns from it, in the order the
 * cuts happen and on the database's thread: the origin fields of the blocks' {@link BlockSidecar},
 * which the database writes without reading them, and what was cut, to keep its own bookkeeping
 * (an ingester: the Kafka offsets a rebuild must start at).
 */
public interface CutHook {
    /** Nothing to add or learn: blocks carry a sidecar without origin fields. */
    CutHook NONE = new CutHook() {
        @Override
        public Map<String, String> origin(Cut cut) { return Map.of(); }

        @Override
        public void cut(Cut cut, List<BlockMeta> blocks) {}
    };

    /** The origin fields of the sidecar of the blocks this cut is about to write. */
    Map<String, String> origin(Cut cut);

    /**
     * An in-order cut wrote its block (if its range held samples) and the head still holds them:
     * a crash here leaves both, which recovery must sort out (fault injection pauses here).
     */
    default void written(Cut cut) {}

    /**
     * The head let go of the cut's samples, which are in {@code blocks} (none when the range
     * held no sample), open and part of the database's reads.
     */
    void cut(Cut cut, List<BlockMeta> blocks);
}
