package io.mnemo.bucketstore;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mnemo.tsdb.block.BlockMeta;
import io.mnemo.tsdb.block.Ulid;
import io.mnemo.tsdb.db.BlockSidecar;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Blocks into the bucket and back, in Mimir's layout, meta.json last. */
class BlockTransferTest {
    static final BlockOrigin ORIGIN = new BlockOrigin("zone-b", 7, 1234, 1200);

    @TempDir
    Path dir;

    TestBlocks.RecordingBucket bucket;
    BlockTransfer transfer;

    @BeforeEach
    void openBucket() throws IOException {
        bucket = new TestBlocks.RecordingBucket(dir.resolve("bucket"));
        transfer = new BlockTransfer(bucket);
    }

    @AfterEach
    void closeBucket() throws IOException {
        bucket.close();
    }

    /** A block cut by an ingester, with a second chunk segment so that the block has several. */
    Path block() throws IOException {
        Path block = TestBlocks.cut(dir.resolve("local").resolve("team-a"), 200, ORIGIN);
        Path chunks = block.resolve("chunks");
        Files.copy(chunks.resolve("000001"), chunks.resolve("000002"));
        return block;
    }

    @Test
    void aBlockGoesUpInMimirsLayoutAndComesBackTheSame() throws IOException {
        Path local = block();
        Ulid ulid = Ulid.parse(local.getFileName().toString());
        BucketBlockMeta uploaded = transfer.upload("team-a", local);

        String prefix = "team-a/" + ulid + "/";
        List<String> objects = new ArrayList<>();
        bucket.iter("", true, objects::add);
        assertEquals(List.of(prefix + "chunks/000001", prefix + "chunks/000002", prefix + "index", prefix + "meta.json"),
                objects, "chunks, index and meta.json; no tombstones, no sidecar (its fields are in meta.json)");

        BucketBlockMeta meta = BucketLayout.meta(bucket, "team-a", ulid).orElseThrow();
        assertEquals(uploaded, meta);
        assertEquals(BlockMeta.read(local), meta.block(), "Prometheus's part as the block's own");
        assertEquals(ORIGIN, meta.origin());
        assertFalse(meta.outOfOrder());
        assertEquals("receive", meta.source());
        assertEquals(Map.of(), meta.labels());
        assertEquals(0, meta.resolution());
        assertEquals(List.of(
                new BucketBlockMeta.BlockFile("chunks/000001", Files.size(local.resolve("chunks/000001"))),
                new BucketBlockMeta.BlockFile("chunks/000002", Files.size(local.resolve("chunks/000002"))),
                new BucketBlockMeta.BlockFile("index", Files.size(local.resolve("index"))),
                new BucketBlockMeta.BlockFile("meta.json", -1)), meta.files());
        assertEquals(List.of(ulid), BucketLayout.blocksNewestFirst(bucket, "team-a"));
        assertEquals(List.of("team-a"), BucketLayout.tenants(bucket));

        Path downloaded = transfer.download("team-a", meta, dir.resolve("elsewhere").resolve("team-a"));
        assertEquals(dir.resolve("elsewhere/team-a/" + ulid), downloaded);
        for (String f : List.of("index", "chunks/000001", "chunks/000002")) {
            assertArrayEquals(Files.readAllBytes(local.resolve(f)), Files.readAllBytes(downloaded.resolve(f)), f);
        }
        assertEquals(BlockSidecar.read(local), BlockSidecar.read(downloaded), "the sidecar comes back from meta.json");
        assertEquals(TestBlocks.samples(local), TestBlocks.samples(downloaded), "a block the ingester reads as it cut it");
        try (Stream<Path> left = Files.list(downloaded.getParent())) {
            assertEquals(List.of(downloaded), left.toList(), "no download directory left behind");
        }
        assertEquals(downloaded, transfer.download("team-a", meta, downloaded.getParent()), "a block already there stays");
    }

    @Test
    void aMarkedBlockDownloadsWithoutItsMarksAndACompactedOneHasNoOrigin() throws IOException {
        Path local = block();
        Ulid ulid = Ulid.parse(local.getFileName().toString());
        transfer.upload("team-a", local);
        io.mnemo.bucketstore.markers.Markers.write(bucket, "team-a",
                new io.mnemo.bucketstore.markers.NoCompactMark(ulid, 1, "critical", ""));
        io.mnemo.bucketstore.markers.Markers.write(bucket, "team-a",
                new io.mnemo.bucketstore.markers.DeletionMark(ulid, 1, ""));
        BucketBlockMeta meta = BucketLayout.meta(bucket, "team-a", ulid).orElseThrow();
        Path downloaded = transfer.download("team-a", meta, dir.resolve("elsewhere").resolve("team-a"));
        assertFalse(Files.exists(downloaded.resolve("deletion-mark.json")));
        assertFalse(Files.exists(downloaded.resolve("no-compact-mark.json")));
        assertEquals(TestBlocks.samples(local), TestBlocks.samples(downloaded));

        BucketBlockMeta compacted = transfer.uploadCompacted("team-b", local);
        assertEquals("compactor", compacted.source());
        assertEquals(null, compacted.origin());
        assertEquals(compacted, BucketLayout.meta(bucket, "team-b", ulid).orElseThrow());
    }

    @Test
    void metaJsonGoesLastSoAReaderNeverSeesABlockWithoutAllItsFiles() throws IOException {
        Path local = block();
        Ulid ulid = Ulid.parse(local.getFileName().toString());
        List<String> seen = new ArrayList<>();
        // A reader lists the bucket before every upload, as a store-gateway might at any moment.
        bucket.beforeUpload = name -> {
            try {
                for (Ulid b : BucketLayout.blocksNewestFirst(bucket, "team-a")) {
                    Optional<BucketBlockMeta> meta = BucketLayout.meta(bucket, "team-a", b);
                    seen.add(name + (meta.isPresent() ? ": whole" : ": not a block yet"));
                    if (meta.isEmpty()) continue;
                    for (BucketBlockMeta.BlockFile f : meta.get().files()) {
                        assertTrue(bucket.exists(BucketLayout.object("team-a", b, f.relPath())), f.relPath());
                    }
                }
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        };
        transfer.upload("team-a", local);
        String prefix = "team-a/" + ulid + "/";
        assertEquals(List.of(prefix + "chunks/000001", prefix + "chunks/000002", prefix + "index", prefix + "meta.json"),
                bucket.uploads(), "meta.json last");
        assertEquals(List.of(prefix + "chunks/000002: not a block yet", prefix + "index: not a block yet",
                prefix + "meta.json: not a block yet"), seen, "the block is invisible until meta.json is in");

        // Uploading the same block again (a retry) leaves it whole at every moment.
        seen.clear();
        transfer.upload("team-a", local);
        assertEquals(List.of(prefix + "chunks/000001: whole", prefix + "chunks/000002: whole", prefix + "index: whole",
                prefix + "meta.json: whole"), seen);
    }

    @Test
    void aFailedUploadLeavesNoBlockAndNoObjectsBehind() throws IOException {
        Path local = block();
        Ulid ulid = Ulid.parse(local.getFileName().toString());
        bucket.failUploads = name -> name.endsWith("/index");
        IOException e = assertThrows(IOException.class, () -> transfer.upload("team-a", local));
        assertTrue(e.getMessage().contains("index"), e.getMessage());
        List<String> objects = new ArrayList<>();
        bucket.iter("", true, objects::add);
        assertEquals(List.of(), objects, "the chunks uploaded before the failure are deleted again");
        assertEquals(Optional.empty(), BucketLayout.meta(bucket, "team-a", ulid));

        bucket.failUploads = name -> false;
        transfer.upload("team-a", local);
        assertTrue(BucketLayout.meta(bucket, "team-a", ulid).isPresent(), "a retry uploads it whole");
    }

    @Test
    void aDownloadThatDoesNotMatchItsMetaLeavesNothingUnderTheBlocksName() throws IOException {
        Path local = block();
        Ulid ulid = Ulid.parse(local.getFileName().toString());
        BucketBlockMeta meta = transfer.upload("team-a", local);
        bucket.delete("team-a/" + ulid + "/chunks/000002");
        Path target = dir.resolve("restore").resolve("team-a");
        IOException e = assertThrows(IOException.class, () -> transfer.download("team-a", meta, target));
        assertTrue(e.getMessage().contains("chunks/000002: missing"), e.getMessage());
        try (Stream<Path> left = Files.list(target)) {
            assertEquals(List.of(), left.toList(), "neither the block nor its download directory");
        }

        // A chunk segment of another size than meta.json says: refused too.
        bucket.upload("team-a/" + ulid + "/chunks/000002", new java.io.ByteArrayInputStream(new byte[] {1, 2, 3}), 3);
        e = assertThrows(IOException.class, () -> transfer.download("team-a", meta, target));
        assertTrue(e.getMessage().contains("3 bytes, meta.json says"), e.getMessage());
        assertFalse(Files.exists(target.resolve(ulid.toString())));
    }
}
