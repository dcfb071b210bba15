package io.mnemo.compactor;

import io.mnemo.tsdb.block.BlockMeta;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * Merges Prometheus blocks on local disk into one new block: tsdb's streaming
 * {@code BlockCompactor} in a node. The inputs may overlap in time (zones' copies, out-of-order
 * blocks: identical samples are kept once) or follow each other.
 */
@FunctionalInterface
public interface BlockMerger {
    /**
     * Writes the merge of {@code blocks} as {@code <outDir>/<new ULID>/}, appearing whole or not
     * at all. Its meta covers [min of the inputs' minTime, max of their maxTime), with compaction
     * level one above the highest input's and the union of their sources (what lets a later pass
     * see that the inputs are in it). Empty when the inputs hold no sample: nothing is written.
     *
     * @throws IOException or an unchecked exception when an input cannot be read (corrupt) or the disk fails
     */
    Optional<BlockMeta> merge(List<Path> blocks, Path outDir) throws IOException;
}
