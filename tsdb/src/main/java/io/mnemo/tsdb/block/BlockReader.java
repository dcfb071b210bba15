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
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An open Prometheus TSDB block: its meta, its memory-mapped index and chunk segments. A
 * {@link Queryable}, so the query layer merges blocks and the head with
 * {@link io.mnemo.tsdb.MergeQuerier#of}.
 *
 * <p>Safe for concurrent queriers. Closing is safe too: the files are unmapped only once the
 * reader is closed <em>and</em> every querier opened on it is closed; a querier cannot be opened
 * after close. Series a querier returned keep working after everything is closed, because their
 * chunks are copied out of the mapping when the series set reaches them.
 */
public final class BlockReader implements Queryable, AutoCloseable {
    private final Path dir;
    private final BlockMeta meta;
    private final IndexReader index;
    private final ChunkSegmentReader chunks;
    private final AtomicInteger refs = new AtomicInteger(1); // the owner's reference + one per open querier
    private final AtomicBoolean closed = new AtomicBoolean();

    private BlockReader(Path dir, BlockMeta meta, IndexReader index, ChunkSegmentReader chunks) {
        this.dir = dir;
        this.meta = meta;
        this.index = index;
        this.chunks = chunks;
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
        MappedFile indexFile = MappedFile.open(blockDir.resolve("index"), sliceShift);
        try {
            IndexReader index = new IndexReader(indexFile);
            ChunkSegmentReader chunks = ChunkSegmentReader.open(blockDir.resolve("chunks"), sliceShift);
            return new BlockReader(blockDir, meta, index, chunks);
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

    /** A querier over [mint, maxt] (both inclusive); close it to let the block unmap. */
    @Override
    public Querier querier(long mint, long maxt) {
        acquire();
        return new BlockQuerier(this, index, chunks, mint, maxt);
    }

    private void acquire() {
        while (true) {
            int n = refs.get();
            if (n == 0 || closed.get()) throw new IllegalStateException("block " + meta.ulid() + " is closed");
            if (refs.compareAndSet(n, n + 1)) return;
        }
    }

    /** Called once by each querier's close. */
    void release() {
        if (refs.decrementAndGet() == 0) {
            index.close();
            chunks.close();
        }
    }

    /** Whether close was called (the mapping may live on until the last querier closes). */
    public boolean isClosed() { return closed.get(); }

    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) release();
    }

    @Override
    public String toString() {
        return "Block{" + meta.ulid() + " [" + meta.minTime() + ", " + meta.maxTime() + ")}";
    }
}
