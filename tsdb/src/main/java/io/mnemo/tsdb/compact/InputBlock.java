package io.mnemo.tsdb.compact;

import io.mnemo.tsdb.Labels;
import io.mnemo.tsdb.block.BlockMeta;
import io.mnemo.tsdb.block.ChunkSegmentReader;
import io.mnemo.tsdb.block.IndexReader;
import io.mnemo.tsdb.block.SeriesEntry;
import io.mnemo.tsdb.block.Tombstones;

import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Map;

/**
 * One block being compacted, read as a cursor over its series in the index's order, which is
 * Prometheus's label order (series ids ascend with it). Holds the block's mapped index and chunk
 * segments, the ids of its series (its all-series postings list) and its deleted intervals;
 * one decoded series entry at a time, never the samples.
 */
final class InputBlock implements Closeable {
    final Path dir;
    final BlockMeta meta;
    /** Position in the compaction's input order, by (minTime, ULID): breaks ties between equal samples. */
    final int order;
    private final IndexReader index;
    private final ChunkSegmentReader chunks;
    private final Map<Integer, long[]> deleted;
    private final int[] ids;
    private int next;
    private int seriesId = -1;
    final SeriesEntry entry = new SeriesEntry();

    private InputBlock(Path dir, BlockMeta meta, int order, IndexReader index, ChunkSegmentReader chunks,
                       Map<Integer, long[]> deleted) {
        this.dir = dir;
        this.meta = meta;
        this.order = order;
        this.index = index;
        this.chunks = chunks;
        this.deleted = deleted;
        this.ids = index.allPostings();
    }

    static InputBlock open(Path dir, BlockMeta meta, int order) throws IOException {
        Map<Integer, long[]> deleted = Tombstones.read(dir);
        IndexReader index = IndexReader.open(dir.resolve("index"));
        try {
            return new InputBlock(dir, meta, order, index, ChunkSegmentReader.open(dir.resolve("chunks")), deleted);
        } catch (IOException | RuntimeException e) {
            index.close();
            throw e;
        }
    }

    /** The block's symbols in UTF-8 order, one at a time. */
    Iterator<String> symbols() {
        return index.symbols();
    }

    /** Decodes the next series into {@link #entry}; false after the last one. */
    boolean advance() throws IOException {
        if (next == ids.length) {
            seriesId = -1;
            return false;
        }
        seriesId = ids[next++];
        index.series(seriesId, entry, true);
        return true;
    }

    Labels labels() { return entry.labels(); }

    /** Deleted intervals of the current series ({mint, maxt, ...} inclusive, sorted), or null. */
    long[] deletedOfSeries() {
        return deleted.isEmpty() ? null : deleted.get(seriesId);
    }

    /** See {@link ChunkSegmentReader#copyChunk}: the encoding byte, then the chunk's bytes. */
    int copyChunk(long ref, byte[] dst) throws IOException {
        return chunks.copyChunk(ref, dst);
    }

    @Override
    public void close() {
        index.close();
        chunks.close();
    }

    @Override
    public String toString() {
        return dir.toString();
    }
}
