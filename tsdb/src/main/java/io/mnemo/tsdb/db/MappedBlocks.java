package io.mnemo.tsdb.db;

import io.mnemo.tsdb.block.BlockReader;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;

/**
 * A cap on the blocks kept mapped, shared by the tenant databases of one owner (an ingester's
 * partition). Each mapped block costs two memory maps or more (a process gets 65,530 by default)
 * and its index's tables on the heap; beyond the cap, the least recently read idle blocks are
 * unmapped, and a querier maps them again when it needs them ({@link BlockReader#unmap}).
 *
 * <p>Thread-safe: queriers on read threads mark the blocks they read.
 */
public final class MappedBlocks {
    private final int max;
    /** The blocks mapped now, least recently read first. */
    private final LinkedHashSet<BlockReader> mapped = new LinkedHashSet<>();

    /** @param max most blocks kept mapped while idle */
    public MappedBlocks(int max) {
        if (max < 1) throw new IllegalArgumentException("at least one block must stay mapped: " + max);
        this.max = max;
    }

    /** Stops tracking a block that was closed for good (deleted): it is never read again. */
    public synchronized void forget(BlockReader block) {
        mapped.remove(block);
    }

    /**
     * Marks these blocks as read now (their queriers map them, if they were not), and unmaps the
     * least recently read idle others beyond the cap. Call with none once a read is over: the
     * blocks it mapped beyond the cap go then.
     */
    public synchronized void read(List<BlockReader> reading) {
        for (BlockReader b : reading) {
            mapped.remove(b);
            mapped.add(b);
        }
        int excess = mapped.size() - max;
        int others = mapped.size() - reading.size(); // the ones before those, at the end now
        Iterator<BlockReader> it = mapped.iterator();
        for (int i = 0; i < others && excess > 0; i++) {
            BlockReader b = it.next();
            if (b.unmap() || !b.isMapped()) {
                it.remove();
                excess--;
            }
        }
    }
}
