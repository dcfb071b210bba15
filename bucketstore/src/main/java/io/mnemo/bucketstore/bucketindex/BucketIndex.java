package io.mnemo.bucketstore.bucketindex;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mnemo.bucketstore.BucketBlockMeta;
import io.mnemo.bucketstore.BucketLayout;
import io.mnemo.objstore.Bucket;
import io.mnemo.tsdb.block.Ulid;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

/**
 * A tenant's bucket index, {@code <tenant>/bucket-index.json.gz} (Mimir's {@code bucketindex.Index},
 * field for field, so Mimir's tools read ours): the tenant's whole blocks and its block deletion
 * marks, which the compactor keeps up to date ({@link BucketIndexUpdater}) so that queriers and
 * store-gateways need not list the bucket.
 *
 * <pre>
 * gzip(JSON):
 * {"version": 1,
 *  "blocks": [{"block_id": "&lt;ULID&gt;", "min_time": ms, "max_time": ms (exclusive),
 *              "segments_format": "1b6d", "segments_num": n,   chunk segments 000001..n; both absent when
 *                                                               the files do not follow that pattern
 *              "uploaded_at": unix seconds (meta.json's last-modified time),
 *              "compactor_shard_id": "...",                    absent unless the block has that label
 *              "source": "receive" | "compactor" | ...,        meta.json's thanos.source, absent when ""
 *              "compaction_level": n,                          absent when 0
 *              "out_of_order": true}, ...],                    absent when false
 *  "block_deletion_marks": [{"block_id": "&lt;ULID&gt;", "deletion_time": unix seconds}, ...],
 *  "updated_at": unix seconds}
 * </pre>
 *
 * Partial blocks (no {@code meta.json}) are not in it; blocks marked for deletion are, with their
 * mark. Mimir's index version 2 (the same fields) is read too.
 *
 * @param blocks             sorted by ULID
 * @param blockDeletionMarks sorted by ULID
 * @param updatedAt          unix seconds
 */
public record BucketIndex(int version, List<Block> blocks, List<BlockDeletionMark> blockDeletionMarks, long updatedAt) {
    public static final String FILE = "bucket-index.json.gz";
    public static final int VERSION = 1;
    /** Mimir's newer version: the same fields. */
    private static final int VERSION_2 = 2;
    /** Chunk segments named 000001, 000002, ... (Mimir's {@code SegmentsFormat1Based6Digits}). */
    public static final String SEGMENTS_1B6D = "1b6d";
    /** The external label of a block a split compactor wrote (Mimir's {@code CompactorShardIDExternalLabel}). */
    public static final String COMPACTOR_SHARD_ID_LABEL = "__compactor_shard_id__";

    private static final ObjectMapper JSON = new ObjectMapper();

    public BucketIndex {
        blocks = blocks.stream().sorted(Comparator.comparing(Block::id)).toList();
        blockDeletionMarks = blockDeletionMarks.stream().sorted(Comparator.comparing(BlockDeletionMark::id)).toList();
    }

    /** One block in the index. @param uploadedAt unix seconds */
    public record Block(Ulid id, long minTime, long maxTime, String segmentsFormat, int segmentsNum, long uploadedAt,
                        String compactorShardId, String source, int compactionLevel, boolean outOfOrder) {
        public Block {
            if (segmentsFormat == null) segmentsFormat = "";
            if (compactorShardId == null) compactorShardId = "";
            if (source == null) source = "";
        }

        /** The entry of a block whose meta.json was uploaded at {@code uploadedAt} (unix seconds). */
        public static Block of(BucketBlockMeta meta, long uploadedAt) {
            int segments = segments1b6d(meta);
            return new Block(meta.block().ulid(), meta.block().minTime(), meta.block().maxTime(),
                    segments > 0 ? SEGMENTS_1B6D : "", Math.max(segments, 0), uploadedAt,
                    meta.labels().getOrDefault(COMPACTOR_SHARD_ID_LABEL, ""), meta.source(), meta.block().compactionLevel(),
                    meta.outOfOrder());
        }

        /** Whether the block may hold samples in [mint, maxt] (both inclusive). */
        public boolean overlaps(long mint, long maxt) {
            return minTime <= maxt && maxTime > mint;
        }
    }

    /** A deletion mark in the index. @param deletionTime unix seconds */
    public record BlockDeletionMark(Ulid id, long deletionTime) {}

    /** An index with nothing in it, as of {@code updatedAt}. */
    public static BucketIndex empty(long updatedAt) {
        return new BucketIndex(VERSION, List.of(), List.of(), updatedAt);
    }

    /** The object's name, {@code <tenant>/bucket-index.json.gz}. */
    public static String name(String tenant) {
        return tenant + "/" + FILE;
    }

    /** The ULIDs of the blocks marked for deletion. */
    public Set<Ulid> markedForDeletion() {
        Set<Ulid> out = new HashSet<>();
        for (BlockDeletionMark m : blockDeletionMarks) out.add(m.id());
        return out;
    }

    /** The blocks not marked for deletion, by ULID: what queries should read. */
    public List<Block> liveBlocks() {
        Set<Ulid> marked = markedForDeletion();
        return blocks.stream().filter(b -> !marked.contains(b.id())).toList();
    }

    public Optional<Block> block(Ulid id) {
        return blocks.stream().filter(b -> b.id().equals(id)).findFirst();
    }

    /** This index without a block and its deletion mark (Mimir's {@code RemoveBlock}). */
    public BucketIndex withoutBlock(Ulid id) {
        return new BucketIndex(version, blocks.stream().filter(b -> !b.id().equals(id)).toList(),
                blockDeletionMarks.stream().filter(m -> !m.id().equals(id)).toList(), updatedAt);
    }

    /** The gzipped JSON. */
    public byte[] encode() {
        ObjectNode root = JSON.createObjectNode();
        root.put("version", version);
        ArrayNode bs = root.putArray("blocks");
        for (Block b : blocks) {
            ObjectNode o = bs.addObject();
            o.put("block_id", b.id().toString());
            o.put("min_time", b.minTime());
            o.put("max_time", b.maxTime());
            if (!b.segmentsFormat().isEmpty()) o.put("segments_format", b.segmentsFormat());
            if (b.segmentsNum() != 0) o.put("segments_num", b.segmentsNum());
            o.put("uploaded_at", b.uploadedAt());
            if (!b.compactorShardId().isEmpty()) o.put("compactor_shard_id", b.compactorShardId());
            if (!b.source().isEmpty()) o.put("source", b.source());
            if (b.compactionLevel() != 0) o.put("compaction_level", b.compactionLevel());
            if (b.outOfOrder()) o.put("out_of_order", true);
        }
        ArrayNode ms = root.putArray("block_deletion_marks");
        for (BlockDeletionMark m : blockDeletionMarks) {
            ms.addObject().put("block_id", m.id().toString()).put("deletion_time", m.deletionTime());
        }
        root.put("updated_at", updatedAt);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            JSON.writeValue(gz, root);
        } catch (IOException e) {
            throw new UncheckedIOException(e); // in memory: never
        }
        return out.toByteArray();
    }

    /**
     * Parses a gzipped index.
     *
     * @throws IllegalArgumentException if it is not gzip, not JSON, of a version this build does
     *     not read, or a field has the wrong type
     */
    public static BucketIndex decode(byte[] gzipped) {
        JsonNode root;
        try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(gzipped))) {
            root = JSON.readTree(in);
        } catch (IOException e) {
            throw new IllegalArgumentException("bucket index is not gzipped JSON: " + e.getMessage());
        }
        if (root == null || !root.isObject()) throw new IllegalArgumentException("bucket index is not a JSON object");
        int version = (int) integer(root, "version");
        if (version != VERSION && version != VERSION_2) {
            throw new IllegalArgumentException("bucket index version " + version + " unknown (this build reads " + VERSION + " and "
                    + VERSION_2 + ")");
        }
        List<Block> blocks = new ArrayList<>();
        for (JsonNode b : array(root, "blocks")) {
            blocks.add(new Block(ulid(b, "block_id"), integer(b, "min_time"), integer(b, "max_time"),
                    text(b, "segments_format"), (int) optionalInteger(b, "segments_num"), integer(b, "uploaded_at"),
                    text(b, "compactor_shard_id"), text(b, "source"), (int) optionalInteger(b, "compaction_level"),
                    b.path("out_of_order").asBoolean(false)));
        }
        List<BlockDeletionMark> marks = new ArrayList<>();
        for (JsonNode m : array(root, "block_deletion_marks")) {
            marks.add(new BlockDeletionMark(ulid(m, "block_id"), integer(m, "deletion_time")));
        }
        return new BucketIndex(version, blocks, marks, integer(root, "updated_at"));
    }

    /**
     * The tenant's index; empty when there is none.
     *
     * @throws CorruptedException when it does not parse (Mimir's {@code ErrIndexCorrupted}: the
     *     compactor writes a new one)
     * @throws IOException when the bucket fails
     */
    public static Optional<BucketIndex> read(Bucket bucket, String tenant) throws IOException {
        String name = name(tenant);
        byte[] bytes;
        try (InputStream in = bucket.get(name)) {
            bytes = in.readAllBytes();
        } catch (IOException e) {
            if (Bucket.isObjNotFound(e)) return Optional.empty();
            throw e;
        }
        try {
            return Optional.of(decode(bytes));
        } catch (IllegalArgumentException e) {
            throw new CorruptedException(bucket.describe() + " " + name + ": " + e.getMessage());
        }
    }

    /** Uploads the index as the tenant's (atomically: readers see the previous one or this one). */
    public void write(Bucket bucket, String tenant) throws IOException {
        byte[] bytes = encode();
        bucket.upload(name(tenant), new ByteArrayInputStream(bytes), bytes.length);
    }

    /** Deletes the tenant's index; none is fine. */
    public static void delete(Bucket bucket, String tenant) throws IOException {
        try {
            bucket.delete(name(tenant));
        } catch (IOException e) {
            if (!Bucket.isObjNotFound(e)) throw e;
        }
    }

    /** The bucket index object is there but does not parse. */
    public static final class CorruptedException extends IOException {
        public CorruptedException(String message) {
            super(message);
        }
    }

    /** The number of chunk segments if they are exactly chunks/000001..n, else -1 (Mimir's format detection). */
    private static int segments1b6d(BucketBlockMeta meta) {
        int n = 0;
        String dir = BucketLayout.CHUNKS + "/";
        for (BucketBlockMeta.BlockFile f : meta.files()) { // sorted by path
            if (!f.relPath().startsWith(dir)) continue;
            if (!f.relPath().equals(dir + String.format("%06d", n + 1))) return -1;
            n++;
        }
        return n > 0 ? n : -1;
    }

    private static Iterable<JsonNode> array(JsonNode parent, String field) {
        JsonNode n = parent.path(field);
        if (n.isMissingNode() || n.isNull()) return List.of(); // Go writes a nil slice as null
        if (!n.isArray()) throw new IllegalArgumentException("bucket index field " + field + " is not an array");
        return n;
    }

    private static long integer(JsonNode parent, String field) {
        JsonNode n = parent.path(field);
        if (!n.isIntegralNumber() || !n.canConvertToLong()) {
            throw new IllegalArgumentException("bucket index field " + field + " is not an integer: " + n);
        }
        return n.asLong();
    }

    private static long optionalInteger(JsonNode parent, String field) {
        return parent.has(field) ? integer(parent, field) : 0;
    }

    private static String text(JsonNode parent, String field) {
        JsonNode n = parent.path(field);
        if (n.isMissingNode() || n.isNull()) return "";
        if (!n.isTextual()) throw new IllegalArgumentException("bucket index field " + field + " is not a string: " + n);
        return n.asText();
    }

    private static Ulid ulid(JsonNode parent, String field) {
        String s = text(parent, field);
        if (!Ulid.isValid(s)) throw new IllegalArgumentException("bucket index field " + field + " is not a ULID: '" + s + "'");
        return Ulid.parse(s);
    }
}
