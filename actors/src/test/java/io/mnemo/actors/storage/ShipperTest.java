package io.mnemo.actors.storage;

import io.mnemo.bucketstore.TestBlocks;
import io.mnemo.bucketstore.BucketLayout;
import io.mnemo.bucketstore.BlockOrigin;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mnemo.actors.MnemoMetrics;
import io.mnemo.cluster.IngesterId;
import io.mnemo.tsdb.block.Ulid;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The shipper: each block once, retried, remembered across restarts in its state file. */
class ShipperTest {
    static final IngesterId ID = new IngesterId("zone-a", 2);

    @TempDir
    Path dir;

    final AtomicLong clock = new AtomicLong(1_800_000_000_000L);
    MnemoMetrics metrics;
    TestBlocks.RecordingBucket bucket;
    BlocksStorage storage;
    Path tenantDir;

    @BeforeEach
    void start() throws IOException {
        metrics = new MnemoMetrics(new PrometheusRegistry());
        bucket = new TestBlocks.RecordingBucket(dir.resolve("bucket"));
        storage = new BlocksStorage(bucket, Duration.ofHours(13), metrics,
                new BlocksStorage.Backoff(3, Duration.ofMillis(10), Duration.ofMillis(20)), clock::get);
        tenantDir = dir.resolve("data/tsdb/team-a");
    }

    @AfterEach
    void stop() {
        storage.close();
    }

    double uploads() { return metrics.shipperUploads.labelValues("zone-a", "2").get(); }

    double failures() { return metrics.shipperUploadFailures.labelValues("zone-a", "2").get(); }

    static Ulid ulid(Path block) { return Ulid.parse(block.getFileName().toString()); }

    static <T> T await(CompletableFuture<T> f) throws Exception {
        return f.get(30, TimeUnit.SECONDS);
    }

    @Test
    void aRestartUploadsNothingTwiceAndForgetsNothing() throws Exception {
        Path a = TestBlocks.cut(tenantDir, 10, new BlockOrigin(ID.zone(), ID.partition(), 10, 5));
        Path b = TestBlocks.cut(tenantDir, 10, new BlockOrigin(ID.zone(), ID.partition(), 20, 15));
        Shipper shipper = storage.shipper(ID, dir.resolve("data"));
        Shipper.Shipment shipped = await(shipper.ship("team-a", a));
        assertTrue(shipped.uploaded());
        assertEquals(1, uploads());
        assertEquals(OptionalLong.of(clock.get()), shipper.shippedAt("team-a", ulid(a)));
        assertFalse(shipper.isShipped("team-a", ulid(b)), "b was cut, not shipped yet: the node stops here");
        Path stateFile = BlocksStorage.stateFile(dir.resolve("data"), ID);
        assertEquals(dir.resolve("data/shipper/ingester%7Czone-a%7C2.json"), stateFile);
        assertEquals(Map.of("team-a/" + ulid(a), clock.get()), ShipperState.read(stateFile));

        // Restart: a new shipper on the same disk.
        clock.addAndGet(60_000);
        Shipper again = storage.shipper(ID, dir.resolve("data"));
        assertTrue(again.isShipped("team-a", ulid(a)));
        int callsBefore = bucket.uploads().size();
        assertEquals(new Shipper.Shipment("team-a", ulid(a), false, 0), await(again.ship("team-a", a)), "not again");
        assertEquals(callsBefore, bucket.uploads().size());
        assertTrue(await(again.ship("team-a", b)).uploaded(), "the one not shipped before the restart goes now");
        assertEquals(2, uploads());
        assertEquals(Map.of("team-a/" + ulid(a), clock.get() - 60_000, "team-a/" + ulid(b), clock.get()),
                ShipperState.read(stateFile));
    }

    @Test
    void aBlockUploadedBeforeTheStateFileWasWrittenIsFoundInTheBucket() throws Exception {
        Path a = TestBlocks.cut(tenantDir, 10, new BlockOrigin(ID.zone(), ID.partition(), 10, 5));
        await(storage.shipper(ID, dir.resolve("data")).ship("team-a", a));
        // A crash between the upload and the state file: the file does not have the block.
        Files.delete(BlocksStorage.stateFile(dir.resolve("data"), ID));
        int callsBefore = bucket.uploads().size();
        Shipper restarted = storage.shipper(ID, dir.resolve("data"));
        Shipper.Shipment s = await(restarted.ship("team-a", a));
        assertFalse(s.uploaded(), "found in the bucket");
        assertEquals(callsBefore, bucket.uploads().size(), "nothing uploaded again");
        assertTrue(restarted.isShipped("team-a", ulid(a)));
        assertEquals(1, uploads());

        // A damaged state file: the bucket is asked, so nothing goes twice either.
        Files.writeString(BlocksStorage.stateFile(dir.resolve("data"), ID), "{\"version\": 1, \"shipped\": ");
        Shipper damaged = storage.shipper(ID, dir.resolve("data"));
        assertFalse(damaged.isShipped("team-a", ulid(a)));
        assertFalse(await(damaged.ship("team-a", a)).uploaded());
        assertEquals(callsBefore, bucket.uploads().size());
    }

    @Test
    void failedUploadsAreRetriedWithBackoffThenReportedAndTriedAgainLater() throws Exception {
        Path a = TestBlocks.cut(tenantDir, 10, new BlockOrigin(ID.zone(), ID.partition(), 10, 5));
        Shipper shipper = storage.shipper(ID, dir.resolve("data"));
        bucket.failUploads = name -> true;
        ExecutionException e = assertThrows(ExecutionException.class, () -> await(shipper.ship("team-a", a)));
        assertTrue(e.getCause().getMessage().contains("team-a/" + ulid(a) + " not shipped") && e.getCause().getMessage()
                .contains("(3 attempts)") && e.getCause().getMessage().contains("injected failure"), e.getCause().getMessage());
        assertEquals(3, failures(), "each attempt counted");
        assertEquals(0, uploads());
        assertFalse(shipper.isShipped("team-a", ulid(a)), "not forgotten: still to ship");
        assertEquals(Map.of(), ShipperState.read(BlocksStorage.stateFile(dir.resolve("data"), ID)));

        // Fails twice, then the store takes it: one shipment, three attempts.
        java.util.concurrent.atomic.AtomicInteger failing = new java.util.concurrent.atomic.AtomicInteger(2);
        bucket.failUploads = name -> name.endsWith("000001") && failing.getAndDecrement() > 0;
        Shipper.Shipment s = await(shipper.ship("team-a", a));
        assertEquals(3, s.attempts());
        assertTrue(s.uploaded());
        assertEquals(5, failures());
        assertEquals(1, uploads());
        assertTrue(BucketLayout.meta(bucket, "team-a", ulid(a)).isPresent());
    }

    @Test
    void aBlockBeingShippedIsNotShippedTwice() throws Exception {
        Path a = TestBlocks.cut(tenantDir, 10, new BlockOrigin(ID.zone(), ID.partition(), 10, 5));
        Shipper shipper = storage.shipper(ID, dir.resolve("data"));
        CountDownLatch release = new CountDownLatch(1);
        bucket.beforeUpload = name -> {
            try {
                release.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
            }
        };
        CompletableFuture<Shipper.Shipment> first = shipper.ship("team-a", a);
        CompletableFuture<Shipper.Shipment> second = shipper.ship("team-a", a);
        assertSame(first, second);
        release.countDown();
        await(first);
        assertEquals(1, uploads());
        String prefix = "team-a/" + ulid(a) + "/";
        assertEquals(List.of(prefix + "chunks/000001", prefix + "index", prefix + "meta.json"), bucket.uploads(),
                "its files once");
    }

    @Test
    void forgottenAndMarkedBlocksAreWrittenToTheStateFile() throws Exception {
        Shipper shipper = storage.shipper(ID, dir.resolve("data"));
        Ulid x = Ulid.generate();
        Ulid y = Ulid.generate();
        shipper.markShipped(Map.of("team-a/" + x, 5L, "team-b/" + y, 6L));
        assertEquals(OptionalLong.of(5), shipper.shippedAt("team-a", x));
        shipper.forget(List.of("team-a/" + x));
        assertEquals(Map.of("team-b/" + y, 6L), ShipperState.read(BlocksStorage.stateFile(dir.resolve("data"), ID)));
        assertEquals(Map.of("team-b/" + y, 6L), storage.shipper(ID, dir.resolve("data")).shipped());
    }
}
