package io.mnemo.bucketstore;

import io.mnemo.bucketstore.cache.ChunksCache;
import io.mnemo.bucketstore.cache.IndexCache;
import io.mnemo.bucketstore.indexheader.IndexHeader;
import io.mnemo.objstore.Bucket;
import io.mnemo.tsdb.block.ByteSource;
import io.mnemo.tsdb.block.ChunkSegmentReader;
import io.mnemo.tsdb.block.IndexFormat;
import io.mnemo.tsdb.block.IndexTables;
import io.mnemo.tsdb.block.SeriesEntry;
import io.mnemo.tsdb.block.TablePostingsReader;
import io.mnemo.tsdb.block.Ulid;
import io.mnemo.tsdb.chunkenc.Chunk;
import io.mnemo.tsdb.index.IndexPostingsReader;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.TreeMap;

/**
 * One block a store-gateway serves where it lies in object storage: its meta, its index-header
 * on local disk, and the reads of its index and chunk objects, through the caches. Postings
 * lists, series entries and chunks are fetched by ranged reads, many at once: the ranges a
 * lookup needs are sorted and coalesced ({@link RangeCoalescer}), and a series entry or chunk
 * whose end the read did not reach (its length was guessed) is read again on its own. Every
 * structure is checked (checksums) by tsdb's decoders before it is used or cached.
 *
 * <p>Reference-counted: the store holds one reference while the block is loaded, and each query
 * one while it runs; the index-header is unmapped when the last is released. Safe for concurrent
 * use. Failures are {@link IOException}s (the query names the block).
 */
final class BucketBlock {
    /** How far a read for an entry or chunk of unknown length goes when the guess fell short. */
    private static final int LONG_GUESS = 64 << 10;

    private final String tenant;
    private final BucketBlockMeta meta;
    private final Ulid ulid;
    private final Bucket bucket;
    private final IndexHeader header;
    private final String indexObject;
    private final String indexName;
    private final long[] segmentSizes; // by segment index (file 000001 is 0)
    private final IndexCache indexCache;
    private final ChunksCache chunksCache;
    private final ReadPolicy policy;
    private final TablePostingsReader postings;
    private final ReadCounters counters;
    private int refs = 1; // guarded by this; the store's

    private BucketBlock(String tenant, BucketBlockMeta meta, Bucket bucket, IndexHeader header, long[] segmentSizes,
                        IndexCache indexCache, ChunksCache chunksCache, ReadPolicy policy, ReadCounters counters) {
        this.tenant = tenant;
        this.meta = meta;
        this.ulid = meta.block().ulid();
        this.bucket = bucket;
        this.header = header;
        this.indexObject = BucketLayout.object(tenant, ulid, BucketLayout.INDEX);
        this.indexName = bucket.describe() + " " + indexObject;
        this.segmentSizes = segmentSizes;
        this.indexCache = indexCache;
        this.chunksCache = chunksCache;
        this.policy = policy;
        this.counters = counters;
        this.postings = new TablePostingsReader(header.tables(), this::readPostings);
    }

    /** Opens a block: its index-header in {@code localDir} (built from the bucket when missing), its segments' sizes. */
    static BucketBlock load(Bucket bucket, String tenant, BucketBlockMeta meta, Path localDir, IndexCache indexCache,
                            ChunksCache chunksCache, ReadPolicy policy, ReadCounters counters) throws IOException {
        Ulid ulid = meta.block().ulid();
        long[] segments = segmentSizes(bucket, tenant, meta);
        long indexSize = meta.files().stream().filter(f -> f.relPath().equals(BucketLayout.INDEX))
                .mapToLong(BucketBlockMeta.BlockFile::sizeBytes).findFirst().orElse(-1);
        IndexHeader header = IndexHeader.openOrBuild(bucket, BucketLayout.object(tenant, ulid, BucketLayout.INDEX), indexSize,
                ulid, localDir);
        return new BucketBlock(tenant, meta, bucket, header, segments, indexCache, chunksCache, policy, counters);
    }

    /** Sizes of the chunk segments, from meta.json's file list, else from the bucket; numbered 000001 on without gaps. */
    private static long[] segmentSizes(Bucket bucket, String tenant, BucketBlockMeta meta) throws IOException {
        Ulid ulid = meta.block().ulid();
        TreeMap<String, Long> segments = new TreeMap<>();
        String chunksDir = BucketLayout.CHUNKS + "/";
        for (BucketBlockMeta.BlockFile f : meta.files()) {
            if (f.relPath().startsWith(chunksDir)) segments.put(f.relPath().substring(chunksDir.length()), f.sizeBytes());
        }
        if (segments.isEmpty()) { // a meta.json without Thanos's file list
            String prefix = BucketLayout.object(tenant, ulid, BucketLayout.CHUNKS) + "/";
            List<String> names = new ArrayList<>();
            bucket.iter(prefix, false, names::add);
            for (String name : names) if (!name.endsWith("/")) segments.put(name.substring(prefix.length()), -1L);
        }
        long[] sizes = new long[segments.size()];
        int i = 0;
        for (var e : segments.entrySet()) {
            if (!e.getKey().equals(String.format("%06d", i + 1))) {
                throw new IOException(bucket.describe() + " " + BucketLayout.block(tenant, ulid)
                        + ": chunk segments are not numbered 000001 on without gaps at " + e.getKey());
            }
            long size = e.getValue();
            sizes[i++] = size >= 0 ? size : bucket.attributes(segmentObject(tenant, ulid, i - 1)).size();
        }
        return sizes;
    }

    private static String segmentObject(String tenant, Ulid ulid, int segment) {
        return BucketLayout.object(tenant, ulid, BucketLayout.CHUNKS + "/" + String.format("%06d", segment + 1));
    }

    String tenant() { return tenant; }

    Ulid ulid() { return ulid; }

    BucketBlockMeta meta() { return meta; }

    IndexHeader header() { return header; }

    String describe() { return bucket.describe() + " " + BucketLayout.block(tenant, ulid); }

    /** The block's inverted index, for {@link io.mnemo.tsdb.index.PostingsForMatchers}. */
    IndexPostingsReader postings() { return postings; }

    // ---- postings ----

    /** The postings lists at these ranges of the index (ascending), from the cache or the bucket. */
    private List<int[]> readPostings(List<IndexTables.PostingsRange> ranges) throws IOException {
        int n = ranges.size();
        int[][] out = new int[n][];
        long[] starts = new long[n];
        long[] ends = new long[n];
        int[] which = new int[n];
        int m = 0;
        for (int i = 0; i < n; i++) {
            IndexTables.PostingsRange r = ranges.get(i);
            out[i] = indexCache.postings(tenant, ulid, r.start());
            if (out[i] != null) continue;
            starts[m] = r.start();
            ends[m] = r.end();
            which[m++] = i;
        }
        for (RangeCoalescer.Read read : policy.coalescer().plan(starts, ends, m)) {
            ByteSource src = fetch(indexObject, read.start(), read.end(), header.postingsEnd());
            for (int k = read.first(); k < read.last(); k++) {
                int[] ids = IndexFormat.readPostings(src, starts[k]);
                out[which[k]] = ids;
                indexCache.putPostings(tenant, ulid, starts[k], ids);
            }
        }
        return Arrays.asList(out);
    }

    // ---- series ----

    /**
     * Decodes the entries of the series {@code ids[from, to)} (ascending) into {@code out[0, to - from)},
     * from the cache or the bucket; labels only when {@code withChunks} is false.
     */
    void series(int[] ids, int from, int to, SeriesEntry[] out, boolean withChunks) throws IOException {
        int n = to - from;
        long[] starts = new long[n];
        long[] ends = new long[n];
        int[] which = new int[n];
        int m = 0;
        for (int i = 0; i < n; i++) {
            int id = ids[from + i];
            long pos = IndexFormat.seriesPosition(indexName, id, header.seriesStart(), header.seriesEnd());
            byte[] cached = indexCache.series(tenant, ulid, id);
            if (cached != null) {
                IndexFormat.readSeries(ByteSource.wrap(cached, pos, indexName), pos, header.tables(), out[i], withChunks);
                continue;
            }
            starts[m] = pos;
            ends[m] = Math.min(pos + policy.seriesGuess(), header.seriesEnd());
            which[m++] = i;
        }
        // An entry ends before the next series starts: its read never needs to reach further.
        for (int k = 0; k + 1 < m; k++) ends[k] = Math.min(ends[k], starts[k + 1]);
        for (RangeCoalescer.Read read : policy.coalescer().plan(starts, ends, m)) {
            ByteSource src = fetch(indexObject, read.start(), read.end(), header.seriesEnd());
            for (int k = read.first(); k < read.last(); k++) {
                long pos = starts[k];
                long end = IndexFormat.seriesEntryEnd(src, pos);
                ByteSource entrySrc = src;
                if (end < 0 || end > src.size()) { // longer than the guess: read on its own
                    entrySrc = readAlone(indexObject, pos, end, header.seriesEnd(), IndexFormat::seriesEntryEnd);
                    end = IndexFormat.seriesEntryEnd(entrySrc, pos);
                }
                if (end < 0 || end > entrySrc.size()) throw new IOException(indexName + ": series entry at " + pos + " runs past the series");
                byte[] entry = new byte[Math.toIntExact(end - pos)];
                entrySrc.copy(pos, entry, 0, entry.length);
                IndexFormat.readSeries(ByteSource.wrap(entry, pos, indexName), pos, header.tables(), out[which[k]], withChunks);
                indexCache.putSeries(tenant, ulid, ids[from + which[k]], entry);
            }
        }
    }

    // ---- chunks ----

    /**
     * The chunks at {@code refs[0, n)} (ascending, distinct) into {@code out}, each in its own
     * encoding (floats, integer or float native histograms), from the cache or the bucket.
     *
     * @throws IOException for damage, or an encoding this store does not read
     */
    void chunks(long[] refs, int n, Chunk[] out) throws IOException {
        long[] starts = new long[n];
        long[] ends = new long[n];
        int[] which = new int[n];
        int i = 0;
        while (i < n) { // refs ascend: those of one segment are consecutive
            int segment = (int) (refs[i] >>> 32);
            if (segment >= segmentSizes.length) {
                throw new IOException(describe() + ": chunk ref " + Long.toHexString(refs[i]) + " names missing segment " + (segment + 1));
            }
            long size = segmentSizes[segment];
            int m = 0;
            for (; i < n && (int) (refs[i] >>> 32) == segment; i++) {
                Chunk cached = chunksCache.chunk(tenant, ulid, refs[i]);
                if (cached != null) {
                    out[i] = cached;
                    continue;
                }
                starts[m] = refs[i] & 0xFFFF_FFFFL;
                ends[m] = Math.min(starts[m] + policy.chunkGuess(), size);
                which[m++] = i;
            }
            // Chunks lie one after the other: one ends before the next begins.
            for (int k = 0; k + 1 < m; k++) ends[k] = Math.min(ends[k], starts[k + 1]);
            String object = segmentObject(tenant, ulid, segment);
            for (RangeCoalescer.Read read : policy.coalescer().plan(starts, ends, m)) {
                ByteSource src = fetch(object, read.start(), read.end(), size);
                for (int k = read.first(); k < read.last(); k++) {
                    long off = starts[k];
                    if (off < ChunkSegmentReader.SEGMENT_HEADER_SIZE) throw new IOException(object + ": chunk ref into the segment's header");
                    ByteSource chunkSrc = src;
                    long end = ChunkSegmentReader.chunkEnd(src, off);
                    if (end < 0 || end > src.size()) { // longer than the guess: read on its own
                        chunkSrc = readAlone(object, off, end, size, ChunkSegmentReader::chunkEnd);
                    }
                    Chunk c = ChunkSegmentReader.decode(chunkSrc, off);
                    out[which[k]] = c;
                    chunksCache.putChunk(tenant, ulid, refs[which[k]], c);
                }
            }
        }
    }

    /** Where a structure at a position ends, or -1 if the bytes end before its length. */
    @FunctionalInterface
    private interface EndOf {
        long at(ByteSource src, long pos) throws IOException;
    }

    /** Reads one structure of unknown or known ({@code end} >= 0) length at {@code pos} on its own. */
    private ByteSource readAlone(String object, long pos, long end, long limit, EndOf endOf) throws IOException {
        ByteSource src = fetch(object, pos, end >= 0 ? end : pos + LONG_GUESS, limit);
        long need = endOf.at(src, pos);
        if (need > src.size() && need <= limit) src = fetch(object, pos, need, limit);
        return src;
    }

    /** Bytes [start, end) of an object, end cut at {@code limit}. */
    private ByteSource fetch(String object, long start, long end, long limit) throws IOException {
        end = Math.min(end, limit);
        String name = bucket.describe() + " " + object;
        if (start < 0 || end <= start) throw new IOException(name + ": bytes [" + start + ", " + end + ") are outside it");
        int len = Math.toIntExact(end - start);
        byte[] b;
        try (InputStream in = bucket.getRange(object, start, len)) {
            b = in.readNBytes(len);
        }
        counters.read(len);
        if (b.length != len) throw new IOException(name + ": " + b.length + " bytes at " + start + ", expected " + len);
        return ByteSource.wrap(b, start, name);
    }

    // ---- references ----

    /** Takes a reference for a query; false when the block was dropped and closed. */
    synchronized boolean tryAcquire() {
        if (refs == 0) return false;
        refs++;
        return true;
    }

    /** Gives a reference back; the last one unmaps the index-header. */
    void release() {
        boolean last;
        synchronized (this) {
            if (refs == 0) throw new IllegalStateException("block " + ulid + " released more often than acquired");
            last = --refs == 0;
        }
        if (last) header.close();
    }

    @Override
    public String toString() {
        return "BucketBlock{" + tenant + "/" + ulid + " [" + meta.block().minTime() + ", " + meta.block().maxTime() + ")}";
    }
}
