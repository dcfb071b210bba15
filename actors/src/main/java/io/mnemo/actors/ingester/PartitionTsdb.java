package io.mnemo.actors.ingester;

import io.mnemo.actors.TenantId;
import io.mnemo.actors.ingest.IngestRecordReader;
import io.mnemo.actors.ingest.MalformedRecordException;
import io.mnemo.cluster.IngesterId;
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
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What one ingester holds of its partition, per tenant: the in-memory head, and the blocks it cut
 * from it under {@code <data-dir>/tsdb/<tenant>/<ULID>/}. Each block carries a {@code mnemo.properties}
 * naming the ingester that cut it and the Kafka offset its partition had reached, so an ingester
 * finds its own blocks among others' and knows where a rebuild from Kafka must start.
 *
 * <p>Samples older than the end of a tenant's newest block are refused: they are in a block
 * already (a journal replay hands them over again) or would overlap one.
 *
 * <p>A record's key names its tenant, and Kafka is on the network: records whose key is not a
 * valid tenant id ({@link TenantId}) are skipped (they stay in the journal, and their offsets
 * count as consumed), counted, and logged once per reason. A tenant's directory is built in one
 * place, {@link #tenantDir}, which refuses any path that is not a direct child of {@code tsdb/}.
 */
final class PartitionTsdb implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(PartitionTsdb.class);
    /** Beside a block's own files: which ingester cut it, and the partition offset it had reached. */
    static final String SIDECAR = "mnemo.properties";

    /**
     * Most blocks of this partition kept mapped: each costs two memory maps or more (a process
     * gets 65,530 by default) and its index's tables on the heap. Beyond it, the least recently
     * read idle blocks are unmapped, and mapped again when a query needs them.
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

        private void refuse(String tenant, boolean firstTime, Discard reason, long n) {
            if (n == 0) return;
            if (!reason.isMetadata()) refused[reason.ordinal()] += n;
            if (firstTime) firstRefused.computeIfAbsent(tenant, k -> new long[Discard.ALL.length])[reason.ordinal()] += n;
        }
    }

    /** One tenant's data in this partition (package-private for {@link PartitionSnapshotCodec}). */
    static final class Tenant {
        final Head head;
        final List<BlockReader> blocks = new ArrayList<>();
        /** Samples before this are in blocks already. */
        long minValidTime = Long.MIN_VALUE;
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
         * Offset the partition had reached at this tenant's newest cut: what records before it
         * brought before minValidTime is in blocks (or was refused), so applying them again must
         * not take it out of order.
         */
        long cutOffset = -1;

        Tenant(long blockRange) {
            head = new Head(blockRange);
        }
    }

    private final IngesterId id;
    private final Path tsdbDir;
    private final long blockRange;
    final Map<String, Tenant> tenants = new HashMap<>();
    private final IngestRecordReader reader = new IngestRecordReader();
    private final RecordSeriesLookup lookup = new RecordSeriesLookup();
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
    /** The blocks mapped now, least recently read first. */
    private final java.util.LinkedHashSet<BlockReader> mapped = new java.util.LinkedHashSet<>();

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

    private void openOwnBlocks() {
        if (tsdbDir == null || !Files.isDirectory(tsdbDir)) return;
        BlockReader newest = null;
        try (DirectoryStream<Path> tenantDirs = Files.newDirectoryStream(tsdbDir, Files::isDirectory)) {
            for (Path tenantDir : tenantDirs) {
                if (TenantId.problem(tenantDir.getFileName().toString()) != null) {
                    log.warn("Ingester {}: ignoring {}: not a tenant's directory (its name is not a valid tenant id)", id, tenantDir);
                    continue;
                }
                // Only this ingester's blocks are opened (others' are another partition's or zone's).
                try (DirectoryStream<Path> blockDirs = Files.newDirectoryStream(tenantDir,
                        p -> Files.isDirectory(p) && Ulid.isValid(p.getFileName().toString()))) {
                    for (Path blockDir : blockDirs) {
                        Properties owner = sidecar(blockDir);
                        if (!id.zone().equals(owner.getProperty("zone"))
                                || !Integer.toString(id.partition()).equals(owner.getProperty("partition"))) continue;
                        BlockReader b = BlockReader.open(blockDir);
                        Tenant t = tenant(tenantDir.getFileName().toString());
                        t.blocks.add(b);
                        keepMapped(List.of(b));
                        t.minValidTime = Math.max(t.minValidTime, b.meta().maxTime());
                        t.cutOffset = Math.max(t.cutOffset, Long.parseLong(owner.getProperty("nextOffset", "-1")));
                        if (newest == null || b.meta().ulid().compareTo(newest.meta().ulid()) > 0) {
                            newest = b;
                            rebuildOffset = Long.parseLong(owner.getProperty("rebuildOffset", "-1"));
                        }
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("opening blocks under " + tsdbDir, e);
        }
        for (Tenant t : tenants.values()) t.blocks.sort(java.util.Comparator.comparingLong((BlockReader b) -> b.meta().minTime())
                .thenComparing(b -> b.meta().ulid()));
        // A head rebuilt after these blocks starts as if it had taken their newest sample: never
        // later than the mark it really had, so it refuses nothing the first application took.
        for (Tenant t : tenants.values()) if (!t.blocks.isEmpty()) t.head.setHighWaterMark(t.minValidTime - 1);
        int n = tenants.values().stream().mapToInt(t -> t.blocks.size()).sum();
        if (n > 0) log.info("Ingester {}: opened {} blocks of {} tenants (rebuilds start at offset {})",
                id, n, tenants.size(), rebuildOffset);
    }

    /** @throws IllegalArgumentException for a name that is not a valid tenant id */
    Tenant tenant(String name) {
        Tenant existing = tenants.get(name);
        if (existing != null) return existing;
        TenantId.Problem problem = TenantId.problem(name);
        if (problem != null) throw new IllegalArgumentException("invalid tenant id '" + printable(name) + "': " + problem.label);
        Tenant t = new Tenant(blockRange);
        t.head.setOutOfOrderTimeWindow(outOfOrderWindows.applyAsLong(name));
        t.metadataLimit = metadataLimits.applyAsInt(name);
        tenants.put(name, t);
        return t;
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
            if (compacted && e.maxTime() < t.minValidTime) continue;
            t.head.setMinValidTime(t.minValidTime);
            reader.reset(e.samples());
            lookup.reset(reader, t.head);
            while (reader.nextSeries()) {
                int ref = -1;
                for (int i = 0; i < reader.sampleCount(); i++) {
                    long ts = reader.sampleTimestamp(i);
                    if (compacted && ts < t.minValidTime) continue;
                    if (ref < 0 && (ref = lookup.find()) < 0) ref = lookup.create();
                    if (t.head.restoreOutOfOrder(ref, ts, reader.sampleValue(i))) restored++;
                }
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
        tenants.forEach((name, t) -> out.put(name, new long[] {t.minValidTime, t.cutOffset}));
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
                    oob0 = head.outOfBounds();
            head.setMinValidTime(t.minValidTime);
            // Applied before (journal replay, or Kafka after a lost journal): what it brought before
            // minValidTime is in blocks when a cut came after it, and its out-of-order samples are
            // back from the write-behind log when that logged it. Either way, not again (and what
            // it had refused was counted the first time).
            boolean oooLogged = offset <= outOfOrderLoggedUpTo;
            boolean firstTime = !oooLogged && offset >= t.cutOffset;
            try {
                applier.apply(t, batch.values()[r], firstTime, oooLogged);
            } catch (MalformedRecordException e) {
                // The distributor validated the record, so this is damage or a foreign writer.
                // Applying stops at the damage; what came before it stays (it is in the journal too).
                skipInvalid(result, MALFORMED_RECORD, offset, "it does not decode: " + e.getMessage());
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
            result.refuse(name, firstTime, Discard.PER_USER_METADATA_LIMIT, applier.metadataRefused());
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

    /** Head and blocks of a tenant, merged. */
    Querier querier(String tenant, long mint, long maxt) {
        Tenant t = tenants.get(tenant);
        if (t == null) return EMPTY;
        List<BlockReader> blocks = new ArrayList<>();
        for (BlockReader b : t.blocks) if (b.meta().overlaps(mint, maxt)) blocks.add(b);
        if (blocks.isEmpty()) return t.head.querier(mint, maxt);
        keepMapped(blocks);
        List<Queryable> sources = new ArrayList<>(blocks);
        sources.add(t.head);
        Querier merged = MergeQuerier.of(sources).querier(mint, maxt);
        return new Querier() { // once closed, a query over many blocks leaves no more than the cap mapped
            public SeriesSet select(boolean sorted, LabelMatcher... matchers) { return merged.select(sorted, matchers); }
            public List<String> labelNames(LabelMatcher... matchers) { return merged.labelNames(matchers); }
            public List<String> labelValues(String name, LabelMatcher... matchers) { return merged.labelValues(name, matchers); }
            public void close() {
                merged.close();
                keepMapped(List.of());
            }
        };
    }

    /**
     * Marks these blocks as read now (mapped by their queriers, if they were not), and unmaps the
     * least recently read idle others beyond {@link #MAX_MAPPED_BLOCKS}.
     */
    private void keepMapped(List<BlockReader> reading) {
        for (BlockReader b : reading) {
            mapped.remove(b);
            mapped.add(b);
        }
        int excess = mapped.size() - MAX_MAPPED_BLOCKS;
        int others = mapped.size() - reading.size(); // the ones before those, at the end now
        java.util.Iterator<BlockReader> it = mapped.iterator();
        for (int i = 0; i < others && excess > 0; i++) {
            BlockReader b = it.next();
            if (b.unmap() || !b.isMapped()) {
                it.remove();
                excess--;
            }
        }
    }

    /**
     * Cuts every block range of a tenant's head that the head spans one and a half ranges beyond
     * (Prometheus's rule), so the newest data stays in memory, in one pass: each block ends where
     * {@link BlockLevels} says, so days of old data become a block per day, and ranges without
     * samples cost nothing.
     */
    List<BlockMeta> compactIfDue(long nextOffset) {
        List<BlockMeta> cut = new ArrayList<>();
        for (Map.Entry<String, Tenant> e : tenants.entrySet()) {
            Head head = e.getValue().head;
            if (head.numSeries() == 0 || head.maxTime() == Long.MIN_VALUE) continue;
            long maxt = head.maxTime();
            long until = BlockLevels.alignDown(maxt < Long.MIN_VALUE + blockRange / 2 ? Long.MIN_VALUE : maxt - blockRange / 2,
                    blockRange); // ranges ending by here are due
            while (head.numSeries() > 0 && head.minTime() != Long.MAX_VALUE) {
                long oldest = Math.max(head.minTime(), e.getValue().minValidTime); // out-of-order samples may be older
                long end = BlockLevels.end(oldest, until, blockRange);
                if (end <= oldest) break;
                cut.addAll(compactOutOfOrder(e.getKey(), e.getValue(), nextOffset));
                if (head.numSeries() == 0 || head.minTime() == Long.MAX_VALUE) break;
                if (head.minTime() >= end) continue; // only out-of-order samples were that old
                cut(e.getKey(), e.getValue(), head.minTime(), end, nextOffset).ifPresent(cut::add);
            }
        }
        return cut;
    }

    /** Cuts everything in every head into blocks (Mimir's /ingester/flush). */
    List<BlockMeta> flush(long nextOffset) {
        List<BlockMeta> cut = new ArrayList<>();
        for (Map.Entry<String, Tenant> e : tenants.entrySet()) {
            Head head = e.getValue().head;
            cut.addAll(compactOutOfOrder(e.getKey(), e.getValue(), nextOffset));
            if (head.numSeries() == 0 || head.minTime() == Long.MAX_VALUE) continue;
            long newest = Math.max(head.maxTime(), head.outOfOrderMaxTime());
            long maxt = newest == Long.MAX_VALUE ? newest : newest + 1;
            cut(e.getKey(), e.getValue(), head.minTime(), maxt, nextOffset).ifPresent(cut::add);
        }
        return cut;
    }

    /**
     * Writes a tenant's out-of-order samples from before its minValidTime (ranges cut already) as
     * blocks overlapping those, aligned as {@link BlockLevels} says, as Prometheus's out-of-order
     * compaction does, and drops them from the head. Runs before every cut, so that after a cut
     * the blocks hold every accepted sample before minValidTime.
     */
    private List<BlockMeta> compactOutOfOrder(String tenant, Tenant t, long nextOffset) {
        Head head = t.head;
        if (head.numSeries() == 0 || head.minTime() >= t.minValidTime) return List.of();
        String sidecar = "zone=" + id.zone() + "\npartition=" + id.partition() + "\nnextOffset=" + nextOffset
                + "\nrebuildOffset=" + rebuildOffset + "\noutOfOrder=true\n";
        List<BlockMeta> out = new ArrayList<>();
        Path dir = tenantDir(tsdbDir, tenant);
        try {
            long end;
            for (long start = BlockLevels.alignDown(head.minTime(), blockRange); start < t.minValidTime; start = end) {
                end = BlockLevels.end(start, t.minValidTime, blockRange);
                Optional<BlockMeta> meta = new BlockWriter(dir).writeOutOfOrder(head, Math.max(start, head.minTime()), end,
                        Map.of(SIDECAR, sidecar.getBytes(StandardCharsets.UTF_8)));
                if (meta.isEmpty()) continue;
                BlockReader b = BlockReader.open(dir.resolve(meta.get().ulid().toString()));
                t.blocks.add(b);
                keepMapped(List.of(b));
                out.add(meta.get());
                log.info("Ingester {}: cut out-of-order block {} of tenant {} [{}, {}): {} series, {} samples", id,
                        meta.get().ulid(), tenant, meta.get().minTime(), meta.get().maxTime(), meta.get().numSeries(),
                        meta.get().numSamples());
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cutting an out-of-order block of tenant " + tenant, e);
        }
        head.truncate(t.minValidTime);
        t.cutOffset = Math.max(t.cutOffset, nextOffset);
        return out;
    }

    private Optional<BlockMeta> cut(String tenant, Tenant t, long mint, long maxt, long nextOffset) {
        long start = System.nanoTime();
        // A rebuild from Kafka must bring back everything that stays in the heads after this cut:
        // start at the first record that brought any of it, in any tenant.
        long rebuildFrom = nextOffset;
        for (Tenant other : tenants.values()) {
            java.util.Collection<Long> remaining = other != t ? other.firstOffsetFrom.values()
                    : maxt > t.head.maxTime() ? List.<Long>of() : t.firstOffsetFrom.tailMap(maxt).values();
            for (long offset : remaining) rebuildFrom = Math.min(rebuildFrom, offset);
        }
        String sidecar = "zone=" + id.zone() + "\npartition=" + id.partition() + "\nnextOffset=" + nextOffset
                + "\nrebuildOffset=" + rebuildFrom + "\n";
        try {
            Path dir = tenantDir(tsdbDir, tenant);
            Optional<BlockMeta> meta = new BlockWriter(dir).write(t.head, Math.max(mint, t.minValidTime), maxt,
                    Map.of(SIDECAR, sidecar.getBytes(StandardCharsets.UTF_8)));
            onBlockWritten.run();
            t.head.truncate(maxt);
            t.minValidTime = Math.max(t.minValidTime, maxt);
            t.cutOffset = Math.max(t.cutOffset, nextOffset);
            t.firstOffsetFrom.headMap(maxt).clear();
            if (t.head.numSeries() == 0) t.firstOffsetFrom.clear();
            if (meta.isPresent()) {
                BlockReader b = BlockReader.open(dir.resolve(meta.get().ulid().toString()));
                t.blocks.add(b);
                keepMapped(List.of(b));
                rebuildOffset = rebuildFrom;
                log.info("Ingester {}: cut block {} of tenant {} [{}, {}): {} series, {} samples in {} ms", id,
                        meta.get().ulid(), tenant, meta.get().minTime(), meta.get().maxTime(), meta.get().numSeries(),
                        meta.get().numSamples(), (System.nanoTime() - start) / 1_000_000);
            }
            return meta;
        } catch (IOException e) {
            throw new UncheckedIOException("cutting a block of tenant " + tenant, e);
        }
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
        return h.appended() + h.outOfOrder() + h.duplicates() + h.tooOld() + h.outOfBounds();
    }

    long numSeries() {
        long n = 0;
        for (Tenant t : tenants.values()) n += t.head.numSeries();
        return n;
    }

    int numBlocks() {
        return tenants.values().stream().mapToInt(t -> t.blocks.size()).sum();
    }

    /** Where consuming must start to rebuild what is not in this ingester's blocks, or -1 (no blocks). */
    long rebuildOffset() {
        return rebuildOffset;
    }

    @Override
    public void close() {
        for (Tenant t : tenants.values()) for (BlockReader b : t.blocks) b.close();
    }

    /** A block's sidecar; empty when it has none (a block some other tool wrote). */
    private static Properties sidecar(Path blockDir) {
        Properties p = new Properties();
        Path f = blockDir.resolve(SIDECAR);
        if (Files.isRegularFile(f)) {
            try (var in = Files.newBufferedReader(f, StandardCharsets.UTF_8)) {
                p.load(in);
            } catch (IOException e) {
                log.warn("Unreadable {}: {}", f, e.toString());
            }
        }
        return p;
    }

    private static final Querier EMPTY = new Querier() {
        public SeriesSet select(boolean sorted, LabelMatcher... matchers) { return SeriesSet.EMPTY; }
        public List<String> labelNames(LabelMatcher... matchers) { return List.of(); }
        public List<String> labelValues(String name, LabelMatcher... matchers) { return List.of(); }
    };
}
