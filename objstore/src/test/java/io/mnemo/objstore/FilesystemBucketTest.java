package io.mnemo.objstore;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

class FilesystemBucketTest extends BucketContractTest {
    Path root;

    @Override
    Bucket openEmptyBucket() throws IOException {
        root = scratch.resolve("bucket");
        return new FilesystemBucket(root);
    }

    @Test
    void objectsAreFilesUnderTheRoot() throws IOException {
        put("tenant/01ARZ3NDEKTSV4RRFFQ69G5FAV/meta.json", "{}");
        assertEquals("{}", Files.readString(root.resolve("tenant/01ARZ3NDEKTSV4RRFFQ69G5FAV/meta.json")));
    }

    @Test
    void nothingIsWrittenOutsideTheRoot() throws IOException {
        List<String> before = filesUnder(scratch);
        for (String name : List.of("../escaped", "a/../../escaped", "/tmp/escaped")) {
            assertThrows(IllegalArgumentException.class, () -> bucket.upload(name, new ByteArrayInputStream(new byte[1]), 1));
        }
        assertEquals(before, filesUnder(scratch));
        assertFalse(Files.exists(scratch.resolve("escaped")));
    }

    @Test
    void deletesRemoveTheDirectoriesTheyEmpty() throws IOException {
        put("t/b/chunks/000001", "c");
        put("t/b/meta.json", "m");
        put("t/other", "o");
        bucket.delete("t/b/chunks/000001");
        assertFalse(Files.exists(root.resolve("t/b/chunks")));
        assertTrue(Files.isDirectory(root.resolve("t/b")));
        bucket.delete("t/b/meta.json");
        assertFalse(Files.exists(root.resolve("t/b")));
        assertTrue(Files.isDirectory(root.resolve("t")), "t still holds an object");
        bucket.delete("t/other");
        assertFalse(Files.exists(root.resolve("t")));
        assertTrue(Files.isDirectory(root), "the root stays");
    }

    @Test
    void stagingIsNeitherListedNorNameable() throws IOException {
        Files.writeString(root.resolve(FilesystemBucket.STAGING).resolve("upload-123.tmp"), "half");
        assertEquals(List.of(), list("", false));
        assertEquals(List.of(), list("", true));
        assertThrows(IllegalArgumentException.class, () -> bucket.get(FilesystemBucket.STAGING + "/upload-123.tmp"));
        assertThrows(IllegalArgumentException.class, () -> put(FilesystemBucket.STAGING + "/x", "x"));
        assertThrows(IllegalArgumentException.class, () -> bucket.iter(FilesystemBucket.STAGING, true, n -> {}));
        put("a/" + FilesystemBucket.STAGING, "only the top-level name is reserved");
        assertEquals(List.of("a/" + FilesystemBucket.STAGING), list("", true));
    }

    @Test
    void aFailedUploadLeavesNoStagingFile() throws IOException {
        byte[] data = random(100_000, 3);
        assertThrows(IOException.class, () -> bucket.upload("x/y", failingAfter(data, 50_000), data.length));
        assertEquals(List.of(), filesUnder(root.resolve(FilesystemBucket.STAGING)));
        assertFalse(Files.exists(root.resolve("x")), "no directory made for it");
    }

    @Test
    void staleStagingFilesAreRemovedOnOpenFreshOnesKept() throws IOException {
        Path staging = root.resolve(FilesystemBucket.STAGING);
        Path stale = Files.writeString(staging.resolve("upload-stale.tmp"), "crashed");
        Files.setLastModifiedTime(stale, FileTime.from(Instant.now().minusSeconds(7200)));
        Path fresh = Files.writeString(staging.resolve("upload-fresh.tmp"), "another process is writing it");
        new FilesystemBucket(root).close();
        assertFalse(Files.exists(stale));
        assertTrue(Files.exists(fresh));
    }

    @Test
    void emptyDirectoriesAndOtherFilesAreNotListed() throws IOException {
        Files.createDirectories(root.resolve("left/empty/by/a/crash"));
        Files.createSymbolicLink(root.resolve("link"), scratch);
        put("real", "r");
        assertEquals(List.of("real"), list("", false));
        assertEquals(List.of("real"), list("", true));
        assertFalse(bucket.exists("link"));
        assertThrows(ObjectNotFoundException.class, () -> bucket.get("link"));
    }

    @Test
    void anObjectAndADirectoryCannotShareAName() throws IOException {
        put("a/b", "x");
        IOException e = assertThrows(IOException.class, () -> put("a", "y"));
        assertFalse(e instanceof ObjectNotFoundException);
        assertThrows(IOException.class, () -> put("a/b/c", "z"));
        assertEquals(List.of("a/b"), list("", true));
        assertEquals(List.of(), filesUnder(root.resolve(FilesystemBucket.STAGING)));
    }

    static void deleteRecursively(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(java.util.Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        }
    }

    static List<String> filesUnder(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(p -> !p.equals(dir)).map(p -> dir.relativize(p).toString()).sorted().toList();
        }
    }
}
