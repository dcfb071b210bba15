package io.mnemo.bucketstore;

import io.mnemo.tsdb.ChunkSeries;
import io.mnemo.tsdb.LabelMatcher;
import io.mnemo.tsdb.Labels;
import io.mnemo.tsdb.MergeSeriesSet;
import io.mnemo.tsdb.Querier;
import io.mnemo.tsdb.Series;
import io.mnemo.tsdb.SeriesSet;
import io.mnemo.tsdb.block.SeriesEntry;
import io.mnemo.tsdb.block.Ulid;
import io.mnemo.tsdb.chunkenc.ChunkMeta;
import io.mnemo.tsdb.chunkenc.Chunk;
import io.mnemo.tsdb.index.PostingsForMatchers;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.TreeSet;
import java.util.function.Consumer;

/**
 * A query over [mint, maxt] of the blocks of one tenant a store-gateway serves, answering as the
 * ingesters' heads and blocks do: {@link #select} gives every matching series of all its blocks
 * merged and sorted by labels, each block's series as a {@link ChunkSeries} carrying its chunks'
 * bytes and the query's bounds (what {@code SeriesSetCodec.FrameWriter} ships as they are);
 * series in several blocks (both zones' copies of a partition's block) are merged, identical
 * samples once.
 *
 * <p>Each block's series are read in batches: the entries of a batch of series in a few
 * coalesced reads, then their chunks likewise, so a select holds one batch per block in memory
 * (the blocks share the policy's batch size, down to a floor).
 * A block that cannot be read fails the query with a {@link BlockReadException} naming it:
 * thrown by {@code select} or by the series set's {@code next()}, never a set that ends early.
 *
 * <p>Holds a reference on each of its blocks until {@link #close}, so a sync that drops a block
 * never closes it under the query. Like the head's and blocks' queriers, one thread at a time.
 */
public final class BlockQuery implements Querier {
    /** Series per block read at once: the policy's batch shared by the blocks, this many at least. */
    private static final int MIN_BATCH = 256;

    private final List<BucketBlock> blocks;
    private final long mint;
    private final long maxt;
    private final int batchSize;
    private boolean closed;

    BlockQuery(List<BucketBlock> blocks, long mint, long maxt, ReadPolicy policy) {
        this.blocks = List.copyOf(blocks);
        this.mint = mint;
        this.maxt = maxt;
        // A merged select holds a batch of every block at once: a query over many blocks reads smaller ones.
        this.batchSize = Math.max(Math.min(MIN_BATCH, policy.seriesBatch()), policy.seriesBatch() / Math.max(1, blocks.size()));
    }

    /** The blocks this query reads, by min time: what the querier's consistency check compares with what it needs. */
    public List<Ulid> blocks() {
        return blocks.stream().map(BucketBlock::ulid).toList();
    }

    /** Merging needs sorted inputs, so the result is sorted whatever {@code sorted} says. */
    @Override
    public SeriesSet select(boolean sorted, LabelMatcher... matchers) {
        checkOpen();
        List<SeriesSet> sets = new ArrayList<>(blocks.size());
        for (BucketBlock b : blocks) {
            int[] ids = postings(b, matchers);
            if (ids.length > 0) sets.add(new BlockSeriesSet(b, ids));
        }
        return MergeSeriesSet.merge(sets);
    }

    /**
     * Without matchers, every label name of the blocks (from their index-headers); with
     * matchers, those of the matching series that have chunks overlapping the range.
     */
    @Override
    public List<String> labelNames(LabelMatcher... matchers) {
        checkOpen();
        TreeSet<String> names = new TreeSet<>();
        for (BucketBlock b : blocks) {
            if (matchers.length == 0) {
                names.addAll(b.header().tables().labelNames());
                continue;
            }
            forMatchingSeries(b, matchers, l -> {
                for (int i = 0; i < l.size(); i++) names.add(l.name(i));
            });
        }
        return new ArrayList<>(names);
    }

    /** Same scope rules as {@link #labelNames}. */
    @Override
    public List<String> labelValues(String name, LabelMatcher... matchers) {
        checkOpen();
        TreeSet<String> values = new TreeSet<>();
        for (BucketBlock b : blocks) {
            if (matchers.length == 0) {
                values.addAll(b.header().tables().labelValues(name));
                continue;
            }
            forMatchingSeries(b, matchers, l -> {
                String v = l.get(name);
                if (!v.isEmpty()) values.add(v);
            });
        }
        return new ArrayList<>(values);
    }

    private int[] postings(BucketBlock b, LabelMatcher[] matchers) {
        try {
            return PostingsForMatchers.of(b.postings(), matchers);
        } catch (UncheckedIOException | IndexOutOfBoundsException e) {
            throw failed(b, e);
        }
    }

    private void forMatchingSeries(BucketBlock b, LabelMatcher[] matchers, Consumer<Labels> action) {
        int[] ids = postings(b, matchers);
        SeriesEntry[] entries = entries(Math.min(ids.length, batchSize));
        for (int from = 0; from < ids.length; from += batchSize) {
            int to = Math.min(ids.length, from + batchSize);
            try {
                b.series(ids, from, to, entries, true);
            } catch (IOException | RuntimeException e) {
                throw failed(b, e);
            }
            for (int i = 0; i < to - from; i++) {
                if (entries[i].overlaps(mint, maxt)) action.accept(entries[i].labels());
            }
        }
    }

    private static SeriesEntry[] entries(int n) {
        SeriesEntry[] out = new SeriesEntry[n];
        for (int i = 0; i < n; i++) out[i] = new SeriesEntry();
        return out;
    }

    /** A block read failure as the query reports it; failures of the query's own making pass through. */
    private static RuntimeException failed(BucketBlock b, Throwable e) {
        if (e instanceof BlockReadException bre) return bre;
        if (e instanceof IOException || e instanceof UncheckedIOException || e instanceof IndexOutOfBoundsException
                || e instanceof IllegalArgumentException) {
            return new BlockReadException(b.tenant(), b.ulid(), b.describe(), e instanceof UncheckedIOException u ? u.getCause() : e);
        }
        return e instanceof RuntimeException re ? re : new IllegalStateException(e);
    }

    private void checkOpen() {
        if (closed) throw new IllegalStateException("block query is closed");
    }

    /** Releases the blocks. */
    @Override
    public void close() {
        if (closed) return;
        closed = true;
        for (BucketBlock b : blocks) b.release();
    }

    /** One block's selected series, read a batch at a time. */
    private final class BlockSeriesSet implements SeriesSet {
        private final BucketBlock block;
        private final int[] ids;
        private final SeriesEntry[] entries;
        private final List<ChunkSeries> batch = new ArrayList<>();
        private int nextId;
        private int nextInBatch;
        private Series current;

        BlockSeriesSet(BucketBlock block, int[] ids) {
            this.block = block;
            this.ids = ids;
            this.entries = entries(Math.min(ids.length, batchSize));
        }

        @Override
        public boolean next() {
            checkOpen();
            while (nextInBatch == batch.size()) {
                if (nextId == ids.length) {
                    current = null;
                    return false;
                }
                try {
                    readBatch();
                } catch (IOException | RuntimeException e) {
                    throw failed(block, e);
                }
            }
            current = batch.get(nextInBatch++);
            return true;
        }

        /** The next batch of series: entries, then the chunks overlapping the range, as a block querier answers. */
        private void readBatch() throws IOException {
            batch.clear();
            nextInBatch = 0;
            int from = nextId;
            int to = Math.min(ids.length, from + batchSize);
            nextId = to;
            int n = to - from;
            block.series(ids, from, to, entries, true);
            int[] first = new int[n];
            int[] end = new int[n];
            int numRefs = 0;
            for (int i = 0; i < n; i++) {
                first[i] = entries[i].firstChunkFrom(mint);
                end[i] = entries[i].chunksUntil(first[i], maxt);
                numRefs += end[i] - first[i];
            }
            long[] refs = new long[numRefs];
            int k = 0;
            for (int i = 0; i < n; i++) {
                for (int c = first[i]; c < end[i]; c++) refs[k++] = entries[i].ref(c);
            }
            Arrays.sort(refs);
            int distinct = 0;
            for (int i = 0; i < numRefs; i++) if (distinct == 0 || refs[i] != refs[distinct - 1]) refs[distinct++] = refs[i];
            Chunk[] chunks = new Chunk[distinct];
            block.chunks(refs, distinct, chunks);
            for (int i = 0; i < n; i++) {
                SeriesEntry e = entries[i];
                List<ChunkMeta> metas = new ArrayList<>(end[i] - first[i]);
                for (int c = first[i]; c < end[i]; c++) {
                    Chunk x = chunks[Arrays.binarySearch(refs, 0, distinct, e.ref(c))];
                    metas.add(new ChunkMeta(x, e.minTime(c), e.maxTime(c)));
                }
                ChunkMeta[] array = metas.toArray(new ChunkMeta[0]);
                if (ChunkSeries.hasSampleIn(array, mint, maxt)) batch.add(new ChunkSeries(e.labels(), array, mint, maxt));
            }
        }

        @Override
        public Series at() {
            if (current == null) throw new IllegalStateException("no current series");
            return current;
        }
    }
}
