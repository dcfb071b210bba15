package io.mnemo.bucketstore.bucketindex;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mnemo.bucketstore.BlockOrigin;
import io.mnemo.bucketstore.BlockTransfer;
import io.mnemo.bucketstore.BucketBlockMeta;
import io.mnemo.bucketstore.BucketLayout;
import io.mnemo.bucketstore.TestBlocks;
import io.mnemo.bucketstore.markers.DeletionMark;
import io.mnemo.bucketstore.markers.Markers;
import io.mnemo.bucketstore.markers.NoCompactMark;
import io.mnemo.bucketstore.markers.TenantDeletionMark;
import io.mnemo.objstore.Bucket;
import io.mnemo.objstore.FilesystemBucket;
import io.mnemo.objstore.S3Bucket;
import io.mnemo.objstore.S3ProxyServer;
import io.mnemo.tsdb.block.Ulid;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Mimir's bucket-index.json.gz: its shape, its round trip, and the updater over a changing bucket. */
class BucketIndexTest {
    static final String TENANT = "team-a";
    static final Ulid A = Ulid.parse("01HQ3S2Z8M6V0000000000000A");
    static final Ulid B = Ulid.parse("01HQ3S2Z8M6V0000000000000B");
    static final Clock CLOCK = Clock.fixed(Instant.ofEpochSecond(1_700_010_000L), ZoneOffset.UTC);

    @TempDir
    Path dir;

    static BucketIndex sample() {
        return new BucketIndex(1, List.of(
                new BucketIndex.Block(B, 7_200_000, 14_400_000, "", 0, 1_700_000_100L, "", "compactor", 2, false),
                new BucketIndex.Block(A, 0, 7_200_000, BucketIndex.SEGMENTS_1B6D, 2, 1_700_000_000L, "1_of_4", "receive", 1, true)),
                List.of(new BucketIndex.BlockDeletionMark(A, 1_700_000_500L)), 1_700_000_900L);
    }

    static JsonNode json(byte[] gzipped) throws IOException {
        try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(gzipped))) {
            return new ObjectMapper().readTree(in);
        }
    }

    @Test
    void theIndexIsGzippedJsonInMimirsShape() throws IOException {
        BucketIndex index = sample();
        JsonNode root = json(index.encode());
        assertEquals(List.of("version", "blocks", "block_deletion_marks", "updated_at"), names(root));
        assertEquals(1, root.get("version").asInt());
        assertEquals(1_700_000_900L, root.get("updated_at").asLong());
        JsonNode a = root.get("blocks").get(0); // sorted by ULID
        assertEquals(List.of("block_id", "min_time", "max_time", "segments_format", "segments_num", "uploaded_at",
                "compactor_shard_id", "source", "compaction_level", "out_of_order"), names(a));
        assertEquals(A.toString(), a.get("block_id").asText());
        assertEquals("1b6d", a.get("segments_format").asText());
        assertEquals(2, a.get("segments_num").asInt());
        assertEquals("1_of_4", a.get("compactor_shard_id").asText());
        // Go's omitempty: empty strings, zeros and false are left out.
        assertEquals(List.of("block_id", "min_time", "max_time", "uploaded_at", "source", "compaction_level"),
                names(root.get("blocks").get(1)));
        JsonNode mark = root.get("block_deletion_marks").get(0);
        assertEquals(List.of("block_id", "deletion_time"), names(mark));
        assertEquals(1_700_000_500L, mark.get("deletion_time").asLong());

        assertEquals(index, BucketIndex.decode(index.encode()));
    }

    @Test
    void anIndexMimirWroteIsRead() throws IOException {
        // Go writes nil slices as null; version 2 has the same fields.
        byte[] mimirs = gzip("{\"version\":2,\"blocks\":[{\"block_id\":\"" + A + "\",\"min_time\":0,\"max_time\":10,"
                + "\"uploaded_at\":5,\"labels\":{\"x\":\"y\"}}],\"block_deletion_marks\":null,\"updated_at\":6}");
        BucketIndex read = BucketIndex.decode(mimirs);
        assertEquals(List.of(new BucketIndex.Block(A, 0, 10, "", 0, 5, "", "", 0, false)), read.blocks());
        assertEquals(List.of(), read.blockDeletionMarks());
        assertThrows(IllegalArgumentException.class, () -> BucketIndex.decode(gzip("{\"version\":3,\"updated_at\":1}")));
        assertThrows(IllegalArgumentException.class, () -> BucketIndex.decode("not gzip".getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void readWriteAndACorruptedIndex() throws IOException {
        try (FilesystemBucket bucket = new FilesystemBucket(dir)) {
            roundTrip(bucket);
        }
    }

    @Test
    void readWriteAndACorruptedIndexOnS3() throws Exception {
        try (S3ProxyServer proxy = new S3ProxyServer(dir.resolve("s3"))) {
            proxy.createBucket("mnemo-blocks");
            try (S3Bucket bucket = new S3Bucket(proxy.config("mnemo-blocks"))) {
                roundTrip(bucket);
                updaterFollowsTheBucket(bucket, dir.resolve("local"));
            }
        }
    }

    void roundTrip(Bucket bucket) throws IOException {
        assertEquals(Optional.empty(), BucketIndex.read(bucket, TENANT));
        sample().write(bucket, TENANT);
        assertTrue(bucket.exists("team-a/bucket-index.json.gz"));
        assertEquals(Optional.of(sample()), BucketIndex.read(bucket, TENANT));
        byte[] junk = "{".getBytes(StandardCharsets.UTF_8);
        bucket.upload("team-a/bucket-index.json.gz", new ByteArrayInputStream(junk), junk.length);
        assertThrows(BucketIndex.CorruptedException.class, () -> BucketIndex.read(bucket, TENANT));
        BucketIndex.delete(bucket, TENANT);
        BucketIndex.delete(bucket, TENANT);
        assertEquals(Optional.empty(), BucketIndex.read(bucket, TENANT));
    }

    @Test
    void theUpdaterFollowsTheBucket() throws IOException {
        try (FilesystemBucket bucket = new FilesystemBucket(dir.resolve("bucket"))) {
            updaterFollowsTheBucket(bucket, dir.resolve("local"));
        }
    }

    void updaterFollowsTheBucket(Bucket bucket, Path local) throws IOException {
        BlockTransfer transfer = new BlockTransfer(bucket);
        BlockOrigin origin = new BlockOrigin("zone-a", 0, 10, 5);
        BucketBlockMeta one = transfer.upload(TENANT, TestBlocks.cut(local.resolve("1"), 10, origin));
        BucketBlockMeta two = transfer.upload(TENANT, TestBlocks.cut(local.resolve("2"), 10, origin));
        Ulid u1 = one.block().ulid();
        Ulid u2 = two.block().ulid();
        // A partial block (an upload in progress) and one whose meta.json is corrupt.
        Ulid partial = Ulid.generate();
        Ulid corrupt = Ulid.generate();
        put(bucket, TENANT + "/" + partial + "/index", "x");
        put(bucket, TENANT + "/" + corrupt + "/index", "x");
        put(bucket, TENANT + "/" + corrupt + "/meta.json", "{\"ulid\":");
        // Things that are not blocks beside them.
        Markers.writeTenantDeletionMark(bucket, "team-z", new TenantDeletionMark(1, 0));
        sample().write(bucket, "team-z");

        CountingReads counting = new CountingReads(bucket);
        BucketIndexUpdater updater = new BucketIndexUpdater(counting, TENANT, CLOCK);
        BucketIndexUpdater.Result first = updater.update(null);
        assertEquals(List.of(u1, u2), first.index().blocks().stream().map(BucketIndex.Block::id).toList());
        assertEquals(Set.of(partial, corrupt), first.partials().keySet());
        assertFalse(first.partials().get(partial).corrupted());
        assertTrue(first.partials().get(corrupt).corrupted());
        assertEquals(CLOCK.instant().getEpochSecond(), first.index().updatedAt());
        BucketIndex.Block b1 = first.index().blocks().get(0);
        assertEquals(new BucketIndex.Block(u1, TestBlocks.T0, one.block().maxTime(), "1b6d", 1,
                bucket.attributes(TENANT + "/" + u1 + "/meta.json").lastModified().getEpochSecond(), "", "receive", 1, false), b1);
        first.index().write(bucket, TENANT);

        // The index is not taken for a block, nor are the markers.
        assertEquals(List.of(), BucketLayout.blocksNewestFirst(bucket, "team-z"));
        assertEquals(List.of(corrupt, partial, u2, u1), BucketLayout.blocksNewestFirst(bucket, TENANT));
        assertEquals(List.of(TENANT, "team-z"), BucketLayout.tenants(bucket));

        // A block deleted, a new one, a deletion mark (and a no-compact mark, which the index does not hold).
        for (String name : objects(bucket, TENANT + "/" + u2)) bucket.delete(name);
        BucketBlockMeta three = transfer.upload(TENANT, TestBlocks.cut(local.resolve("3"), 10, origin));
        Ulid u3 = three.block().ulid();
        Markers.write(bucket, TENANT, new DeletionMark(u1, 1_700_000_000L, ""));
        Markers.write(bucket, TENANT, new NoCompactMark(u3, 1_700_000_000L, NoCompactMark.MANUAL, ""));
        counting.metaReads = 0;
        BucketIndexUpdater.Result second = updater.update(BucketIndex.read(bucket, TENANT).orElseThrow());
        assertEquals(List.of(u1, u3), second.index().blocks().stream().map(BucketIndex.Block::id).toList());
        assertEquals(b1, second.index().blocks().get(0), "an entry of the previous index is kept as it was");
        assertEquals(List.of(new BucketIndex.BlockDeletionMark(u1, 1_700_000_000L)), second.index().blockDeletionMarks());
        assertEquals(List.of(u3), second.index().liveBlocks().stream().map(BucketIndex.Block::id).toList());
        // Only the new block's and the two partials' meta.json were read, not u1's again.
        assertEquals(3, counting.metaReads);

        // The index from scratch says the same.
        BucketIndex scratch = updater.update(null).index();
        assertEquals(second.index().blocks(), scratch.blocks());
        assertEquals(second.index().blockDeletionMarks(), scratch.blockDeletionMarks());
    }

    static void put(Bucket bucket, String name, String content) throws IOException {
        byte[] b = content.getBytes(StandardCharsets.UTF_8);
        bucket.upload(name, new ByteArrayInputStream(b), b.length);
    }

    static List<String> objects(Bucket bucket, String dir) throws IOException {
        List<String> out = new ArrayList<>();
        bucket.iter(dir, true, out::add);
        return out;
    }

    static List<String> names(JsonNode o) {
        List<String> out = new ArrayList<>();
        o.fieldNames().forEachRemaining(out::add);
        return out;
    }

    static byte[] gzip(String s) throws IOException {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        try (java.util.zip.GZIPOutputStream gz = new java.util.zip.GZIPOutputStream(out)) {
            gz.write(s.getBytes(StandardCharsets.UTF_8));
        }
        return out.toByteArray();
    }

    /** Counts the meta.json reads. */
    static final class CountingReads implements Bucket {
        final Bucket d;
        int metaReads;

        CountingReads(Bucket d) { this.d = d; }

        @Override
        public InputStream get(String name) throws IOException {
            if (name.endsWith("/meta.json")) metaReads++;
            return d.get(name);
        }

        @Override
        public InputStream getRange(String name, long offset, long length) throws IOException { return d.getRange(name, offset, length); }

        @Override
        public void upload(String name, InputStream in, long length) throws IOException { d.upload(name, in, length); }

        @Override
        public void upload(String name, Path file) throws IOException { d.upload(name, file); }

        @Override
        public void delete(String name) throws IOException { d.delete(name); }

        @Override
        public void iter(String dir, boolean recursive, java.util.function.Consumer<String> f) throws IOException { d.iter(dir, recursive, f); }

        @Override
        public boolean exists(String name) throws IOException { return d.exists(name); }

        @Override
        public io.mnemo.objstore.ObjectAttributes attributes(String name) throws IOException { return d.attributes(name); }

        @Override
        public String describe() { return d.describe(); }

        @Override
        public void close() {}
    }
}
