package io.mnemo.tsdb.block;

import io.mnemo.tsdb.Querier;
import io.mnemo.tsdb.Queryable;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * An open Prometheus TSDB block: its meta, its memory-mapped index and chunk segments. A
 * {@link Queryable}, so the query layer merges blocks and the head with
 * {@link io.mnemo.tsdb.MergeQuerier#of}.
 *
 * <p>Each open block costs two memory maps or more (index, chunk segments; Linux allows 65,530
 * per process by default) and its index's tables on the heap, so an owner of many blocks can
 * {@link #unmap} the ones no querier uses: the next querier maps them again (and checks them
 * again, as opening does).
 *
 * <p>Safe for concurrent queriers. Closing and unmapping are safe too: the files are unmapped
 * only while no querier opened on the reader is open; a querier cannot be opened after close.
 * Series a querier returned keep working after everything is closed, because their chunks are
 * copied out of the mapping when the series set reaches them.
 */
public final class BlockReader implements Queryable, AutoCloseable {
    private final Path dir;
    private final BlockMeta meta;
    private final int sliceShift;
    // Guarded by this.
    private IndexReader index; // with chunks: null while unmapped
    private ChunkSegmentReader chunks;
    private int queriers;
    private boolean closed;
    private long lastUsed = System.nanoTime();

    private BlockReader(Path dir, BlockMeta meta, int sliceShift) {
        this.dir = dir;
        this.meta = meta;
        this.sliceShift = sliceShift;
    }

    /** Opens and checks a block directory (meta.json, index, chunks/, tombstones). */
    public static BlockReader open(Path blockDir) throws IOException {
        return open(blockDir, MappedFile.DEFAULT_SLICE_SHIFT);
    }

    /** With mapping slices of 2^sliceShift bytes (tests use tiny ones to cross slice borders). */
    static BlockReader open(Path blockDir, int sliceShift) throws IOException {
        BlockMeta meta = BlockMeta.read(blockDir);
        if (!blockDir.getFileName().toString().equals(meta.ulid().toString())) {
            throw new IOException(blockDir + ": directory name does not match the block's ULID " + meta.ulid());
        }
        if (Tombstones.hasDeletions(blockDir)) {
            throw new IOException(blockDir + ": block has deletions (tombstones), which Mnemo does not apply; "
                    + "compact it with Prometheus first");
        }
        BlockReader reader = new BlockReader(blockDir, meta, sliceShift);
        synchronized (reader) {
            reader.map();
        }
        return reader;
    }

    /** Maps and checks the index and chunk segments; caller holds the lock. */
    private void map() throws IOException {
        MappedFile indexFile = MappedFile.open(dir.resolve("index"), sliceShift);
        try {
            IndexReader i = new IndexReader(indexFile);
            chunks = ChunkSegmentReader.open(dir.resolve("chunks"), sliceShift);
            index = i;
        } catch (IOException | RuntimeException e) {
            indexFile.close();
            throw e;
        }
    }

    /**
     * Opens every block under a directory (subdirectories named by a ULID; blocks still being
     * created are skipped), ordered by min time. Closes those opened if one fails.
     */
    public static List<BlockReader> openAll(Path dir) throws IOException {
        List<BlockReader> out = new ArrayList<>();
        if (!Files.isDirectory(dir)) return out;
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, p -> Files.isDirectory(p)
                && Ulid.isValid(p.getFileName().toString()))) {
            for (Path p : ds) out.add(open(p));
        } catch (IOException | RuntimeException e) {
            for (BlockReader b : out) b.close();
            throw e;
        }
        out.sort(Comparator.comparingLong((BlockReader b) -> b.meta.minTime()).thenComparing(b -> b.meta.ulid()));
        return out;
    }

    public BlockMeta meta() { return meta; }

    public Path dir() { return dir; }

    /**
     * A querier over [mint, maxt] (both inclusive), mapping the block's files again if they were
     * unmapped; close it to let the block unmap.
     *
     * @throws java.io.UncheckedIOException if the files, mapped again, are not readable any more
     */
    @Override
    public synchronized Querier querier(long mint, long maxt) {
        if (closed) throw new IllegalStateException("block " + meta.ulid() + " is closed");
        if (index == null) {
            try {
                map();
            } catch (IOException e) {
                throw new java.io.UncheckedIOException("mapping block " + dir + " again", e);
            }
        }
        queriers++;
        lastUsed = System.nanoTime();
        return new BlockQuerier(this, index, chunks, mint, maxt);
    }

    /** Called once by each querier's close. */
    synchronized void release() {
        if (--queriers == 0 && closed) unmapNow();
    }

    /**
     * Unmaps the block's files now if no querier is open (they are mapped again by the next
     * one); returns whether it did.
     */
    public synchronized boolean unmap() {
        if (queriers > 0 || index == null) return false;
        unmapNow();
        return true;
    }

    private void unmapNow() {
        if (index == null) return;
        index.close();
        chunks.close();
        index = null;
        chunks = null;
    }

    /** Whether the block's files are mapped now. */
    public synchronized boolean isMapped() { return index != null; }

    /** System.nanoTime() of the last querier opened (or of opening), to unmap the least recently used first. */
    public synchronized long lastUsed() { return lastUsed; }

    /** Whether close was called (the mapping may live on until the last querier closes). */
    public synchronized boolean isClosed() { return closed; }

    @Override
    public synchronized void close() {
        if (closed) return;
        closed = true;
        if (queriers == 0) unmapNow();
    }

    @Override
    public String toString() {
        return "Block{" + meta.ulid() + " [" + meta.minTime() + ", " + meta.maxTime() + ")}";
    }
}
