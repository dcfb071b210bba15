package io.mnemo.bucketstore;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mnemo.tsdb.block.BlockMeta;
import io.mnemo.tsdb.db.BlockSidecar;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A block's {@code meta.json} in the bucket: Prometheus's meta (as the block's own
 * {@code meta.json} has it), a {@code thanos} section as Thanos and Mimir write and read it, and
 * Mnemo's own section with what the block's {@link BlockSidecar} holds on an ingester's disk. The
 * sections' readers ignore each other: Prometheus and promtool read a downloaded block's meta as
 * their own, Thanos and Mimir tools find their section, Mnemo reads its own.
 *
 * <pre>
 * meta.json  = Prometheus's fields (ulid, minTime, maxTime, stats, compaction, version = 1)
 *              "thanos": thanos   "mnemo": mnemo
 *
 * thanos (version 1, Thanos's ThanosMeta):
 *   version      1
 *   labels       {}                 external labels: none. The tenant is the first path segment, and
 *                                   zone and partition are Mnemo's (below), so that a compactor
 *                                   grouping blocks by labels merges both zones' copies
 *   downsample   {"resolution": 0}  raw samples
 *   source       "receive"          Mimir's source of ingester blocks
 *   files        [{"rel_path", "size_bytes"}...]  every file uploaded, sorted by rel_path
 *                                   (chunks/000001..., index, meta.json); meta.json without a size
 *
 * mnemo (version 1 or 2; a newer version is refused, its fields may mean something else):
 *   version        2 (1 before compacted blocks carried sources; version 1 is read as version 2
 *                  without them, and blocks with no sources are still written as version 1)
 *   zone           string   the ingester that cut the block  } all four present, or none (a block
 *   partition      integer  (zone and Kafka partition)       }  no ingester cut: it has no origin)
 *   nextOffset     integer  partition offset consumed up to, exclusive, at the cut (-1: unknown)
 *   rebuildOffset  integer  where consuming must start to rebuild every tenant's head as it stood
 *                           after the cut; the newest block of a partition and zone counts
 *                           (-1: from the start)
 *   outOfOrder     boolean  the block holds out-of-order samples of ranges cut already (it overlaps
 *                           other blocks)
 *   sources        array    version 2, compacted blocks only: per zone and partition whose blocks
 *                           were merged into it, one object, sorted by zone then partition:
 *     zone, partition, nextOffset, rebuildOffset   the origin of the newest of those blocks (the
 *                                                   greatest nextOffset)
 *     block        ULID     that block's (its cut time)
 *     maxTime      integer  the greatest maxTime of those blocks
 *                  what an ingester restoring an empty disk reads instead of the blocks merged away
 * </pre>
 *
 * A {@code meta.json} without a {@code mnemo} section (a block some other tool uploaded) has no
 * origin and is in order. Fields this version does not know are ignored.
 *
 * @param block    Prometheus's part
 * @param files    the files of the block in the bucket, sorted by relative path
 * @param origin   the ingester and offsets of the cut; null when none is recorded
 * @param sourceOrigins of a compacted block, what it holds of each ingester's blocks; empty for others
 */
public record BucketBlockMeta(BlockMeta block, Map<String, String> labels, long resolution, String source,
                              List<BlockFile> files, BlockOrigin origin, boolean outOfOrder, List<SourceOrigin> sourceOrigins) {
    /** Thanos's section version. */
    public static final int THANOS_VERSION = 1;
    /** Mnemo's section version: 2 adds a compacted block's sources. */
    public static final int MNEMO_VERSION = 2;
    /** Mnemo's first section version, still written for blocks without sources (readers of version 1 read them). */
    public static final int MNEMO_VERSION_1 = 1;
    /** Mimir's source type of blocks its ingesters ship ({@code block.ReceiveSource}). */
    public static final String INGESTER_SOURCE = "receive";
    /** Mimir's source type of blocks its compactor writes ({@code block.CompactorSource}). */
    public static final String COMPACTOR_SOURCE = "compactor";

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /**
     * One file of a block: its path relative to the block's directory, and its size in bytes (-1
     * for meta.json, which Thanos lists without one).
     */
    public record BlockFile(String relPath, long sizeBytes) {}

    public BucketBlockMeta {
        sourceOrigins = sourceOrigins == null ? List.of() : List.copyOf(sourceOrigins);
        labels = Map.copyOf(labels);
        files = files.stream().sorted(Comparator.comparing(BlockFile::relPath)).toList();
    }

    /** A block an ingester cut, as it goes to the bucket. */
    public static BucketBlockMeta ofIngesterBlock(BlockMeta block, List<BlockFile> files, BlockSidecar sidecar) {
        return new BucketBlockMeta(block, Map.of(), 0, INGESTER_SOURCE, files, BlockOrigin.of(sidecar),
                sidecar.outOfOrder(), List.of());
    }

    /**
     * A block the compactor merged from others, as it goes to the bucket: no external labels, raw
     * resolution, source "compactor", and no origin: its samples come from every zone and
     * partition that shipped its sources, so no one ingester's offsets describe it; instead, per
     * ingester, what it holds of its blocks ({@code sources}). In order, whatever its sources
     * were: it replaces the blocks it overlapped.
     */
    public static BucketBlockMeta ofCompactedBlock(BlockMeta block, List<BlockFile> files, List<SourceOrigin> sources) {
        return new BucketBlockMeta(block, Map.of(), 0, COMPACTOR_SOURCE, files, null, false, sources);
    }

    /** A compacted block whose sources' origins are unknown. */
    public static BucketBlockMeta ofCompactedBlock(BlockMeta block, List<BlockFile> files) {
        return ofCompactedBlock(block, files, List.of());
    }

    /** The sidecar a downloaded block gets beside its files, as the ingester that cut it wrote it. */
    public BlockSidecar sidecar() {
        return new BlockSidecar(origin == null ? Map.of() : origin.fields(), outOfOrder);
    }

    /** The JSON, UTF-8. */
    public byte[] encode() {
        try {
            ObjectNode root = (ObjectNode) JSON.readTree(block.toJson());
            ObjectNode thanos = root.putObject("thanos");
            thanos.put("version", THANOS_VERSION);
            ObjectNode l = thanos.putObject("labels");
            new java.util.TreeMap<>(labels).forEach(l::put);
            thanos.putObject("downsample").put("resolution", resolution);
            thanos.put("source", source);
            ArrayNode f = thanos.putArray("files");
            for (BlockFile file : files) {
                ObjectNode o = f.addObject().put("rel_path", file.relPath());
                if (file.sizeBytes() >= 0) o.put("size_bytes", file.sizeBytes());
            }
            ObjectNode mnemo = root.putObject("mnemo");
            mnemo.put("version", sourceOrigins.isEmpty() ? MNEMO_VERSION_1 : MNEMO_VERSION);
            if (origin != null) {
                mnemo.put("zone", origin.zone());
                mnemo.put("partition", origin.partition());
                mnemo.put("nextOffset", origin.nextOffset());
                mnemo.put("rebuildOffset", origin.rebuildOffset());
            }
            mnemo.put("outOfOrder", outOfOrder);
            if (!sourceOrigins.isEmpty()) {
                ArrayNode sources = mnemo.putArray("sources");
                for (SourceOrigin so : sourceOrigins) {
                    sources.addObject().put("zone", so.origin().zone()).put("partition", so.origin().partition())
                            .put("nextOffset", so.origin().nextOffset()).put("rebuildOffset", so.origin().rebuildOffset())
                            .put("block", so.block().toString()).put("maxTime", so.maxTime());
                }
            }
            return JSON.writeValueAsBytes(root);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("encoding the meta.json of block " + block.ulid(), e);
        }
    }

    /**
     * Parses a bucket's {@code meta.json}.
     *
     * @throws IllegalArgumentException if it is not JSON, Prometheus's part is not version 1,
     *     Thanos's or Mnemo's section has a version this build does not read, or a field has the
     *     wrong type
     */
    public static BucketBlockMeta decode(byte[] bytes) {
        String text = new String(bytes, StandardCharsets.UTF_8);
        BlockMeta block = BlockMeta.parse(text);
        JsonNode root;
        try {
            root = JSON.readTree(text);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("meta.json is not JSON: " + e.getOriginalMessage());
        }
        JsonNode thanos = root.path("thanos");
        long thanosVersion = thanos.path("version").asLong(THANOS_VERSION); // absent in Thanos's first version
        if (thanosVersion != THANOS_VERSION) {
            throw new IllegalArgumentException("meta.json thanos section version " + thanosVersion + " unknown (this build reads "
                    + THANOS_VERSION + ")");
        }
        Map<String, String> labels = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = thanos.path("labels").fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            labels.put(e.getKey(), e.getValue().asText());
        }
        List<BlockFile> files = new ArrayList<>();
        for (JsonNode f : thanos.path("files")) {
            if (!f.path("rel_path").isTextual()) throw new IllegalArgumentException("meta.json thanos file without rel_path");
            files.add(new BlockFile(f.path("rel_path").asText(), f.has("size_bytes") ? integer(f, "size_bytes") : -1));
        }
        BlockOrigin origin = null;
        boolean outOfOrder = false;
        List<SourceOrigin> sources = new ArrayList<>();
        JsonNode mnemo = root.path("mnemo");
        if (mnemo.isObject()) {
            long version = integer(mnemo, "version");
            if (version != MNEMO_VERSION && version != MNEMO_VERSION_1) {
                throw new IllegalArgumentException("meta.json mnemo section version " + version + " unknown (this build reads "
                        + MNEMO_VERSION_1 + " and " + MNEMO_VERSION + ")");
            }
            if (mnemo.has("zone")) {
                if (!mnemo.path("zone").isTextual()) throw new IllegalArgumentException("meta.json mnemo.zone is not a string");
                origin = new BlockOrigin(mnemo.path("zone").asText(), Math.toIntExact(integer(mnemo, "partition")),
                        integer(mnemo, "nextOffset"), integer(mnemo, "rebuildOffset"));
            }
            JsonNode ooo = mnemo.path("outOfOrder");
            if (!ooo.isMissingNode() && !ooo.isBoolean()) throw new IllegalArgumentException("meta.json mnemo.outOfOrder is not a boolean");
            outOfOrder = ooo.asBoolean(false);
            JsonNode src = mnemo.path("sources");
            if (!src.isMissingNode() && !src.isArray()) throw new IllegalArgumentException("meta.json mnemo.sources is not an array");
            for (JsonNode so : src) {
                if (!so.path("zone").isTextual() || !so.path("block").isTextual()
                        || !io.mnemo.tsdb.block.Ulid.isValid(so.path("block").asText())) {
                    throw new IllegalArgumentException("meta.json mnemo.sources entry without a zone or a block ULID: " + so);
                }
                sources.add(new SourceOrigin(new BlockOrigin(so.path("zone").asText(), Math.toIntExact(integer(so, "partition")),
                        integer(so, "nextOffset"), integer(so, "rebuildOffset")),
                        io.mnemo.tsdb.block.Ulid.parse(so.path("block").asText()), integer(so, "maxTime")));
            }
        }
        return new BucketBlockMeta(block, labels, thanos.path("downsample").path("resolution").asLong(0),
                thanos.path("source").asText(""), files, origin, outOfOrder, sources);
    }

    private static long integer(JsonNode parent, String field) {
        JsonNode n = parent.path(field);
        if (!n.canConvertToExactIntegral() || !n.isIntegralNumber()) {
            throw new IllegalArgumentException("meta.json field " + field + " is not an integer: " + n);
        }
        return n.asLong();
    }
}
