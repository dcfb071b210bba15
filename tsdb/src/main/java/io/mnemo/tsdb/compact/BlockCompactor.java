package io.mnemo.tsdb.compact;

import io.mnemo.tsdb.Labels;
import io.mnemo.tsdb.block.BlockMeta;
import io.mnemo.tsdb.block.ChunkSegmentWriter;
import io.mnemo.tsdb.block.IndexWriter;
import io.mnemo.tsdb.block.NewBlockDir;
import io.mnemo.tsdb.block.SymbolIndex;
import io.mnemo.tsdb.block.Ulid;
import io.mnemo.tsdb.block.Utf8Order;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.TreeSet;

/**
 * Compacts N &ge; 1 Prometheus blocks on local disk into one new block: vertically (inputs that
 * overlap in time, such as the zones' copies of a partition or out-of-order blocks, are merged
 * with one sample per timestamp) and horizontally (consecutive blocks become one longer block)
 * in the same pass, as Prometheus's and Mimir's compactors do. Deleted intervals (tombstones) of
 * the inputs are applied; the output has none.
 *
 * <p>Streaming, so memory is bounded by the inputs' symbols and postings, never by their samples
 * or their series:
 * <ol>
 *   <li>The output's symbol table is the union of the inputs' tables, merged as the sorted lists
 *       they are (each read one symbol at a time).</li>
 *   <li>The inputs' series are walked as a k-way merge in Prometheus's label order (each index
 *       lists its series in that order, ids ascending): a priority queue holds one decoded series
 *       entry per input, and the inputs on the smallest labels form the next output series. Its
 *       chunks are written right away ({@link SeriesMerger}: copied as they are where they do
 *       not overlap, merged and re-encoded where they do), then the series entry, so one
 *       series' chunks are in memory at a time.</li>
 *   <li>The postings are collected as series are written: per label pair the output ids, an int
 *       per label of each series ({@link LabelPairPostings}), and written after the series.</li>
 * </ol>
 * The block is built in {@code <ULID>.tmp-for-creation} and renamed into place by
 * {@link NewBlockDir#commit}, so no half-written block is ever visible under a block's name.
 * An output without series (every sample deleted) yields no block, as in Prometheus.
 *
 * <p>The meta.json records level = the inputs' highest + 1, sources = the union of the inputs'
 * sources (sorted), parents = the inputs (ULID and range), as Prometheus writes them.
 */
public final class BlockCompactor {
    private final Path dir;
    private final long segmentBytes;

    /** @param dir where the new block goes, e.g. next to the inputs; created if missing */
    public BlockCompactor(Path dir) {
        this(dir, ChunkSegmentWriter.DEFAULT_SEGMENT_BYTES);
    }

    /** With a chunk segment size other than Prometheus's 512 MiB (tests). */
    public BlockCompactor(Path dir, long segmentBytes) {
        this.dir = dir;
        this.segmentBytes = segmentBytes;
    }

    /**
     * Compacts the blocks in these directories into one new block under {@link #dir} and returns
     * its meta, or empty when no sample remains (then nothing is written). The inputs are only
     * read; removing them is the caller's business.
     */
    public Optional<BlockMeta> compact(List<Path> blockDirs) throws IOException {
        if (blockDirs.isEmpty()) throw new IllegalArgumentException("nothing to compact");
        List<InputBlock> inputs = open(blockDirs);
        try {
            return write(inputs);
        } finally {
            for (InputBlock in : inputs) in.close();
        }
    }

    /** Opens the inputs, ordered by (min time, ULID): the order that settles which sample wins a tie. */
    private static List<InputBlock> open(List<Path> blockDirs) throws IOException {
        List<BlockMeta> metas = new ArrayList<>();
        Set<Ulid> seen = new HashSet<>();
        for (Path d : blockDirs) {
            BlockMeta m = BlockMeta.read(d);
            if (!seen.add(m.ulid())) throw new IllegalArgumentException("block " + m.ulid() + " given twice");
            metas.add(m);
        }
        Integer[] idx = new Integer[metas.size()];
        for (int i = 0; i < idx.length; i++) idx[i] = i;
        java.util.Arrays.sort(idx, Comparator.comparingLong((Integer i) -> metas.get(i).minTime())
                .thenComparing(i -> metas.get(i).ulid()));
        List<InputBlock> inputs = new ArrayList<>();
        try {
            for (int i = 0; i < idx.length; i++) inputs.add(InputBlock.open(blockDirs.get(idx[i]), metas.get(idx[i]), i));
        } catch (IOException | RuntimeException e) {
            for (InputBlock in : inputs) in.close();
            throw e;
        }
        return inputs;
    }

    private Optional<BlockMeta> write(List<InputBlock> inputs) throws IOException {
        SymbolIndex symbols = mergedSymbols(inputs);
        NewBlockDir block = NewBlockDir.create(dir, Ulid.generate());
        try {
            Optional<BlockMeta> meta = writeData(inputs, symbols, block);
            if (meta.isEmpty()) block.delete();
            else block.commit(meta.get());
            return meta;
        } catch (IOException | RuntimeException e) {
            block.abandon(e);
            throw e;
        }
    }

    /** The union of the inputs' symbol tables, a k-way merge of lists sorted in UTF-8 order. */
    private static SymbolIndex mergedSymbols(List<InputBlock> inputs) {
        record Head(String symbol, Iterator<String> rest) {}
        PriorityQueue<Head> queue = new PriorityQueue<>(Math.max(1, inputs.size()),
                (a, b) -> Utf8Order.compare(a.symbol, b.symbol));
        for (InputBlock in : inputs) {
            Iterator<String> it = in.symbols();
            if (it.hasNext()) queue.add(new Head(it.next(), it));
        }
        SymbolIndex out = new SymbolIndex();
        String last = null;
        while (!queue.isEmpty()) {
            Head h = queue.poll();
            if (!h.symbol.equals(last)) {
                out.add(h.symbol);
                last = h.symbol;
            }
            if (h.rest.hasNext()) queue.add(new Head(h.rest.next(), h.rest));
        }
        out.freeze();
        return out;
    }

    /** The series, chunks and postings; empty when no series has a sample left. */
    private Optional<BlockMeta> writeData(List<InputBlock> inputs, SymbolIndex symbols, NewBlockDir block)
            throws IOException {
        PriorityQueue<InputBlock> queue = new PriorityQueue<>(Math.max(1, inputs.size()),
                (a, b) -> {
                    int c = Utf8Order.compare(a.labels(), b.labels());
                    return c != 0 ? c : Integer.compare(a.order, b.order);
                });
        for (InputBlock in : inputs) if (in.advance()) queue.add(in);

        LabelPairPostings postings = new LabelPairPostings(symbols);
        SeriesMerger merger = new SeriesMerger();
        InputBlock[] same = new InputBlock[inputs.size()];
        long numFloatSamples = 0;
        long numHistogramSamples = 0;
        long numChunks = 0;
        try (ChunkSegmentWriter cw = new ChunkSegmentWriter(block.chunksDir(), segmentBytes);
             IndexWriter iw = new IndexWriter(block.indexFile())) {
            iw.writeSymbols(symbols);
            while (!queue.isEmpty()) {
                // The inputs holding the smallest labels; the queue polls ties in input order.
                int m = 0;
                same[m++] = queue.poll();
                Labels labels = same[0].labels();
                while (!queue.isEmpty() && Utf8Order.compare(queue.peek().labels(), labels) == 0) same[m++] = queue.poll();

                merger.reset();
                for (int i = 0; i < m; i++) merger.add(same[i]);
                merger.write(cw);
                if (merger.numChunks() > 0) {
                    int id = iw.addSeries(labels, merger.chunkMins(), merger.chunkMaxs(), merger.chunkRefs(),
                            merger.numChunks());
                    postings.add(labels, id);
                    numFloatSamples += merger.floatSamples();
                    numHistogramSamples += merger.histogramSamples();
                    numChunks += merger.numChunks();
                }
                for (int i = 0; i < m; i++) if (same[i].advance()) queue.add(same[i]);
            }
            cw.finish();
            if (postings.numSeries() == 0) return Optional.empty();
            postings.writeTo(iw);
            iw.finish();
        }
        return Optional.of(meta(block.ulid(), inputs, numFloatSamples, numHistogramSamples, postings.numSeries(), numChunks));
    }

    private static BlockMeta meta(Ulid ulid, List<InputBlock> inputs, long numFloatSamples, long numHistogramSamples,
                                  long numSeries, long numChunks) {
        long minTime = Long.MAX_VALUE;
        long maxTime = Long.MIN_VALUE;
        int level = 0;
        TreeSet<Ulid> sources = new TreeSet<>();
        List<BlockMeta.Parent> parents = new ArrayList<>();
        for (InputBlock in : inputs) {
            BlockMeta m = in.meta;
            minTime = Math.min(minTime, m.minTime());
            maxTime = Math.max(maxTime, m.maxTime());
            level = Math.max(level, m.compactionLevel());
            sources.addAll(m.sources().isEmpty() ? List.of(m.ulid()) : m.sources());
            parents.add(new BlockMeta.Parent(m.ulid(), m.minTime(), m.maxTime()));
        }
        return new BlockMeta(ulid, minTime, maxTime, numFloatSamples + numHistogramSamples, numSeries, numChunks, level + 1,
                new ArrayList<>(sources), parents, numFloatSamples, numHistogramSamples);
    }
}
