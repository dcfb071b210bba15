package io.mnemo.tsdb.block;

import io.mnemo.tsdb.ChunkSeries;
import io.mnemo.tsdb.ChunkSeriesIterator;
import io.mnemo.tsdb.Labels;
import io.mnemo.tsdb.chunkenc.ChunkCutter;
import io.mnemo.tsdb.chunkenc.ChunkEncoding;
import io.mnemo.tsdb.chunkenc.ChunkMeta;
import io.mnemo.tsdb.chunkenc.XorChunk;
import io.mnemo.tsdb.head.Head;
import io.mnemo.tsdb.head.MemSeries;
import io.mnemo.tsdb.index.IntList;
import io.mnemo.tsdb.index.MemPostings;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Cuts the samples of a {@link Head} in a time range into a Prometheus TSDB block directory
 * {@code <dir>/<ULID>/} ({@code meta.json}, {@code index}, {@code chunks/000001...},
 * {@code tombstones}) that Prometheus and promtool read as their own.
 *
 * <p>The block is built in {@code <ULID>.tmp-for-creation}, synced, then renamed into place in
 * one step, so a crash never leaves a half-written block under a block's name. Series stream
 * through one at a time in label order: chunks of any encoding (floats, integer or float native
 * histograms) entirely inside the range are copied as they are, chunks straddling a range
 * boundary are re-encoded with the samples inside it, each keeping its type. Extra memory is
 * a few words per series written plus the block's symbols, never the chunks.
 *
 * <p>Reads the head through its public API; like every head reader it must run on the head's
 * thread (or while nothing appends).
 */
public final class BlockWriter {
    /** Suffix of the directory a block is built in before it is renamed to its ULID. */
    public static final String TMP_SUFFIX = ".tmp-for-creation";

    private final Path dir;
    private final long segmentBytes;

    /** @param dir where blocks go, e.g. {@code <data-dir>/tsdb/<tenant>}; created if missing */
    public BlockWriter(Path dir) {
        this(dir, ChunkSegmentWriter.DEFAULT_SEGMENT_BYTES);
    }

    /** With a chunk segment size other than Prometheus's 512 MiB (tests). */
    public BlockWriter(Path dir, long segmentBytes) {
        this.dir = dir;
        this.segmentBytes = segmentBytes;
    }

    public Path dir() { return dir; }

    /**
     * Writes the samples with {@code mint <= t < maxt} as a new block whose meta covers exactly
     * that range (pass an aligned block range for compaction; for a flush of everything, e.g.
     * [head.minTime(), head.maxTime() + 1)). Returns its meta, or empty when no sample of the
     * head falls in the range (then nothing is written, as Prometheus does).
     */
    public Optional<BlockMeta> write(Head head, long mint, long maxt) throws IOException {
        return write(head, mint, maxt, java.util.Map.of());
    }

    /**
     * As {@link #write(Head, long, long)}, with extra files (name → content) placed in the block
     * directory before it is renamed into place, so they appear atomically with the block. Tools
     * that read Prometheus blocks ignore files they do not know.
     */
    public Optional<BlockMeta> write(Head head, long mint, long maxt, java.util.Map<String, byte[]> extraFiles)
            throws IOException {
        return write(head, mint, maxt, extraFiles, false);
    }

    /**
     * As {@link #write(Head, long, long, java.util.Map)} with only the head's out-of-order samples
     * in the range: a block overlapping those already cut for it, as Prometheus's out-of-order
     * compaction writes. (Plain writes take the out-of-order samples in their range too.)
     */
    public Optional<BlockMeta> writeOutOfOrder(Head head, long mint, long maxt, java.util.Map<String, byte[]> extraFiles)
            throws IOException {
        return write(head, mint, maxt, extraFiles, true);
    }

    private Optional<BlockMeta> write(Head head, long mint, long maxt, java.util.Map<String, byte[]> extraFiles,
                                      boolean outOfOrderOnly) throws IOException {
        if (maxt <= mint) throw new IllegalArgumentException("empty block range [" + mint + ", " + maxt + ")");
        long last = maxt - 1;

        // Pass 1: which series have samples in the range, in Prometheus's order, with their symbols.
        int[] refs = head.postings().allPostings();
        Labels[] series = new Labels[refs.length];
        int n = 0;
        SymbolIndex symbols = new SymbolIndex();
        for (int ref : refs) {
            MemSeries s = head.series(ref);
            if (!hasSampleIn(s.chunksForBlock(mint, last, outOfOrderOnly), mint, last)) continue;
            Labels l = s.labels();
            series[n++] = l;
            for (int i = 0; i < l.size(); i++) {
                symbols.add(l.name(i));
                symbols.add(l.value(i));
            }
        }
        if (n == 0) return Optional.empty();
        refs = null;
        Arrays.sort(series, 0, n, Utf8Order.LABELS);

        NewBlockDir block = NewBlockDir.create(dir, Ulid.generate());
        try {
            BlockMeta meta = writeData(head, series, n, symbols, block.indexFile(), block.chunksDir(), block.ulid(),
                    mint, maxt, outOfOrderOnly);
            for (java.util.Map.Entry<String, byte[]> f : extraFiles.entrySet()) block.writeFile(f.getKey(), f.getValue());
            block.commit(meta);
            return Optional.of(meta);
        } catch (IOException | RuntimeException e) {
            block.abandon(e);
            throw e;
        }
    }

    /** Pass 2: chunks and series in label order, then the postings of every label pair. */
    private BlockMeta writeData(Head head, Labels[] series, int n, SymbolIndex symbols, Path indexFile, Path chunksDir,
                                Ulid ulid, long mint, long maxt, boolean outOfOrderOnly) throws IOException {
        long last = maxt - 1;
        SampleCounts counts = new SampleCounts();
        long numChunks = 0;
        int[] ids = new int[n];          // block series ids in label order: the all-series postings
        long[] byHeadRef = new long[n];  // head ref << 32 | block series id, to translate head postings
        int written = 0;
        ChunkList chunks = new ChunkList();
        try (ChunkSegmentWriter cw = new ChunkSegmentWriter(chunksDir, segmentBytes);
             IndexWriter iw = new IndexWriter(indexFile)) {
            iw.writeSymbols(symbols);
            for (int i = 0; i < n; i++) {
                Labels l = series[i];
                int ref = head.seriesRef(l);
                if (ref < 0) throw new IllegalStateException("series " + l + " left the head while its block was cut");
                writeChunks(cw, head.series(ref).chunksForBlock(mint, last, outOfOrderOnly), mint, last, chunks, counts);
                if (chunks.size == 0) continue;
                int id = iw.addSeries(l, chunks.mins, chunks.maxs, chunks.refs, chunks.size);
                numChunks += chunks.size;
                ids[written] = id;
                byHeadRef[written] = ((long) ref << 32) | id;
                written++;
                series[i] = null; // the head holds them; let a decoded copy go
            }
            cw.finish();

            iw.addPostings("", "", ids, written);
            ids = null;
            Arrays.sort(byHeadRef, 0, written);
            MemPostings postings = head.postings();
            int[] buf = new int[Math.min(written, 1024)];
            for (String name : sorted(postings.labelNames())) {
                for (String value : sorted(postings.labelValues(name))) {
                    int[] headRefs = postings.postings(name, value);
                    if (buf.length < headRefs.length) buf = new int[Math.min(written, Math.max(headRefs.length, buf.length * 2))];
                    int m = translate(headRefs, byHeadRef, written, buf);
                    if (m == 0) continue;
                    Arrays.sort(buf, 0, m);
                    iw.addPostings(name, value, buf, m);
                }
            }
            iw.finish();
        }
        return BlockMeta.level1(ulid, mint, maxt, counts.floats, counts.histograms, written, numChunks);
    }

    /**
     * Writes series given as chunks of any encoding as a new block over [mint, maxt), as
     * {@link #write(Head, long, long)} writes a head's: the samples of each series in the range
     * (chunks straddling a bound trimmed), series without one left out. For blocks built from
     * something other than a head (tests, imports): the series and their postings are held in
     * memory. Each series' chunks must be time-ordered and not overlap; its own bounds are not
     * applied. Returns empty when no sample falls in the range.
     */
    public Optional<BlockMeta> write(List<ChunkSeries> series, long mint, long maxt) throws IOException {
        if (maxt <= mint) throw new IllegalArgumentException("empty block range [" + mint + ", " + maxt + ")");
        long last = maxt - 1;
        List<ChunkSeries> in = new ArrayList<>();
        SymbolIndex symbols = new SymbolIndex();
        for (ChunkSeries cs : series) {
            if (!hasSampleIn(List.of(cs.chunks()), mint, last)) continue;
            in.add(cs);
            Labels l = cs.labels();
            for (int i = 0; i < l.size(); i++) {
                symbols.add(l.name(i));
                symbols.add(l.value(i));
            }
        }
        if (in.isEmpty()) return Optional.empty();
        in.sort((a, b) -> Utf8Order.compare(a.labels(), b.labels()));
        for (int i = 1; i < in.size(); i++) {
            if (in.get(i).labels().equals(in.get(i - 1).labels())) throw new IllegalArgumentException("series " + in.get(i).labels() + " given twice");
        }

        NewBlockDir block = NewBlockDir.create(dir, Ulid.generate());
        try {
            SampleCounts counts = new SampleCounts();
            long numChunks = 0;
            TreeMap<String, TreeMap<String, IntList>> postings = new TreeMap<>(Utf8Order.STRINGS);
            IntList all = new IntList();
            ChunkList chunks = new ChunkList();
            try (ChunkSegmentWriter cw = new ChunkSegmentWriter(block.chunksDir(), segmentBytes);
                 IndexWriter iw = new IndexWriter(block.indexFile())) {
                iw.writeSymbols(symbols);
                for (ChunkSeries cs : in) {
                    writeChunks(cw, List.of(cs.chunks()), mint, last, chunks, counts);
                    int id = iw.addSeries(cs.labels(), chunks.mins, chunks.maxs, chunks.refs, chunks.size);
                    numChunks += chunks.size;
                    all.add(id);
                    Labels l = cs.labels();
                    for (int i = 0; i < l.size(); i++) {
                        postings.computeIfAbsent(l.name(i), k -> new TreeMap<>(Utf8Order.STRINGS))
                                .computeIfAbsent(l.value(i), k -> new IntList()).add(id);
                    }
                }
                cw.finish();
                iw.addPostings("", "", toArray(all), all.size());
                for (var byName : postings.entrySet()) {
                    for (var byValue : byName.getValue().entrySet()) {
                        IntList ids = byValue.getValue();
                        iw.addPostings(byName.getKey(), byValue.getKey(), toArray(ids), ids.size());
                    }
                }
                iw.finish();
            }
            BlockMeta meta = BlockMeta.level1(block.ulid(), mint, maxt, counts.floats, counts.histograms, in.size(), numChunks);
            block.commit(meta);
            return Optional.of(meta);
        } catch (IOException | RuntimeException e) {
            block.abandon(e);
            throw e;
        }
    }

    private static int[] toArray(IntList l) {
        int[] a = new int[l.size()];
        for (int i = 0; i < a.length; i++) a[i] = l.get(i);
        return a;
    }

    /**
     * Writes a series' time-ordered chunks that overlap [mint, last] into {@code out} (cleared
     * first): those inside as they are, whatever their encoding, those straddling a bound trimmed.
     */
    private static void writeChunks(ChunkSegmentWriter cw, List<ChunkMeta> series, long mint, long last, ChunkList out,
                                    SampleCounts counts) throws IOException {
        out.clear();
        for (ChunkMeta c : series) {
            if (c.maxTime() < mint) continue;
            if (c.minTime() > last) break;
            List<ChunkMeta> in = c.minTime() >= mint && c.maxTime() <= last ? List.of(c) : trim(c, mint, last);
            for (ChunkMeta t : in) {
                out.add(t.minTime(), t.maxTime(), cw.write(t.chunk()));
                counts.add(t.chunk());
            }
        }
    }

    /** Samples written, by kind, as meta.json counts them. */
    private static final class SampleCounts {
        long floats;
        long histograms;

        void add(io.mnemo.tsdb.chunkenc.Chunk c) {
            if (c.encoding() == ChunkEncoding.XOR) floats += c.numSamples();
            else histograms += c.numSamples();
        }
    }

    /** Block ids of the head refs that are in the block; head refs and the table ascend by head ref. */
    private static int translate(int[] headRefs, long[] byHeadRef, int len, int[] out) {
        int m = 0;
        int from = 0;
        for (int r : headRefs) {
            int i = Arrays.binarySearch(byHeadRef, from, len, (long) r << 32);
            if (i < 0) i = -i - 1;
            if (i >= len) break;
            if ((int) (byHeadRef[i] >>> 32) == r) out[m++] = (int) byHeadRef[i];
            from = i;
        }
        return m;
    }

    private static List<String> sorted(List<String> strings) {
        List<String> out = new ArrayList<>(strings);
        out.sort(Utf8Order.STRINGS);
        return out;
    }

    /** Whether any sample of these time-ordered chunks lies in [mint, last]. */
    static boolean hasSampleIn(List<ChunkMeta> chunks, long mint, long last) {
        for (ChunkMeta c : chunks) {
            if (c.maxTime() < mint) continue;
            if (c.minTime() > last) return false;
            if (c.minTime() >= mint || c.maxTime() <= last) return true; // its first or last sample is inside
            return new ChunkSeriesIterator(new ChunkMeta[] {c}, mint, last).next(); // straddles both ends: look inside
        }
        return false;
    }

    /**
     * The samples of a chunk that lie in [mint, last], encoded again as their types need
     * ({@link ChunkCutter}): usually one chunk, none when no sample is inside.
     */
    private static List<ChunkMeta> trim(ChunkMeta c, long mint, long last) {
        return ChunkCutter.encode(new ChunkSeriesIterator(new ChunkMeta[] {c}, mint, last), XorChunk.MAX_SAMPLES);
    }

    /** The chunks of the series being written, reused from one series to the next. */
    private static final class ChunkList {
        long[] mins = new long[16];
        long[] maxs = new long[16];
        long[] refs = new long[16];
        int size;

        void clear() { size = 0; }

        void add(long min, long max, long ref) {
            if (size == mins.length) {
                mins = Arrays.copyOf(mins, size * 2);
                maxs = Arrays.copyOf(maxs, size * 2);
                refs = Arrays.copyOf(refs, size * 2);
            }
            mins[size] = min;
            maxs[size] = max;
            refs[size] = ref;
            size++;
        }
    }
}
