package io.mnemo.compactor;

import io.mnemo.tsdb.block.BlockMeta;
import io.mnemo.tsdb.compact.BlockCompactor;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * The node's {@link BlockMerger}: tsdb's streaming {@link BlockCompactor} (memory bounded by the
 * blocks' symbols and postings, not by their samples), which writes the block under a temporary
 * name and renames it into place, so it appears whole or not at all.
 */
public final class StreamingBlockMerger implements BlockMerger {
    @Override
    public Optional<BlockMeta> merge(List<Path> blocks, Path outDir) throws IOException {
        return new BlockCompactor(outDir).compact(blocks);
    }
}
