package io.mnemo.persistence.snapshot;

import static io.mnemo.persistence.PersistenceTestKit.TIMEOUT;
import static io.mnemo.persistence.PersistenceTestKit.appendAll;
import static io.mnemo.persistence.PersistenceTestKit.assertEvents;
import static io.mnemo.persistence.PersistenceTestKit.payloads;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.mnemo.persistence.MnemoSerializable;
import io.mnemo.persistence.PersistenceIdDirectory;
import io.mnemo.persistence.PersistenceTestKit;
import io.mnemo.persistence.TestEntity;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import java.util.zip.CRC32C;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.persistence.DeleteSnapshotSuccess;
import org.apache.pekko.persistence.DeleteSnapshotsSuccess;
import org.apache.pekko.persistence.Persistence;
import org.apache.pekko.persistence.SaveSnapshotSuccess;
import org.apache.pekko.persistence.SelectedSnapshot;
import org.apache.pekko.persistence.SnapshotMetadata;
import org.apache.pekko.persistence.SnapshotProtocol;
import org.apache.pekko.persistence.SnapshotSelectionCriteria;
import org.apache.pekko.serialization.Serialization;
import org.apache.pekko.serialization.SerializationExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalSnapshotStoreTest {

    private static final String PID = "ingester|zone-a|7";

    /** A snapshot payload as the ingester might store: offsets plus opaque bytes. */
    record PartitionSnapshot(long kafkaOffset, byte[] head) implements MnemoSerializable {
    }

    @TempDir
    Path data;

    private ActorTestKit kit;

    @AfterEach
    void stop() {
        if (kit != null) {
            kit.shutdownTestKit();
        }
    }

    private void restart() {
        if (kit != null) {
            kit.shutdownTestKit();
        }
        kit = PersistenceTestKit.start(data);
    }

    @Test
    void entityRecoversFromItsSnapshotAfterRestart() throws Exception {
        restart();
        TestProbe<TestEntity.Report> reports = kit.createTestProbe(TestEntity.Report.class);
        ActorRef<TestEntity.Command> entity = kit.spawn(TestEntity.create(PID, reports.ref(), 10, new AtomicLong()));
        assertInstanceOf(TestEntity.Recovered.class, reports.receiveMessage(TIMEOUT));
        List<byte[]> payloads = payloads(25, 200, 20);
        appendAll(kit, entity, payloads);
        assertEquals(new TestEntity.SnapshotSaved(10), reports.receiveMessage(TIMEOUT));
        assertEquals(new TestEntity.SnapshotSaved(20), reports.receiveMessage(TIMEOUT));

        try (Stream<Path> files = Files.list(PersistenceIdDirectory.resolve(data.resolve("snapshots"), PID))) {
            assertEquals(2, files.filter(f -> f.getFileName().toString().endsWith(".snap")).count());
        }

        restart();
        AtomicLong applied = new AtomicLong();
        reports = kit.createTestProbe(TestEntity.Report.class);
        kit.spawn(TestEntity.create(PID, reports.ref(), 10, applied));
        TestEntity.Recovered recovered = assertInstanceOf(TestEntity.Recovered.class, reports.receiveMessage(TIMEOUT));
        assertEvents(payloads, 1, recovered.state().events());
        assertEquals(5, applied.get(), "only events after the snapshot at 20 are replayed");
    }

    @Test
    void loadsNewestMatchingAndDeletesByMetadataAndCriteria() {
        restart();
        save(5, new PartitionSnapshot(500, new byte[] {5}));
        SnapshotMetadata saved10 = save(10, new PartitionSnapshot(1000, new byte[] {10}));
        save(15, new PartitionSnapshot(1500, new byte[] {15}));

        restart();
        assertEquals(15, load(SnapshotSelectionCriteria.latest()).metadata().sequenceNr());
        SelectedSnapshot upTo12 = load(SnapshotSelectionCriteria.create(12, Long.MAX_VALUE));
        assertEquals(saved10, upTo12.metadata(), "sequence nr and save timestamp come back");
        PartitionSnapshot s = (PartitionSnapshot) upTo12.snapshot();
        assertEquals(1000, s.kafkaOffset());
        assertArrayEquals(new byte[] {10}, s.head());

        TestProbe<Object> probe = kit.createTestProbe(Object.class);
        store().tell(new SnapshotProtocol.DeleteSnapshot(SnapshotMetadata.apply(PID, 10, 0)),
                Adapter.toClassic(probe.ref()));
        probe.expectMessageClass(DeleteSnapshotSuccess.class, TIMEOUT);
        assertEquals(5, load(SnapshotSelectionCriteria.create(12, Long.MAX_VALUE)).metadata().sequenceNr());

        store().tell(new SnapshotProtocol.DeleteSnapshots(PID, SnapshotSelectionCriteria.create(15, Long.MAX_VALUE)),
                Adapter.toClassic(probe.ref()));
        probe.expectMessageClass(DeleteSnapshotsSuccess.class, TIMEOUT);
        store().tell(new SnapshotProtocol.LoadSnapshot(PID, SnapshotSelectionCriteria.latest(), Long.MAX_VALUE),
                Adapter.toClassic(probe.ref()));
        assertTrue(probe.expectMessageClass(SnapshotProtocol.LoadSnapshotResult.class, TIMEOUT).snapshot().isEmpty());
    }

    @Test
    void damagedNewestSnapshotFailsTheLoadNamingTheFile() throws Exception {
        restart();
        save(5, new PartitionSnapshot(500, new byte[100]));
        SnapshotMetadata saved = save(10, new PartitionSnapshot(1000, new byte[100]));
        Path newest = PersistenceIdDirectory.resolve(data.resolve("snapshots"), PID)
                .resolve(SnapshotFile.name(10, saved.timestamp()));
        byte[] bytes = Files.readAllBytes(newest);
        bytes[bytes.length - 10] ^= 1;
        Files.write(newest, bytes);

        TestProbe<Object> probe = kit.createTestProbe(Object.class);
        store().tell(new SnapshotProtocol.LoadSnapshot(PID, SnapshotSelectionCriteria.latest(), Long.MAX_VALUE),
                Adapter.toClassic(probe.ref()));
        SnapshotProtocol.LoadSnapshotFailed failed =
                probe.expectMessageClass(SnapshotProtocol.LoadSnapshotFailed.class, TIMEOUT);
        assertTrue(failed.cause().getMessage().contains(newest.toString()), failed.cause().getMessage());
    }

    @Test
    void pagedSnapshotIsStoredAsItsPagesAndComesBackPageForPage() throws Exception {
        restart();
        java.util.Random random = new java.util.Random(7);
        List<byte[]> pages = new java.util.ArrayList<>();
        for (int size : new int[] {1 << 20, 1 << 20, 0, 12345}) {
            byte[] page = new byte[size];
            random.nextBytes(page);
            pages.add(page);
        }
        SnapshotMetadata saved = save(40, new PagedSnapshot(pages));

        restart();
        SelectedSnapshot loaded = load(SnapshotSelectionCriteria.latest());
        assertEquals(saved, loaded.metadata());
        PagedSnapshot back = assertInstanceOf(PagedSnapshot.class, loaded.snapshot());
        assertEquals(pages.size(), back.pages().size());
        for (int i = 0; i < pages.size(); i++) assertArrayEquals(pages.get(i), back.pages().get(i), "page " + i);

        Path file = PersistenceIdDirectory.resolve(data.resolve("snapshots"), PID).resolve(SnapshotFile.name(40, saved.timestamp()));
        byte[] bytes = Files.readAllBytes(file);
        bytes[(1 << 20) + 100] ^= 1; // inside the second page
        Files.write(file, bytes);
        TestProbe<Object> probe = kit.createTestProbe(Object.class);
        store().tell(new SnapshotProtocol.LoadSnapshot(PID, SnapshotSelectionCriteria.latest(), Long.MAX_VALUE),
                Adapter.toClassic(probe.ref()));
        SnapshotProtocol.LoadSnapshotFailed failed =
                probe.expectMessageClass(SnapshotProtocol.LoadSnapshotFailed.class, TIMEOUT);
        assertTrue(failed.cause().getMessage().contains("CRC32C mismatch"), failed.cause().getMessage());
    }

    @Test
    void readsVersionOneFilesWrittenBeforeSnapshotMetadataWasStored() throws Exception {
        restart();
        PartitionSnapshot snapshot = new PartitionSnapshot(4242, new byte[] {1, 2, 3});
        Serialization serialization = SerializationExtension.get(Adapter.toClassic(kit.system()));
        byte[] bytes = serialization.serialize(snapshot).get();
        int serializerId = serialization.findSerializerFor(snapshot).identifier();
        // version 1 layout: magic, version, CRC32C, serializer id, manifest, snapshot bytes
        ByteBuffer body = ByteBuffer.allocate(4 + 4 + 4 + bytes.length).putInt(serializerId).putInt(0)
                .putInt(bytes.length).put(bytes);
        CRC32C crc = new CRC32C();
        crc.update(body.array());
        ByteBuffer file = ByteBuffer.allocate(9 + body.capacity()).putInt(0x4D4E534E).put((byte) 1)
                .putInt((int) crc.getValue()).put(body.array());
        Path dir = PersistenceIdDirectory.create(data.resolve("snapshots"), PID);
        Files.write(dir.resolve(SnapshotFile.name(30, 1234)), file.array());

        SelectedSnapshot loaded = load(SnapshotSelectionCriteria.latest());
        assertEquals(SnapshotMetadata.apply(PID, 30, 1234), loaded.metadata());
        assertTrue(loaded.metadata().metadata().isEmpty());
        PartitionSnapshot s = (PartitionSnapshot) loaded.snapshot();
        assertEquals(4242, s.kafkaOffset());
        assertArrayEquals(new byte[] {1, 2, 3}, s.head());
    }

    /** Saves through the plugin protocol; Pekko stamps the save time into the metadata it returns. */
    private SnapshotMetadata save(long seq, Object snapshot) {
        TestProbe<Object> probe = kit.createTestProbe(Object.class);
        store().tell(new SnapshotProtocol.SaveSnapshot(SnapshotMetadata.apply(PID, seq, 0), snapshot),
                Adapter.toClassic(probe.ref()));
        return probe.expectMessageClass(SaveSnapshotSuccess.class, TIMEOUT).metadata();
    }

    private SelectedSnapshot load(SnapshotSelectionCriteria criteria) {
        TestProbe<Object> probe = kit.createTestProbe(Object.class);
        store().tell(new SnapshotProtocol.LoadSnapshot(PID, criteria, Long.MAX_VALUE), Adapter.toClassic(probe.ref()));
        return probe.expectMessageClass(SnapshotProtocol.LoadSnapshotResult.class, TIMEOUT).snapshot().get();
    }

    private org.apache.pekko.actor.ActorRef store() {
        return Persistence.get(Adapter.toClassic(kit.system()))
                .snapshotStoreFor("mnemo.persistence.snapshot-store", ConfigFactory.empty());
    }
}
