package io.mnemo.bucketstore.markers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mnemo.objstore.FilesystemBucket;
import io.mnemo.tsdb.block.Ulid;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The marks as Mimir and Thanos write and read them: file names, places, JSON field names. */
class MarkersTest {
    static final Ulid A = Ulid.parse("01HQ3S2Z8M6V0000000000000A");
    static final Ulid B = Ulid.parse("01HQ3S2Z8M6V0000000000000B");

    @TempDir
    Path dir;
    FilesystemBucket bucket;

    @BeforeEach
    void open() throws IOException {
        bucket = new FilesystemBucket(dir);
    }

    @AfterEach
    void close() throws IOException {
        bucket.close();
    }

    String text(String name) throws IOException {
        try (InputStream in = bucket.get(name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void aDeletionMarkIsThanossJson() {
        DeletionMark m = new DeletionMark(A, 1_700_000_123L, "");
        assertEquals("{\"id\":\"" + A + "\",\"version\":1,\"deletion_time\":1700000123}",
                new String(m.encode(), StandardCharsets.UTF_8));
        assertEquals(m, DeletionMark.decode(m.encode()));
        DeletionMark withDetails = new DeletionMark(A, 5, "source of 01X");
        assertEquals("{\"id\":\"" + A + "\",\"version\":1,\"details\":\"source of 01X\",\"deletion_time\":5}",
                new String(withDetails.encode(), StandardCharsets.UTF_8));
        assertEquals(withDetails, DeletionMark.decode(withDetails.encode()));
        // As Thanos writes it, with its field order: parsed by name.
        assertEquals(new DeletionMark(B, 42, ""),
                DeletionMark.decode(("{\"deletion_time\":42,\"id\":\"" + B + "\",\"version\":1}").getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void aNoCompactMarkIsThanossJson() {
        NoCompactMark m = new NoCompactMark(A, 1_700_000_000L, NoCompactMark.CRITICAL, "index: bad checksum");
        assertEquals("{\"id\":\"" + A + "\",\"version\":1,\"details\":\"index: bad checksum\",\"no_compact_time\":1700000000,"
                + "\"reason\":\"critical\"}", new String(m.encode(), StandardCharsets.UTF_8));
        assertEquals(m, NoCompactMark.decode(m.encode()));
    }

    @Test
    void aTenantDeletionMarkIsMimirsJson() {
        TenantDeletionMark m = new TenantDeletionMark(1_700_000_000L, 0);
        assertEquals("{\"deletion_time\":1700000000}", new String(m.encode(), StandardCharsets.UTF_8));
        TenantDeletionMark finished = m.finishedAt(1_700_000_600L);
        assertEquals("{\"deletion_time\":1700000000,\"finished_time\":1700000600}", new String(finished.encode(), StandardCharsets.UTF_8));
        assertEquals(finished, TenantDeletionMark.decode(finished.encode()));
    }

    @Test
    void marksOfAnotherVersionOrShapeAreRefused() {
        assertThrows(IllegalArgumentException.class,
                () -> DeletionMark.decode(("{\"id\":\"" + A + "\",\"version\":2,\"deletion_time\":1}").getBytes(StandardCharsets.UTF_8)));
        assertThrows(IllegalArgumentException.class,
                () -> DeletionMark.decode(("{\"id\":\"nope\",\"version\":1,\"deletion_time\":1}").getBytes(StandardCharsets.UTF_8)));
        assertThrows(IllegalArgumentException.class,
                () -> NoCompactMark.decode(("{\"id\":\"" + A + "\",\"version\":1,\"no_compact_time\":\"x\"}").getBytes(StandardCharsets.UTF_8)));
        assertThrows(IllegalArgumentException.class, () -> DeletionMark.decode("{\"id\":".getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void aMarkGoesInTheBlocksDirectoryAndAmongTheTenantsMarkers() throws IOException {
        DeletionMark m = new DeletionMark(A, 100, "");
        assertTrue(Markers.write(bucket, "team-a", m));
        assertEquals(new String(m.encode(), StandardCharsets.UTF_8), text("team-a/" + A + "/deletion-mark.json"));
        assertEquals(new String(m.encode(), StandardCharsets.UTF_8), text("team-a/markers/" + A + "-deletion-mark.json"));
        assertEquals(Optional.of(m), Markers.deletionMark(bucket, "team-a", A));
        assertEquals(Optional.of(m), Markers.globalDeletionMark(bucket, "team-a", A));

        // Marked already: the first mark stays, so its delay runs from the first time.
        assertFalse(Markers.write(bucket, "team-a", new DeletionMark(A, 200, "")));
        assertEquals(100, Markers.deletionMark(bucket, "team-a", A).orElseThrow().deletionTime());

        NoCompactMark n = new NoCompactMark(B, 300, NoCompactMark.CRITICAL, "");
        assertTrue(Markers.write(bucket, "team-a", n));
        assertEquals(Optional.of(n), Markers.noCompactMark(bucket, "team-a", B));
        assertEquals(Set.of(A), Markers.listGlobal(bucket, "team-a", DeletionMark.FILE));
        assertEquals(Set.of(B), Markers.listGlobal(bucket, "team-a", NoCompactMark.FILE));
        assertEquals(Set.of(), Markers.listGlobal(bucket, "team-b", DeletionMark.FILE));

        Markers.delete(bucket, "team-a", A, DeletionMark.FILE);
        Markers.delete(bucket, "team-a", A, DeletionMark.FILE); // gone already: fine
        assertFalse(bucket.exists("team-a/" + A + "/deletion-mark.json"));
        assertFalse(bucket.exists("team-a/markers/" + A + "-deletion-mark.json"));
        assertEquals(Optional.empty(), Markers.deletionMark(bucket, "team-a", A));
    }

    @Test
    void aMarkHalfWrittenByACrashIsWrittenAgainWithItsFirstTime() throws IOException {
        byte[] first = new DeletionMark(A, 100, "").encode();
        bucket.upload("team-a/" + A + "/deletion-mark.json", new ByteArrayInputStream(first), first.length);
        assertTrue(Markers.write(bucket, "team-a", new DeletionMark(A, 999, "")));
        assertEquals(new String(first, StandardCharsets.UTF_8), text("team-a/markers/" + A + "-deletion-mark.json"));
    }

    @Test
    void theTenantDeletionMarkAndTheListingIgnoreEachOther() throws IOException {
        assertEquals(Optional.empty(), Markers.tenantDeletionMark(bucket, "team-a"));
        Markers.writeTenantDeletionMark(bucket, "team-a", new TenantDeletionMark(7, 0));
        assertEquals("team-a/markers/tenant-deletion-mark.json", Markers.tenantDeletion("team-a"));
        assertEquals(Optional.of(new TenantDeletionMark(7, 0)), Markers.tenantDeletionMark(bucket, "team-a"));
        // "tenant-deletion-mark.json" is not "<ULID>-deletion-mark.json".
        assertEquals(Set.of(), Markers.listGlobal(bucket, "team-a", DeletionMark.FILE));
        assertEquals(List.of("team-a/markers/tenant-deletion-mark.json"), list("team-a/markers"));
    }

    List<String> list(String dir) throws IOException {
        List<String> out = new java.util.ArrayList<>();
        bucket.iter(dir, true, out::add);
        return out;
    }
}
