package io.mnemo.actors.ingester;

import io.mnemo.actors.distributor.RemoteWriteException;
import io.mnemo.actors.distributor.WriteRequestReader;
import io.mnemo.cluster.IngesterId;
import io.mnemo.tsdb.LabelMatcher;
import io.mnemo.tsdb.MergeQuerier;
import io.mnemo.tsdb.Querier;
import io.mnemo.tsdb.Queryable;
import io.mnemo.tsdb.SeriesSet;
import io.mnemo.tsdb.block.BlockMeta;
import io.mnemo.tsdb.block.BlockReader;
import io.mnemo.tsdb.block.BlockWriter;
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
 * <p>Samples older than the end of a tenant's newest block are refused as too old: they are in a
 * block already (a journal replay hands them over again) or would overlap one.
 */
final class PartitionTsdb implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(PartitionTsdb.class);
    /** Beside a block's own files: which ingester cut it, and the partition offset it had reached. */
    static final String SIDECAR = "mnemo.properties";

    /** What applying a batch did, in samples (invalid: records that could not be decoded). */
    record ApplyResult(long appended, long outOfOrder, long duplicate, long tooOld, long invalid) {}

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

        Tenant(long blockRange) {
            head = new Head(blockRange);
        }
    }

    private final IngesterId id;
    private final Path tsdbDir;
    private final long blockRange;
    final Map<String, Tenant> tenants = new HashMap<>();
    private final WriteRequestReader reader = new WriteRequestReader();
    private final io.mnemo.actors.distributor.MetadataReader metadataReader = new io.mnemo.actors.distributor.MetadataReader();
    /**
     * From the newest block this ingester cut: the partition offset from which consuming rebuilds
     * everything not in blocks (-1: no block).
     */
    private long rebuildOffset = -1;
    /** Runs inside a cut, once the block is on disk and before the head lets go of it (fault injection). */
    Runnable onBlockWritten = () -> {};

    PartitionTsdb(IngesterId id, Path tsdbDir, long blockRange) {
        this.id = id;
        this.tsdbDir = tsdbDir;
        this.blockRange = blockRange;
        openOwnBlocks();
    }

    private void openOwnBlocks() {
        if (!Files.isDirectory(tsdbDir)) return;
        BlockReader newest = null;
        try (DirectoryStream<Path> tenantDirs = Files.newDirectoryStream(tsdbDir, Files::isDirectory)) {
            for (Path tenantDir : tenantDirs) {
                for (BlockReader b : BlockReader.openAll(tenantDir)) {
                    Properties owner = sidecar(b.dir());
                    if (id.zone().equals(owner.getProperty("zone"))
                            && Integer.toString(id.partition()).equals(owner.getProperty("partition"))) {
                        Tenant t = tenant(tenantDir.getFileName().toString());
                        t.blocks.add(b);
                        t.minValidTime = Math.max(t.minValidTime, b.meta().maxTime());
                        if (newest == null || b.meta().ulid().compareTo(newest.meta().ulid()) > 0) {
                            newest = b;
                            rebuildOffset = Long.parseLong(owner.getProperty("rebuildOffset", "-1"));
                        }
                    } else {
                        b.close();
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("opening blocks under " + tsdbDir, e);
        }
        int n = tenants.values().stream().mapToInt(t -> t.blocks.size()).sum();
        if (n > 0) log.info("Ingester {}: opened {} blocks of {} tenants (rebuilds start at offset {})",
                id, n, tenants.size(), rebuildOffset);
    }

    Tenant tenant(String name) {
        return tenants.computeIfAbsent(name, t -> new Tenant(blockRange));
    }

    ApplyResult apply(BatchConsumed batch) {
        long appended = 0, outOfOrder = 0, duplicate = 0, tooOld = 0, invalid = 0;
        for (int r = 0; r < batch.values().length; r++) {
            Tenant t = tenant(batch.tenants()[r]);
            Head head = t.head;
            long ooo0 = head.outOfOrder(), dup0 = head.duplicates(), app0 = head.appended();
            try {
                reader.reset(batch.values()[r]);
                long maxTs = Long.MIN_VALUE;
                while (reader.nextSeries()) {
                    int n = reader.sampleCount();
                    if (n == 0) continue;
                    int ref = -1;
                    for (int i = 0; i < n; i++) {
                        long ts = reader.sampleTimestamp(i);
                        if (ts < t.minValidTime) {
                            tooOld++;
                            continue;
                        }
                        if (ref < 0) ref = head.getOrCreateSeries(reader.labels());
                        head.append(ref, ts, reader.sampleValue(i));
                        if (ts > maxTs) maxTs = ts;
                    }
                }
                if (maxTs != Long.MIN_VALUE) {
                    t.firstOffsetFrom.putIfAbsent(Math.floorDiv(maxTs, blockRange) * blockRange, batch.offsets()[r]);
                }
                metadataReader.reset(batch.values()[r], 0, batch.values()[r].length);
                while (metadataReader.next()) {
                    t.metadata.put(metadataReader.family(),
                            new String[] {metadataReader.type(), metadataReader.help(), metadataReader.unit()});
                }
            } catch (RemoteWriteException e) {
                // The distributor validated the record, so this is damage, not user error. Applying
                // stops at the damage; what came before it stays (it is in the journal too).
                invalid++;
                log.error("Undecodable record at offset {}: {}", batch.offsets()[r], e.getMessage());
            }
            appended += head.appended() - app0;
            outOfOrder += head.outOfOrder() - ooo0;
            duplicate += head.duplicates() - dup0;
        }
        return new ApplyResult(appended, outOfOrder, duplicate, tooOld, invalid);
    }

    /** Head and blocks of a tenant, merged. */
    Querier querier(String tenant, long mint, long maxt) {
        Tenant t = tenants.get(tenant);
        if (t == null) return EMPTY;
        List<Queryable> sources = new ArrayList<>();
        for (BlockReader b : t.blocks) if (b.meta().overlaps(mint, maxt)) sources.add(b);
        if (sources.isEmpty()) return t.head.querier(mint, maxt);
        sources.add(t.head);
        return MergeQuerier.of(sources).querier(mint, maxt);
    }

    /**
     * Cuts the oldest block range of every tenant's head into a block once the head spans one and a
     * half ranges beyond it (Prometheus's rule), so the newest data stays in memory.
     */
    List<BlockMeta> compactIfDue(long nextOffset) {
        List<BlockMeta> cut = new ArrayList<>();
        for (Map.Entry<String, Tenant> e : tenants.entrySet()) {
            Head head = e.getValue().head;
            while (head.numSeries() > 0 && head.minTime() != Long.MAX_VALUE) {
                long end = Math.floorDiv(head.minTime(), blockRange) * blockRange + blockRange;
                if (head.maxTime() < end + blockRange / 2) break;
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
            if (head.numSeries() == 0 || head.minTime() == Long.MAX_VALUE) continue;
            cut(e.getKey(), e.getValue(), head.minTime(), head.maxTime() + 1, nextOffset).ifPresent(cut::add);
        }
        return cut;
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
            Path dir = tsdbDir.resolve(tenant);
            Optional<BlockMeta> meta = new BlockWriter(dir).write(t.head, Math.max(mint, t.minValidTime), maxt,
                    Map.of(SIDECAR, sidecar.getBytes(StandardCharsets.UTF_8)));
            onBlockWritten.run();
            t.head.truncate(maxt);
            t.minValidTime = Math.max(t.minValidTime, maxt);
            t.firstOffsetFrom.headMap(maxt).clear();
            if (t.head.numSeries() == 0) t.firstOffsetFrom.clear();
            if (meta.isPresent()) {
                t.blocks.add(BlockReader.open(dir.resolve(meta.get().ulid().toString())));
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
