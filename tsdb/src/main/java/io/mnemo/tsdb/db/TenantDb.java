package io.mnemo.tsdb.db;

import io.mnemo.tsdb.LabelMatcher;
import io.mnemo.tsdb.MergeQuerier;
import io.mnemo.tsdb.Querier;
import io.mnemo.tsdb.Queryable;
import io.mnemo.tsdb.SeriesSet;
import io.mnemo.tsdb.block.BlockMeta;
import io.mnemo.tsdb.block.BlockReader;
import io.mnemo.tsdb.block.BlockWriter;
import io.mnemo.tsdb.block.Ulid;
import io.mnemo.tsdb.head.Head;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Predicate;

/**
 * One tenant's time-series database (Prometheus's DB, the per-tenant TSDB of a Mimir ingester):
 * the in-memory {@link Head}, the blocks cut from it under the tenant's directory, and the rules
 * between them.
 *
 * <ul>
 *   <li>Cutting: once the head spans one and a half block ranges beyond a range, every such
 *       range is cut in one pass ({@link #compactIfDue}, Prometheus's rule, which keeps the
 *       newest data in memory), each block ending where {@link BlockLevels} says; ranges without
 *       samples cost nothing. {@link #flush} cuts everything.</li>
 *   <li>Out-of-order compaction: before every cut, the head's out-of-order samples of ranges cut
 *       already become blocks overlapping those, so after a cut the blocks hold every sample the
 *       head took before its {@link #minValidTime}.</li>
 *   <li>The min valid time: the end of what was cut. The head refuses samples before it, which
 *       are in blocks already (a replay brings them again) or would overlap them.</li>
 *   <li>Reads: {@link #querier} merges the head with the blocks that overlap the range; it is
 *       the one place reads take the block list, and maps blocks under the owner's
 *       {@link MappedBlocks} cap.</li>
 *   <li>Deleting: the owner drops blocks it no longer needs locally ({@link #deleteBlocks}); reads
 *       that took them finish on them.</li>
 * </ul>
 *
 * Each block gets a {@link BlockSidecar} whose origin fields the owner gives through a
 * {@link CutHook}; the database neither reads nor keeps them. Which blocks of a directory are
 * this database's is the owner's decision when it {@link #open opens} it: tenants' directories
 * are shared by the ingesters of every zone and partition.
 *
 * <p>Its owner's thread appends, cuts and closes; {@link #querier queriers} read from any thread
 * at the same time. A querier's read takes the block list and selects from the head under the
 * read side of the database's cut lock, and a cut truncates the head and adds its block under
 * the write side: so a read sees the head before a cut with the blocks before it, or the head
 * after with the new block, never the head after without the block. Appends do not take the
 * cut lock (see {@link Head} for how they and reads share the head). A closed database refuses
 * new reads ({@link ClosedException}); reads already running keep their blocks mapped until
 * they close.
 */
public final class TenantDb implements AutoCloseable {
    /** Suffix of a block directory being deleted (Prometheus's). */
    public static final String DELETING_SUFFIX = ".tmp-for-deletion";
    private static final Comparator<BlockReader> BY_TIME =
            Comparator.comparingLong((BlockReader b) -> b.meta().minTime()).thenComparing(b -> b.meta().ulid());

    private final Path dir;
    private final long blockRange;
    private final MappedBlocks mapped;
    private final Head head;
    /** By min time at opening, then in the order cut. */
    private final List<BlockReader> blocks = new ArrayList<>();
    private long minValidTime = Long.MIN_VALUE;
    /** Read: a read taking blocks and head snapshot. Write: the block list or the head's extent changes. */
    private final ReentrantReadWriteLock cutLock = new ReentrantReadWriteLock(true);
    private boolean closed;

    /** A head only: no directory, so no blocks (warm-ups, throwaway state); cutting fails. */
    public TenantDb(long blockRange) {
        this(null, blockRange, null);
    }

    /**
     * A database without blocks yet.
     *
     * @param dir where its blocks go, {@code <data-dir>/tsdb/<tenant>}; created at the first cut
     * @param blockRange the block range in ms, also the head's chunk range
     * @param mapped the cap on mapped blocks this database shares with its owner's others
     */
    public TenantDb(Path dir, long blockRange, MappedBlocks mapped) {
        this.dir = dir;
        this.blockRange = blockRange;
        this.mapped = mapped;
        this.head = new Head(blockRange);
    }

    /**
     * Opens the blocks of a directory that {@code own} takes (given each block directory), in
     * time order; the min valid time is the end of the newest. A head rebuilt after them starts
     * as if it had taken their newest sample: never later than the mark it really had, so it
     * refuses nothing the first application took. Closes what it opened if one fails. Removes
     * what a deletion interrupted by a crash left ({@link #deleteBlocks}).
     */
    public static TenantDb open(Path dir, long blockRange, MappedBlocks mapped, Predicate<Path> own) throws IOException {
        TenantDb db = new TenantDb(dir, blockRange, mapped);
        if (!Files.isDirectory(dir)) return db;
        try (DirectoryStream<Path> leftovers = Files.newDirectoryStream(dir, "*" + DELETING_SUFFIX)) {
            for (Path p : leftovers) deleteRecursively(p); // a deletion a crash interrupted
        }
        try (DirectoryStream<Path> blockDirs = Files.newDirectoryStream(dir,
                p -> Files.isDirectory(p) && Ulid.isValid(p.getFileName().toString()))) {
            for (Path blockDir : blockDirs) {
                if (!own.test(blockDir)) continue;
                BlockReader b = BlockReader.open(blockDir);
                db.add(b);
                db.raiseMinValidTime(b.meta().maxTime());
            }
        } catch (IOException | RuntimeException e) {
            db.close();
            throw e;
        }
        db.blocks.sort(BY_TIME);
        if (!db.blocks.isEmpty()) db.head.setHighWaterMark(db.minValidTime - 1);
        return db;
    }

    public Head head() { return head; }

    /** The open blocks, read-only: by min time as opened, then in the order cut. */
    public List<BlockReader> blocks() { return Collections.unmodifiableList(blocks); }

    /** Samples before this are in blocks (or were cut away); the head refuses them. */
    public long minValidTime() { return minValidTime; }

    /**
     * The oldest sample held, in the head or a block ({@link Long#MAX_VALUE} when none). Called
     * by the thread that cuts and deletes blocks.
     */
    public long minTime() {
        long min = head.numSeries() == 0 ? Long.MAX_VALUE : head.minTime();
        for (BlockReader b : blocks) min = Math.min(min, b.meta().minTime());
        return min;
    }

    /**
     * Raises the min valid time to {@code t} if it is lower: restoring state saved when cuts had
     * gone further than the blocks on disk show (a cut of a range without samples writes none).
     */
    public void raiseMinValidTime(long t) {
        if (t <= minValidTime) return;
        minValidTime = t;
        Lock append = head.appendLock();
        append.lock();
        try {
            head.setMinValidTime(t);
        } finally {
            append.unlock();
        }
    }

    /**
     * The head and the blocks overlapping [mint, maxt], merged; usable from any thread. Each
     * call takes the blocks and the head as they are then (see the class comment); the blocks
     * read stay mapped until the querier is closed, and then those beyond the cap are unmapped.
     */
    public Querier querier(long mint, long maxt) {
        return new Reader(mint, maxt);
    }

    /** A querier of this database: each call merges the head with the blocks it takes then. */
    private final class Reader implements Querier {
        private final long mint;
        private final long maxt;
        private final List<Querier> opened = new ArrayList<>();

        Reader(long mint, long maxt) {
            this.mint = mint;
            this.maxt = maxt;
        }

        public SeriesSet select(boolean sorted, LabelMatcher... matchers) {
            Lock read = cutLock.readLock();
            read.lock();
            try {
                return take().select(sorted, matchers);
            } finally {
                read.unlock();
            }
        }

        public List<String> labelNames(LabelMatcher... matchers) {
            Lock read = cutLock.readLock();
            read.lock();
            try {
                return take().labelNames(matchers);
            } finally {
                read.unlock();
            }
        }

        public List<String> labelValues(String name, LabelMatcher... matchers) {
            Lock read = cutLock.readLock();
            read.lock();
            try {
                return take().labelValues(name, matchers);
            } finally {
                read.unlock();
            }
        }

        /** The head and the blocks overlapping the range now, merged; under the cut lock's read side. */
        private Querier take() {
            if (closed) throw new ClosedException(dir);
            List<BlockReader> reading = new ArrayList<>();
            for (BlockReader b : blocks) if (b.meta().overlaps(mint, maxt)) reading.add(b);
            Querier q;
            if (reading.isEmpty()) {
                q = head.querier(mint, maxt);
            } else {
                mapped.read(reading);
                List<Queryable> sources = new ArrayList<>(reading);
                sources.add(head);
                q = MergeQuerier.of(sources).querier(mint, maxt);
            }
            synchronized (opened) {
                opened.add(q);
            }
            return q;
        }

        public void close() {
            List<Querier> all;
            synchronized (opened) {
                all = List.copyOf(opened);
                opened.clear();
            }
            if (all.isEmpty()) return;
            try {
                new MergeQuerier(all).close();
            } finally {
                if (mapped != null) mapped.read(List.of());
            }
        }
    }

    /** A read of a database after it was closed (its ingester stopped): ask another. */
    public static final class ClosedException extends IllegalStateException {
        ClosedException(Path dir) {
            super("the tenant database " + (dir == null ? "" : dir + " ") + "is closed");
        }
    }

    /**
     * Cuts every block range the head spans one and a half ranges beyond, in one pass, each
     * block ending where {@link BlockLevels} says; out-of-order samples of ranges cut already go
     * first. Returns the blocks written.
     *
     * @throws UncheckedIOException if a block cannot be written or opened
     */
    public List<BlockMeta> compactIfDue(CutHook hook) {
        List<BlockMeta> cut = new ArrayList<>();
        if (head.numSeries() == 0 || head.maxTime() == Long.MIN_VALUE) return cut;
        long maxt = head.maxTime();
        long until = BlockLevels.alignDown(maxt < Long.MIN_VALUE + blockRange / 2 ? Long.MIN_VALUE : maxt - blockRange / 2,
                blockRange); // ranges ending by here are due
        while (head.numSeries() > 0 && head.minTime() != Long.MAX_VALUE) {
            long oldest = Math.max(head.minTime(), minValidTime); // out-of-order samples may be older
            long end = BlockLevels.end(oldest, until, blockRange);
            if (end <= oldest) break;
            cut.addAll(compactOutOfOrder(hook));
            if (head.numSeries() == 0 || head.minTime() == Long.MAX_VALUE) break;
            if (head.minTime() >= end) continue; // only out-of-order samples were that old
            cut(head.minTime(), end, hook).ifPresent(cut::add);
        }
        return cut;
    }

    /** Cuts everything in the head into blocks (Mimir's flush); returns the blocks written. */
    public List<BlockMeta> flush(CutHook hook) {
        List<BlockMeta> cut = new ArrayList<>(compactOutOfOrder(hook));
        if (head.numSeries() == 0 || head.minTime() == Long.MAX_VALUE) return cut;
        long newest = Math.max(head.maxTime(), head.outOfOrderMaxTime());
        long maxt = newest == Long.MAX_VALUE ? newest : newest + 1;
        cut(head.minTime(), maxt, hook).ifPresent(cut::add);
        return cut;
    }

    /**
     * Writes the out-of-order samples from before the min valid time (ranges cut already) as
     * blocks overlapping those, aligned as {@link BlockLevels} says, as Prometheus's out-of-order
     * compaction does, and drops them from the head.
     */
    private List<BlockMeta> compactOutOfOrder(CutHook hook) {
        if (head.numSeries() == 0 || head.minTime() >= minValidTime) return List.of();
        Cut cut = new Cut(BlockLevels.alignDown(head.minTime(), blockRange), minValidTime, true);
        Map<String, byte[]> sidecar = sidecar(hook, cut);
        List<BlockMeta> out = new ArrayList<>();
        List<BlockReader> written = new ArrayList<>();
        BlockWriter writer = writer();
        try {
            long end;
            for (long start = cut.mint(); start < minValidTime; start = end) {
                end = BlockLevels.end(start, minValidTime, blockRange);
                Optional<BlockMeta> meta = writer.writeOutOfOrder(head, Math.max(start, head.minTime()), end, sidecar);
                if (meta.isEmpty()) continue;
                written.add(BlockReader.open(dir.resolve(meta.get().ulid().toString())));
                out.add(meta.get());
            }
        } catch (IOException e) {
            for (BlockReader b : written) b.close();
            throw new UncheckedIOException("cutting an out-of-order block into " + dir, e);
        }
        Lock write = cutLock.writeLock();
        write.lock();
        try {
            for (BlockReader b : written) add(b);
            truncate(minValidTime);
        } finally {
            write.unlock();
        }
        hook.cut(cut, out);
        return out;
    }

    /** Cuts the head's samples in [max(mint, min valid time), maxt) into a block, and lets go of them. */
    private Optional<BlockMeta> cut(long mint, long maxt, CutHook hook) {
        Cut cut = new Cut(mint, maxt, false);
        Map<String, byte[]> sidecar = sidecar(hook, cut);
        try {
            Optional<BlockMeta> meta = writer().write(head, Math.max(mint, minValidTime), maxt, sidecar);
            hook.written(cut);
            BlockReader block = meta.isPresent() ? BlockReader.open(dir.resolve(meta.get().ulid().toString())) : null;
            Lock write = cutLock.writeLock();
            write.lock();
            try {
                if (block != null) add(block);
                truncate(maxt);
                raiseMinValidTime(maxt);
            } finally {
                write.unlock();
            }
            hook.cut(cut, meta.map(List::of).orElse(List.of()));
            return meta;
        } catch (IOException e) {
            throw new UncheckedIOException("cutting a block into " + dir, e);
        }
    }

    private static Map<String, byte[]> sidecar(CutHook hook, Cut cut) {
        return Map.of(BlockSidecar.FILE, new BlockSidecar(hook.origin(cut), cut.outOfOrder()).encode());
    }

    private BlockWriter writer() {
        if (dir == null) throw new IllegalStateException("a head-only tenant database cuts no blocks");
        return new BlockWriter(dir);
    }

    /** Drops what the head holds before {@code t}; under the cut lock's write side. */
    private void truncate(long t) {
        Lock append = head.appendLock();
        append.lock();
        try {
            head.truncate(t);
        } finally {
            append.unlock();
        }
    }

    /** A block opened now: part of reads from here on, and under the mapping cap. */
    private void add(BlockReader b) {
        blocks.add(b);
        mapped.read(List.of(b));
    }

    /**
     * Deletes the blocks {@code which} selects from this database and from disk (an ingester's
     * blocks once shipped to the bucket and past retention). They leave the block list under the
     * cut lock's write side, so a read takes them whole or not at all; reads that took them keep
     * them mapped until they close (a deleted file stays readable while mapped). Each directory is
     * renamed to {@code <ULID>}{@value #DELETING_SUFFIX} before its files go, so a crash never
     * leaves part of a block under a block's name ({@link #open} removes what such a crash left).
     * The min valid time stays: the head still refuses what the blocks held. Returns the metas of
     * the blocks deleted.
     *
     * @throws UncheckedIOException if a directory cannot be renamed or deleted (the blocks are out
     *     of the database by then)
     */
    public List<BlockMeta> deleteBlocks(Predicate<BlockMeta> which) {
        List<BlockReader> dropped = new ArrayList<>();
        Lock write = cutLock.writeLock();
        write.lock();
        try {
            for (java.util.Iterator<BlockReader> it = blocks.iterator(); it.hasNext(); ) {
                BlockReader b = it.next();
                if (!which.test(b.meta())) continue;
                it.remove();
                dropped.add(b);
            }
        } finally {
            write.unlock();
        }
        List<BlockMeta> deleted = new ArrayList<>(dropped.size());
        for (BlockReader b : dropped) {
            b.close();
            if (mapped != null) mapped.forget(b);
            try {
                Path deleting = b.dir().resolveSibling(b.dir().getFileName() + DELETING_SUFFIX);
                Files.move(b.dir(), deleting, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
                deleteRecursively(deleting);
            } catch (IOException e) {
                throw new UncheckedIOException("deleting block " + b.dir(), e);
            }
            deleted.add(b.meta());
        }
        return deleted;
    }

    /** Removes {@code dir} and what it holds; what another thread removes meanwhile is not an error. */
    private static void deleteRecursively(Path dir) throws IOException {
        try (java.util.stream.Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        } catch (java.nio.file.NoSuchFileException e) {
            // gone already
        }
    }

    /** Closes the blocks; reads running keep theirs mapped until they close, new reads are refused. */
    @Override
    public void close() {
        Lock write = cutLock.writeLock();
        write.lock();
        try {
            closed = true;
            for (BlockReader b : blocks) b.close();
        } finally {
            write.unlock();
        }
    }
}
