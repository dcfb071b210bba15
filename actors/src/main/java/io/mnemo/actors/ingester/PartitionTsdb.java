package io.mnemo.actors.ingester;

import io.mnemo.actors.TenantId;
import io.mnemo.actors.ingest.HistogramMessage;
import io.mnemo.actors.ingest.IngestRecordReader;
import io.mnemo.actors.ingest.MalformedRecordException;
import io.mnemo.bucketstore.BlockOrigin;
import io.mnemo.cluster.IngesterId;
import io.mnemo.tsdb.LabelMatcher;
import io.mnemo.tsdb.Querier;
import io.mnemo.tsdb.SeriesSet;
import io.mnemo.tsdb.block.BlockMeta;
import io.mnemo.tsdb.block.BlockReader;
import io.mnemo.tsdb.block.Ulid;
import io.mnemo.tsdb.db.BlockLevels;
import io.mnemo.tsdb.db.BlockSidecar;
import io.mnemo.tsdb.db.Cut;
import io.mnemo.tsdb.db.CutHook;
import io.mnemo.tsdb.db.MappedBlocks;
import io.mnemo.tsdb.db.TenantDb;
import io.mnemo.tsdb.exemplar.ExemplarStore;
import io.mnemo.tsdb.exemplar.SeriesExemplars;
import io.mnemo.tsdb.head.Head;
import io.mnemo.tsdb.histogram.FloatHistogram;
import io.mnemo.tsdb.histogram.Histogram;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.locks.Lock;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What one ingester holds of its partition: a {@link TenantDb} per tenant (head, and the blocks
 * it cut under {@code <data-dir>/tsdb/<tenant>/<ULID>/}), and the Kafka-offset bookkeeping around
 * them. Each block's sidecar names the ingester that cut it and the offsets its partition had
 * reached ({@link BlockOrigin}), so an ingester finds its own blocks among others' and knows where
 * a rebuild from Kafka must start; records applied again after a cut (a journal replay, or Kafka
 * after a lost journal) take nothing the cut put in blocks, nor count what they refused again.
 *
 * <p>A record's key names its tenant, and Kafka is on the network: records whose key is not a
 * valid tenant id ({@link TenantId}) are skipped (they stay in the journal, and their offsets
 * count as consumed), counted, and logged once per reason. A tenant's directory is built in one
 * place, {@link #tenantDir}, which refuses any path that is not a direct child of {@code tsdb/}.
 */
final class PartitionTsdb implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(PartitionTsdb.class);

    /**
     * Most blocks of this partition kept mapped ({@link MappedBlocks}): a process gets 65,530
     * memory maps by default, and a node hosts several partitions.
     */
    static final int MAX_MAPPED_BLOCKS = 64;

    /** Reason label of records whose value does not decode. */
    static final String MALFORMED_RECORD = "malformed-record";

    /** What applying a batch did. */
    static final class ApplyResult {
        /** Samples appended. */
        long appended;
        /** Samples refused, by {@link Discard} ordinal, in every record (journal replays too). */
        final long[] refused = new long[Discard.ALL.length];
        /**
         * Per tenant, samples and metadata refused by {@link Discard} ordinal, in records applied
         * for the first time only: a record applied again was counted when first applied.
         */
        final Map<String, long[]> firstRefused = new HashMap<>();
        /** Records skipped, by reason: an invalid tenant id ({@link TenantId.Problem} label) or {@link #MALFORMED_RECORD}. */
        final Map<String, Long> invalidRecords = new HashMap<>();

        /** Exemplars added to the tenants' stores. */
        long exemplarsAppended;

        private void refuse(String tenant, boolean firstTime, Discard reason, long n) {
            if (n == 0) return;
            if (!reason.isMetadata() && !reason.isExemplar()) refused[reason.ordinal()] += n;
            if (firstTime) firstRefused.computeIfAbsent(tenant, k -> new long[Discard.ALL.length])[reason.ordinal()] += n;
        }
    }

    /** One tenant's data in this partition (package-private for {@link PartitionSnapshotCodec}). */
    static final class Tenant {
        final TenantDb db;
        /** The database's head. */
        final Head head;
        /**
         * Block-range start → offset of the first record that brought a sample at or after it:
         * where a rebuild from Kafka must start for the head to hold everything after a block.
         */
        final java.util.TreeMap<Long, Long> firstOffsetFrom = new java.util.TreeMap<>();

        /** Metric family → [type, help, unit], as last sent. */
        final Map<String, String[]> metadata = new HashMap<>();
        /** Most metric families with metadata kept: the tenant's share of its limit in this partition (0: none). */
        int metadataLimit;
        /**
         * The tenant's exemplars in this partition, as many as its share of max-global-exemplars-per-user;
         * null when that is 0 (its exemplars are refused by distributors).
         */
        ExemplarStore exemplars;
        /**
         * Offset the partition had reached at this tenant's newest cut: what records before it
         * brought before the database's min valid time is in blocks (or was refused), so applying
         * them again must not take it out of order.
         */
        long cutOffset = -1;

        Tenant(TenantDb db) {
            this.db = db;
            this.head = db.head();
        }

        /** A head only, no blocks (warm-ups, throwaway state). */
        Tenant(long blockRange) {
            this(new TenantDb(blockRange));
        }
    }

    private final IngesterId id;
    private final Path tsdbDir;
    private final long blockRange;
    final Map<String, Tenant> tenants = new HashMap<>();
    private final IngestRecordReader reader = new IngestRecordReader();
    private final RecordSeriesLookup lookup = new RecordSeriesLookup();
    private final MappedBlocks mapped = new MappedBlocks(MAX_MAPPED_BLOCKS);
    /**
     * From the newest block this ingester cut: the partition offset from which consuming rebuilds
     * everything not in blocks (-1: no block).
     */
    private long rebuildOffset = -1;
    /** Runs inside a cut, once the block is on disk and before the head lets go of it (fault injection). */
    Runnable onBlockWritten = () -> {};
    /** Tenant → out-of-order time window in ms (0: none). */
    private java.util.function.ToLongFunction<String> outOfOrderWindows = tenant -> 0;
    /** Tenant → most metric families with metadata it keeps in this partition (0: no limit). */
    private java.util.function.ToIntFunction<String> metadataLimits = tenant -> 0;
    /** Tenant → exemplars it keeps in this partition (0: none). */
    private java.util.function.ToIntFunction<String> exemplarLimits = tenant -> 0;
    /** Reasons of invalid records logged already: each is logged once, then only counted. */
    private final java.util.Set<String> invalidLogged = new java.util.HashSet<>();
    /**
     * Records up to this offset had their out-of-order samples logged in the write-behind log,
     * which restored them: applying such a record again takes only its in-order samples.
     */
    private long outOfOrderLoggedUpTo = -1;
    /** Out-of-order samples accepted since {@link #takeOutOfOrderLog}, for the write-behind log. */
    private final List<OutOfOrderLogged> outOfOrderLog = new ArrayList<>();
    private final RecordApplier applier = new RecordApplier();

    PartitionTsdb(IngesterId id, Path tsdbDir, long blockRange) {
        this.id = id;
        this.tsdbDir = tsdbDir;
        this.blockRange = blockRange;
        openOwnBlocks();
    }

    /** Heads only, for a warm-up: no directory, so no blocks are read or written. */
    static PartitionTsdb scratch(IngesterId id, long blockRange) {
        return new PartitionTsdb(id, null, blockRange);
    }

    /**
     * Opens the blocks this ingester cut, tenant by tenant: those whose sidecar names its zone and
     * partition (the directories are shared with every other ingester's). A tenant's cut offset
     * is the highest next offset of its blocks; the partition's rebuild offset is its newest
     * block's.
     */
    private void openOwnBlocks() {
        if (tsdbDir == null || !Files.isDirectory(tsdbDir)) return;
        Ulid newest = null;
        long newestNextOffset = Long.MIN_VALUE;
        try (DirectoryStream<Path> tenantDirs = Files.newDirectoryStream(tsdbDir, Files::isDirectory)) {
            for (Path tenantDir : tenantDirs) {
                String name = tenantDir.getFileName().toString();
                if (TenantId.problem(name) != null) {
                    log.warn("Ingester {}: ignoring {}: not a tenant's directory (its name is not a valid tenant id)", id, tenantDir);
                    continue;
                }
                Map<String, BlockOrigin> own = new HashMap<>(); // by block directory name
                TenantDb db = TenantDb.open(tenantDir(tsdbDir, name), blockRange, mapped, blockDir -> {
                    BlockOrigin origin = ownOrigin(blockDir);
                    if (origin != null) own.put(blockDir.getFileName().toString(), origin);
                    return origin != null;
                });
                if (db.blocks().isEmpty()) {
                    db.close();
                    continue;
                }
                Tenant t = add(name, db);
                for (BlockReader b : db.blocks()) {
                    BlockOrigin origin = own.get(b.meta().ulid().toString());
                    t.cutOffset = Math.max(t.cutOffset, origin.nextOffset());
                    // The newest cut: the furthest offset, then the latest block (a compacted block
                    // downloaded from the bucket is newer by ULID than the cuts it holds).
                    if (newest == null || origin.nextOffset() > newestNextOffset
                            || origin.nextOffset() == newestNextOffset && b.meta().ulid().compareTo(newest) > 0) {
                        newest = b.meta().ulid();
                        newestNextOffset = origin.nextOffset();
                        rebuildOffset = origin.rebuildOffset();
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("opening blocks under " + tsdbDir, e);
        }
        int n = numBlocks();
        if (n > 0) log.info("Ingester {}: opened {} blocks of {} tenants (rebuilds start at offset {})",
                id, n, tenants.size(), rebuildOffset);
    }

    /**
     * Takes what a {@link BucketRestore} brought back into a partition that holds nothing yet (an
     * empty disk): opens the blocks it downloaded, and raises each tenant's min valid time and cut
     * offset to where its blocks in the bucket end, also for tenants none of whose blocks were
     * downloaded (older than the retention period), so that records consumed again take nothing
     * those blocks hold. The head starts as if it had taken their newest sample, as after
     * {@link TenantDb#open}. Consuming resumes at the newest block's rebuild offset.
     */
    void restore(BucketRestore.Result restored) {
        if (!tenants.isEmpty()) throw new IllegalStateException("restoring from the bucket into a partition that holds tenants");
        openOwnBlocks();
        restored.floors().forEach((name, floor) -> {
            Tenant t = tenant(name);
            if (floor.minValidTime() > t.db.minValidTime()) {
                t.db.raiseMinValidTime(floor.minValidTime());
                if (t.head.numSeries() == 0) t.head.setHighWaterMark(floor.minValidTime() - 1);
            }
            t.cutOffset = Math.max(t.cutOffset, floor.cutOffset());
        });
        if (!restored.isEmpty()) rebuildOffset = restored.rebuildOffset(); // of the newest block, downloaded or not
    }

    /** The origin of a block this ingester cut; null for another's, or one whose sidecar is missing or unreadable. */
    private BlockOrigin ownOrigin(Path blockDir) {
        try {
            Optional<BlockSidecar> sidecar = BlockSidecar.read(blockDir);
            return sidecar.isEmpty() ? null : BlockOrigin.cutBy(id.zone(), id.partition(), sidecar.get());
        } catch (IOException e) {
            log.warn("Unreadable {}: {}", blockDir.resolve(BlockSidecar.FILE), e.toString());
            return null;
        }
    }

    /** @throws IllegalArgumentException for a name that is not a valid tenant id */
    Tenant tenant(String name) {
        Tenant existing = tenants.get(name);
        if (existing != null) return existing;
        TenantId.Problem problem = TenantId.problem(name);
        if (problem != null) throw new IllegalArgumentException("invalid tenant id '" + printable(name) + "': " + problem.label);
        return add(name, tsdbDir == null ? new TenantDb(blockRange) : new TenantDb(tenantDir(tsdbDir, name), blockRange, mapped));
    }

    private Tenant add(String name, TenantDb db) {
        Tenant t = new Tenant(db);
        t.head.setOutOfOrderTimeWindow(outOfOrderWindows.applyAsLong(name));
        t.metadataLimit = metadataLimits.applyAsInt(name);
        int exemplars = exemplarLimits.applyAsInt(name);
        if (exemplars > 0) t.exemplars = new ExemplarStore(exemplars);
        tenants.put(name, t);
        return t;
    }

    /**
     * Sets how many exemplars each tenant keeps in this partition (0: none), for the tenants to
     * come; call before any tenant exists (limits are read once, at startup).
     */
    void setExemplarLimits(java.util.function.ToIntFunction<String> limits) {
        exemplarLimits = limits;
        tenants.forEach((name, t) -> {
            int n = limits.applyAsInt(name);
            if (t.exemplars == null && n > 0) t.exemplars = new ExemplarStore(n);
        });
    }

    /** Exemplars held in every tenant's store. */
    long numExemplars() {
        long n = 0;
        for (Tenant t : tenants.values()) if (t.exemplars != null) n += t.exemplars.size();
        return n;
    }

    /**
     * A tenant's exemplars in [start, end] of the series matching any of the matcher sets
     * ({@link ExemplarStore#select}); found on the entity's thread, read on the caller's.
     */
    Supplier<List<SeriesExemplars>> exemplars(String tenant, long start, long end, List<LabelMatcher[]> matcherSets) {
        Tenant t = tenants.get(tenant);
        ExemplarStore store = t == null ? null : t.exemplars;
        return () -> store == null ? List.of() : store.select(start, end, matcherSets);
    }

    /** Sets each tenant's out-of-order time window (ms), for the tenants there are and to come. */
    void setOutOfOrderWindows(java.util.function.ToLongFunction<String> windows) {
        outOfOrderWindows = windows;
        tenants.forEach((name, t) -> t.head.setOutOfOrderTimeWindow(windows.applyAsLong(name)));
    }

    /**
     * Sets each tenant's limit of metric families with metadata in this partition (0: none), for
     * the tenants there are and to come.
     */
    void setMetadataLimits(java.util.function.ToIntFunction<String> limits) {
        metadataLimits = limits;
        tenants.forEach((name, t) -> t.metadataLimit = limits.applyAsInt(name));
    }

    /**
     * A tenant's share of a cluster-wide limit in one of {@code partitions} partitions, as Mimir
     * divides global limits over the ingesters that own a tenant: ceil(limit / partitions); 0
     * stays 0 (no limit).
     */
    static int perPartition(int globalLimit, int partitions) {
        return globalLimit <= 0 ? 0 : (int) ((globalLimit + (long) partitions - 1) / partitions);
    }

    /**
     * The directory of a tenant's blocks, {@code tsdb/<tenant>}: the one place a path is built from
     * a tenant id, so the one place proven to stay under the data directory. A valid id is one
     * path segment; anything that would normalize to another place fails loudly instead.
     *
     * @throws IllegalStateException if the directory would not be a direct child of {@code tsdbDir}
     */
    static Path tenantDir(Path tsdbDir, String tenant) {
        Path root = tsdbDir.toAbsolutePath().normalize();
        Path dir = root.resolve(tenant).normalize();
        if (!dir.startsWith(root) || dir.getNameCount() != root.getNameCount() + 1) {
            throw new IllegalStateException("tenant '" + printable(tenant) + "' would put its blocks at " + dir
                    + ", not in a directory of its own under " + root);
        }
        return dir;
    }

    /** A client-supplied string for a log line: control characters escaped, at most 200 characters. */
    static String printable(String s) {
        if (s == null) return "<null>";
        StringBuilder b = new StringBuilder();
        int i = 0;
        for (; i < s.length() && b.length() < 200; i++) {
            char c = s.charAt(i);
            if (c < 0x20 || c == 0x7f) b.append(String.format("\\u%04x", (int) c));
            else b.append(c);
        }
        if (i < s.length()) b.append("...");
        return b.toString();
    }

    /**
     * Puts what the write-behind log holds back into the out-of-order heads, before any journal
     * event is applied again: the samples not in blocks yet (those before a tenant's
     * minValidTime from records before its newest cut were compacted by it). Records up to
     * {@code loggedUpTo} then apply only their in-order samples. {@code notLogged} are those a
     * restored snapshot carried because the log had not confirmed them when it was taken: the ones
     * the log does not hold ({@code offset > loggedUpTo}) are restored too and logged again.
     * Returns the samples restored.
     */
    long restoreOutOfOrder(List<OutOfOrderLogged> logged, long loggedUpTo, List<OutOfOrderLogged> notLogged) {
        outOfOrderLoggedUpTo = loggedUpTo;
        long restored = restoreOutOfOrder(logged);
        for (OutOfOrderLogged e : notLogged) {
            if (e.offset() <= loggedUpTo) continue; // the log wrote it after all
            restored += restoreOutOfOrder(List.of(e));
            outOfOrderLog.add(e);
        }
        return restored;
    }

    private long restoreOutOfOrder(List<OutOfOrderLogged> logged) {
        long restored = 0;
        for (OutOfOrderLogged e : logged) {
            if (TenantId.problem(e.tenant()) != null) continue; // never logged by this version
            Tenant t = tenant(e.tenant());
            boolean compacted = e.offset() < t.cutOffset;
            long minValidTime = t.db.minValidTime();
            if (compacted && e.maxTime() < minValidTime) continue;
            reader.reset(e.samples());
            lookup.reset(reader, t.head);
            Lock append = t.head.appendLock();
            append.lock();
            try {
                while (reader.nextSeries()) {
                    int ref = -1;
                    for (int i = 0; i < reader.sampleCount(); i++) {
                        long ts = reader.sampleTimestamp(i);
                        if (compacted && ts < minValidTime) continue;
                        if (ref < 0 && (ref = lookup.find()) < 0) ref = lookup.create();
                        if (t.head.restoreOutOfOrder(ref, ts, reader.sampleValue(i))) restored++;
                    }
                    byte[] b = reader.buffer();
                    for (int i = 0; i < reader.histogramCount(); i++) {
                        long ts = reader.histogramTimestamp(i);
                        if (compacted && ts < minValidTime) continue;
                        int off = reader.histogramOffset(i), len = reader.histogramLength(i);
                        Object h;
                        try {
                            h = HistogramMessage.isFloat(b, off, len)
                                    ? HistogramMessage.readFloat(b, off, len, FloatHistogram.empty())
                                    : HistogramMessage.readInt(b, off, len, new Histogram());
                        } catch (IllegalArgumentException damaged) {
                            continue; // the head took it, so this log entry is damaged: as a lost sample
                        }
                        if (ref < 0 && (ref = lookup.find()) < 0) ref = lookup.create();
                        if (t.head.restoreOutOfOrderHistogram(ref, ts, h)) restored++;
                    }
                }
            } finally {
                append.unlock();
            }
        }
        return restored;
    }

    /** The out-of-order samples accepted and not taken yet, left in place. */
    List<OutOfOrderLogged> peekOutOfOrderLog() {
        return List.copyOf(outOfOrderLog);
    }

    /** The out-of-order samples accepted since the last call, one event per record and tenant. */
    List<OutOfOrderLogged> takeOutOfOrderLog() {
        if (outOfOrderLog.isEmpty()) return List.of();
        List<OutOfOrderLogged> out = List.copyOf(outOfOrderLog);
        outOfOrderLog.clear();
        return out;
    }

    /**
     * Each tenant's [minValidTime, offset at its newest cut]: the out-of-order samples before
     * that time from records before that offset are in blocks.
     */
    Map<String, long[]> compacted() {
        Map<String, long[]> out = new HashMap<>();
        tenants.forEach((name, t) -> out.put(name, new long[] {t.db.minValidTime(), t.cutOffset}));
        return out;
    }

    /**
     * Applies a batch to the tenants' heads, each record as one batch of appends. Records whose
     * key is not a valid tenant id are skipped, whose value does not decode applied up to the
     * damage; both counted in the result, and logged once per reason.
     */
    ApplyResult apply(BatchConsumed batch) {
        ApplyResult result = new ApplyResult();
        for (int r = 0; r < batch.values().length; r++) {
            String name = batch.tenants()[r];
            long offset = batch.offsets()[r];
            Tenant t = tenants.get(name);
            if (t == null) {
                TenantId.Problem problem = TenantId.problem(name);
                if (problem != null) {
                    skipInvalid(result, problem.label, offset, "its key '" + printable(name) + "' is not a valid tenant id ("
                            + problem.label + ")");
                    continue;
                }
                t = tenant(name);
            }
            Head head = t.head;
            long ooo0 = head.outOfOrder(), dup0 = head.duplicates(), app0 = head.appended(), old0 = head.tooOld(),
                    oob0 = head.outOfBounds(), inv0 = head.invalidHistograms();
            // Applied before (journal replay, or Kafka after a lost journal): what it brought before
            // minValidTime is in blocks when a cut came after it, and its out-of-order samples are
            // back from the write-behind log when that logged it. Either way, not again (and what
            // it had refused was counted the first time).
            boolean oooLogged = offset <= outOfOrderLoggedUpTo;
            boolean firstTime = !oooLogged && offset >= t.cutOffset;
            Lock append = head.appendLock(); // reads on other threads wait for one record at most
            append.lock();
            try {
                applier.apply(t, batch.values()[r], firstTime, oooLogged);
            } catch (MalformedRecordException e) {
                // The distributor validated the record, so this is damage or a foreign writer.
                // Applying stops at the damage; what came before it stays (it is in the journal too).
                skipInvalid(result, MALFORMED_RECORD, offset, "it does not decode: " + e.getMessage());
            } finally {
                append.unlock();
            }
            if (applier.maxTime() != Long.MIN_VALUE) {
                t.firstOffsetFrom.putIfAbsent(BlockLevels.alignDown(applier.maxTime(), blockRange), offset);
            }
            if (applier.hasOutOfOrder()) {
                outOfOrderLog.add(new OutOfOrderLogged(offset, name, applier.outOfOrderMaxTime(), applier.outOfOrderRecord()));
            }
            result.appended += head.appended() - app0;
            Discard belowFloor = head.outOfOrderTimeWindow() == 0 ? Discard.SAMPLE_OUT_OF_BOUNDS : Discard.SAMPLE_TOO_OLD;
            result.refuse(name, firstTime, belowFloor, applier.belowFloor());
            result.refuse(name, firstTime, Discard.SAMPLE_OUT_OF_BOUNDS, head.outOfBounds() - oob0);
            result.refuse(name, firstTime, Discard.SAMPLE_TOO_OLD, head.tooOld() - old0);
            result.refuse(name, firstTime, Discard.SAMPLE_OUT_OF_ORDER, head.outOfOrder() - ooo0);
            result.refuse(name, firstTime, Discard.NEW_VALUE_FOR_TIMESTAMP, head.duplicates() - dup0);
            result.refuse(name, firstTime, Discard.INVALID_NATIVE_HISTOGRAM,
                    head.invalidHistograms() - inv0 + applier.histogramsUndecodable());
            result.refuse(name, firstTime, Discard.PER_USER_METADATA_LIMIT, applier.metadataRefused());
            result.refuse(name, firstTime, Discard.EXEMPLAR_OUT_OF_ORDER, applier.exemplarsOutOfOrder());
            result.exemplarsAppended += applier.exemplarsAppended();
        }
        return result;
    }

    /** Counts a record skipped (in part or whole) for {@code reason}; logs the first of each reason. */
    private void skipInvalid(ApplyResult result, String reason, long offset, String why) {
        result.invalidRecords.merge(reason, 1L, Long::sum);
        if (invalidLogged.add(reason)) {
            log.warn("Ingester {}: skipping the record at offset {}: {}. Further records skipped for this reason are not "
                    + "logged; mnemo_ingester_invalid_records_total{reason=\"{}\"} counts them as they are first consumed",
                    id, offset, why, reason);
        }
    }

    /**
     * Head and blocks of a tenant, merged. Found on the entity's thread (the tenant registry is
     * its own); the querier reads nothing until used, and is then used from a read thread.
     */
    Querier querier(String tenant, long mint, long maxt) {
        Tenant t = tenants.get(tenant);
        return t == null ? EMPTY : t.db.querier(mint, maxt);
    }

    /** Cuts what each tenant's database finds due ({@link TenantDb#compactIfDue}), at the partition's next offset. */
    List<BlockMeta> compactIfDue(long nextOffset) {
        List<BlockMeta> cut = new ArrayList<>();
        tenants.forEach((name, t) -> cut.addAll(t.db.compactIfDue(new CutOffsets(name, t, nextOffset))));
        return cut;
    }

    /** Cuts everything in every head into blocks (Mimir's /ingester/flush). */
    List<BlockMeta> flush(long nextOffset) {
        List<BlockMeta> cut = new ArrayList<>();
        tenants.forEach((name, t) -> cut.addAll(t.db.flush(new CutOffsets(name, t, nextOffset))));
        return cut;
    }

    /**
     * The Kafka offsets around a tenant's cuts at the partition's next offset: what each block's
     * sidecar records ({@link BlockOrigin}), and what the partition keeps after a cut.
     */
    private final class CutOffsets implements CutHook {
        private final String name;
        private final Tenant t;
        private final long nextOffset;
        private long rebuildFrom; // of the cut in progress
        private long start;

        CutOffsets(String name, Tenant t, long nextOffset) {
            this.name = name;
            this.t = t;
            this.nextOffset = nextOffset;
        }

        @Override
        public Map<String, String> origin(Cut cut) {
            start = System.nanoTime();
            if (cut.outOfOrder()) return new BlockOrigin(id.zone(), id.partition(), nextOffset, rebuildOffset).fields();
            // A rebuild from Kafka must bring back everything that stays in the heads after this cut:
            // start at the first record that brought any of it, in any tenant.
            rebuildFrom = nextOffset;
            for (Tenant other : tenants.values()) {
                java.util.Collection<Long> remaining = other != t ? other.firstOffsetFrom.values()
                        : cut.maxt() > t.head.maxTime() ? List.<Long>of() : t.firstOffsetFrom.tailMap(cut.maxt()).values();
                for (long offset : remaining) rebuildFrom = Math.min(rebuildFrom, offset);
            }
            return new BlockOrigin(id.zone(), id.partition(), nextOffset, rebuildFrom).fields();
        }

        @Override
        public void written(Cut cut) {
            onBlockWritten.run();
        }

        @Override
        public void cut(Cut cut, List<BlockMeta> blocks) {
            t.cutOffset = Math.max(t.cutOffset, nextOffset);
            if (cut.outOfOrder()) {
                for (BlockMeta b : blocks) {
                    log.info("Ingester {}: cut out-of-order block {} of tenant {} [{}, {}): {} series, {} samples", id,
                            b.ulid(), name, b.minTime(), b.maxTime(), b.numSeries(), b.numSamples());
                }
                return;
            }
            t.firstOffsetFrom.headMap(cut.maxt()).clear();
            if (t.head.numSeries() == 0) t.firstOffsetFrom.clear();
            for (BlockMeta b : blocks) {
                rebuildOffset = rebuildFrom;
                log.info("Ingester {}: cut block {} of tenant {} [{}, {}): {} series, {} samples in {} ms", id,
                        b.ulid(), name, b.minTime(), b.maxTime(), b.numSeries(), b.numSamples(),
                        (System.nanoTime() - start) / 1_000_000);
            }
        }
    }

    /**
     * Deletes, in every tenant, the blocks {@code expired} selects (given the tenant and the block)
     * from reads and from disk; returns them by bucket prefix ({@code <tenant>/<ULID>}).
     */
    List<String> deleteBlocks(java.util.function.BiPredicate<String, BlockMeta> expired) {
        List<String> deleted = new ArrayList<>();
        tenants.forEach((name, t) -> {
            for (BlockMeta b : t.db.deleteBlocks(meta -> expired.test(name, meta))) deleted.add(name + "/" + b.ulid());
        });
        return deleted;
    }

    /** Metadata of a tenant's metric families: [family, type, help, unit] rows, one family or all (metric null). */
    List<String[]> metadata(String tenant, String metric) {
        Tenant t = tenants.get(tenant);
        List<String[]> out = new ArrayList<>();
        if (t == null) return out;
        t.metadata.forEach((family, m) -> {
            if (metric == null || metric.equals(family)) out.add(new String[] {family, m[0], m[1], m[2]});
        });
        return out;
    }

    /** Samples of a tenant's records taken in so far, appended or refused (the warm-up's count). */
    long samplesOf(String tenant) {
        Tenant t = tenants.get(tenant);
        if (t == null) return 0;
        Head h = t.head;
        return h.appended() + h.outOfOrder() + h.duplicates() + h.tooOld() + h.outOfBounds() + h.invalidHistograms();
    }

    /** The oldest sample of any tenant held here, in heads and blocks ({@link Long#MAX_VALUE} when none). */
    long minTime() {
        long min = Long.MAX_VALUE;
        for (Tenant t : tenants.values()) min = Math.min(min, t.db.minTime());
        return min;
    }

    long numSeries() {
        long n = 0;
        for (Tenant t : tenants.values()) n += t.head.numSeries();
        return n;
    }

    int numBlocks() {
        return tenants.values().stream().mapToInt(t -> t.db.blocks().size()).sum();
    }

    /** Where consuming must start to rebuild what is not in this ingester's blocks, or -1 (no blocks). */
    long rebuildOffset() {
        return rebuildOffset;
    }

    @Override
    public void close() {
        for (Tenant t : tenants.values()) t.db.close();
    }

    private static final Querier EMPTY = new Querier() {
        public SeriesSet select(boolean sorted, LabelMatcher... matchers) { return SeriesSet.EMPTY; }
        public List<String> labelNames(LabelMatcher... matchers) { return List.of(); }
        public List<String> labelValues(String name, LabelMatcher... matchers) { return List.of(); }
    };
}
