package io.mnemo.tsdb.block;

import io.mnemo.tsdb.ChunkSeries;
import io.mnemo.tsdb.LabelMatcher;
import io.mnemo.tsdb.Labels;
import io.mnemo.tsdb.Querier;
import io.mnemo.tsdb.Series;
import io.mnemo.tsdb.SeriesSet;
import io.mnemo.tsdb.chunkenc.ChunkMeta;
import io.mnemo.tsdb.chunkenc.Chunk;
import io.mnemo.tsdb.index.PostingsForMatchers;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/**
 * Reads one block over [mint, maxt], with the same answers a head querier gives for the same
 * samples. A select resolves the matchers through the block's postings at once, then decodes the
 * series lazily, one per {@code next()}, copying only the chunks that overlap the range; series
 * without a sample in the range are skipped. Series come in the block's order, which is sorted
 * by labels.
 *
 * <p>Like the head's, a querier is used by one thread at a time. I/O errors and corruption found
 * while reading surface as {@link UncheckedIOException}.
 */
final class BlockQuerier implements Querier {
    private final BlockReader block;
    private final IndexReader index;
    private final ChunkSegmentReader chunks;
    private final long mint;
    private final long maxt;
    private boolean closed;

    BlockQuerier(BlockReader block, IndexReader index, ChunkSegmentReader chunks, long mint, long maxt) {
        this.block = block;
        this.index = index;
        this.chunks = chunks;
        this.mint = mint;
        this.maxt = maxt;
    }

    @Override
    public SeriesSet select(boolean sorted, LabelMatcher... matchers) {
        checkOpen();
        if (!block.meta().overlaps(mint, maxt)) return SeriesSet.EMPTY;
        return new BlockSeriesSet(PostingsForMatchers.of(index, matchers));
    }

    /**
     * Without matchers, every label name of the block (if it overlaps the range), as the head
     * does; with matchers, those of the matching series that have chunks overlapping the range.
     */
    @Override
    public List<String> labelNames(LabelMatcher... matchers) {
        checkOpen();
        if (!block.meta().overlaps(mint, maxt)) return List.of();
        if (matchers.length == 0) return index.labelNames();
        TreeSet<String> names = new TreeSet<>();
        forMatchingSeries(matchers, l -> {
            for (int i = 0; i < l.size(); i++) names.add(l.name(i));
        });
        return new ArrayList<>(names);
    }

    /** Same scope rules as {@link #labelNames}. */
    @Override
    public List<String> labelValues(String name, LabelMatcher... matchers) {
        checkOpen();
        if (!block.meta().overlaps(mint, maxt)) return List.of();
        if (matchers.length == 0) return index.labelValues(name);
        TreeSet<String> values = new TreeSet<>();
        forMatchingSeries(matchers, l -> {
            String v = l.get(name);
            if (!v.isEmpty()) values.add(v);
        });
        return new ArrayList<>(values);
    }

    private void forMatchingSeries(LabelMatcher[] matchers, java.util.function.Consumer<Labels> action) {
        try {
            SeriesEntry e = new SeriesEntry();
            for (int id : PostingsForMatchers.of(index, matchers)) {
                index.series(id, e, true);
                if (e.overlaps(mint, maxt)) action.accept(e.labels);
            }
        } catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }

    private void checkOpen() {
        if (closed) throw new IllegalStateException("querier of block " + block.meta().ulid() + " is closed");
    }

    @Override
    public void close() {
        if (closed) return;
        closed = true;
        block.release();
    }

    /** Decodes the selected series one at a time. */
    private final class BlockSeriesSet implements SeriesSet {
        private final int[] ids;
        private final SeriesEntry entry = new SeriesEntry();
        private int next;
        private Series current;

        BlockSeriesSet(int[] ids) {
            this.ids = ids;
        }

        @Override
        public boolean next() {
            checkOpen();
            try {
                while (next < ids.length) {
                    index.series(ids[next++], entry, true);
                    ChunkMeta[] metas = overlappingChunks();
                    if (metas != null) {
                        current = new ChunkSeries(entry.labels, metas, mint, maxt);
                        return true;
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            current = null;
            return false;
        }

        /** The series' chunks overlapping the range, of any encoding, read out; null if no sample is in it. */
        private ChunkMeta[] overlappingChunks() throws IOException {
            int first = entry.firstChunkFrom(mint);
            int end = entry.chunksUntil(first, maxt);
            if (first == end) return null;
            List<ChunkMeta> out = new ArrayList<>(end - first);
            for (int i = first; i < end; i++) {
                out.add(new ChunkMeta(chunks.readChunk(entry.refs[i]), entry.mins[i], entry.maxs[i]));
            }
            ChunkMeta[] metas = out.toArray(new ChunkMeta[0]);
            return ChunkSeries.hasSampleIn(metas, mint, maxt) ? metas : null;
        }

        @Override
        public Series at() {
            if (current == null) throw new IllegalStateException("no current series");
            return current;
        }
    }
}
