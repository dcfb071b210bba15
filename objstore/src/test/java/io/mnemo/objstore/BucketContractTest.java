package io.mnemo.objstore;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What every {@link Bucket} does, after Thanos's acceptance test for its buckets: each backend's
 * test extends this and opens an empty bucket per test.
 */
abstract class BucketContractTest {
    static final String NOT_THERE = "id1/obj_1.some";

    Bucket bucket;
    @TempDir Path scratch;

    /** An empty bucket of the backend under test. */
    abstract Bucket openEmptyBucket() throws Exception;

    @BeforeEach
    void open() throws Exception {
        bucket = openEmptyBucket();
    }

    @AfterEach
    void closeBucket() throws Exception {
        bucket.close();
    }

    @Test
    void roundTrip() throws IOException {
        Instant before = Instant.now().minusSeconds(2);
        put("id1/obj_1.some", "@test-data@");
        Instant after = Instant.now().plusSeconds(2);

        assertEquals("@test-data@", read(bucket.get("id1/obj_1.some")));
        assertTrue(bucket.exists("id1/obj_1.some"));
        ObjectAttributes attrs = bucket.attributes("id1/obj_1.some");
        assertEquals(11, attrs.size());
        assertTrue(!attrs.lastModified().isBefore(before.truncatedTo(java.time.temporal.ChronoUnit.SECONDS))
                && !attrs.lastModified().isAfter(after), "last modified " + attrs.lastModified());
    }

    @Test
    void uploadOfAFile() throws IOException {
        Path file = scratch.resolve("source");
        Files.writeString(file, "from a file");
        bucket.upload("a/file", file);
        assertEquals("from a file", read(bucket.get("a/file")));
        assertTrue(Files.exists(file), "the source stays");
    }

    @Test
    void emptyObject() throws IOException {
        put("empty", "");
        assertEquals("", read(bucket.get("empty")));
        assertEquals("", read(bucket.getRange("empty", 0, -1)));
        assertEquals("", read(bucket.getRange("empty", 0, 10)));
        assertEquals(0, bucket.attributes("empty").size());
        assertThrows(InvalidRangeException.class, () -> bucket.getRange("empty", 1, -1));
    }

    @Test
    void rangedReads() throws IOException {
        put("id1/obj_1.some", "@test-data@");
        assertEquals("@te", read(bucket.getRange("id1/obj_1.some", 0, 3)), "from the start");
        assertEquals("tes", read(bucket.getRange("id1/obj_1.some", 1, 3)), "in the middle");
        assertEquals("test-data@", read(bucket.getRange("id1/obj_1.some", 1, -1)), "to the end");
        assertEquals("st-data@", read(bucket.getRange("id1/obj_1.some", 3, 9999)), "past the end: to the end");
        assertEquals("@", read(bucket.getRange("id1/obj_1.some", 10, 1)), "the last byte");
        assertEquals("@", read(bucket.getRange("id1/obj_1.some", 10, -1)), "the last byte to the end");
    }

    @Test
    void rangesStartingAtOrPastTheEndAreRefused() throws IOException {
        put("id1/obj_1.some", "@test-data@");
        assertThrows(InvalidRangeException.class, () -> bucket.getRange("id1/obj_1.some", 11, 1));
        assertThrows(InvalidRangeException.class, () -> bucket.getRange("id1/obj_1.some", 11, -1));
        assertThrows(InvalidRangeException.class, () -> bucket.getRange("id1/obj_1.some", 124141, 3));
        assertThrows(IllegalArgumentException.class, () -> bucket.getRange("id1/obj_1.some", -1, 3));
        assertThrows(IllegalArgumentException.class, () -> bucket.getRange("id1/obj_1.some", 0, 0));
        assertThrows(IllegalArgumentException.class, () -> bucket.getRange("id1/obj_1.some", 0, -2));
    }

    @Test
    void readsStoppedEarlyLeaveTheBucketUsable() throws IOException {
        byte[] data = random(1 << 20, 7);
        bucket.upload("big", new ByteArrayInputStream(data), data.length);
        for (int i = 0; i < 20; i++) {
            try (InputStream in = bucket.get("big")) {
                assertEquals(data[0] & 0xff, in.read());
            }
        }
        assertArrayEquals(data, bucket.get("big").readAllBytes());
    }

    @Test
    void overwrite() throws IOException {
        put("id1/obj_2.some", "first version, longer");
        put("id1/obj_2.some", "second");
        assertEquals("second", read(bucket.get("id1/obj_2.some")));
        assertEquals(6, bucket.attributes("id1/obj_2.some").size());
        put("id1/obj_2.some", "second"); // idempotent, as Thanos wants
        assertEquals(List.of("id1/obj_2.some"), list("", true));
    }

    @Test
    void missingObjectsAreTypedNotFound() throws IOException {
        assertNotFound(() -> bucket.get(NOT_THERE));
        assertNotFound(() -> bucket.getRange(NOT_THERE, 1, 3));
        assertNotFound(() -> bucket.attributes(NOT_THERE));
        assertNotFound(() -> { bucket.delete(NOT_THERE); return null; });
        assertFalse(bucket.exists(NOT_THERE));

        // A "directory" is not an object.
        put("id1/sub/x", "x");
        assertNotFound(() -> bucket.get("id1/sub"));
        assertNotFound(() -> bucket.attributes("id1"));
        assertNotFound(() -> { bucket.delete("id1/sub"); return null; });
        assertFalse(bucket.exists("id1/sub"));
        assertTrue(bucket.exists("id1/sub/x"), "a failed delete of the directory leaves its objects");

        // Deleted is gone.
        bucket.delete("id1/sub/x");
        assertNotFound(() -> bucket.get("id1/sub/x"));
        assertNotFound(() -> { bucket.delete("id1/sub/x"); return null; });
    }

    @Test
    void theEmptyNameIsRefusedNotMissing() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> bucket.get(""));
        assertFalse(Bucket.isObjNotFound(e));
    }

    @Test
    void isObjNotFoundSeesThroughWrappers() throws IOException {
        ObjectNotFoundException e = assertThrows(ObjectNotFoundException.class, () -> bucket.get(NOT_THERE));
        assertEquals(NOT_THERE, e.name());
        assertTrue(Bucket.isObjNotFound(new UncheckedIOException(e)));
        assertTrue(Bucket.isObjNotFound(new java.util.concurrent.CompletionException(new UncheckedIOException(e))));
        assertFalse(Bucket.isObjNotFound(new IOException("disk on fire")));
        assertFalse(Bucket.isObjNotFound(null));
    }

    /** Thanos's acceptance layout. */
    @Test
    void iteration() throws IOException {
        put("id1/obj_1.some", "@test-data1@");
        put("id1/obj_2.some", "@test-data2@");
        put("id1/obj_3.some", "@test-data3@");
        put("id1/sub/subobj_1.some", "@test-data4@");
        put("id1/sub/subobj_2.some", "@test-data5@");
        put("id2/obj_4.some", "@test-data6@");
        put("obj_5.some", "@test-data7@");

        assertEquals(List.of("id1/", "id2/", "obj_5.some"), list("", false));
        assertEquals(List.of("id1/obj_1.some", "id1/obj_2.some", "id1/obj_3.some", "id1/sub/subobj_1.some",
                "id1/sub/subobj_2.some", "id2/obj_4.some", "obj_5.some"), list("", true));
        List<String> id1 = List.of("id1/obj_1.some", "id1/obj_2.some", "id1/obj_3.some", "id1/sub/");
        assertEquals(id1, list("id1/", false));
        assertEquals(id1, list("id1", false), "a directory with or without its '/'");
        List<String> id1Recursive = List.of("id1/obj_1.some", "id1/obj_2.some", "id1/obj_3.some",
                "id1/sub/subobj_1.some", "id1/sub/subobj_2.some");
        assertEquals(id1Recursive, list("id1/", true));
        assertEquals(id1Recursive, list("id1", true));
        assertEquals(List.of("id1/sub/subobj_1.some", "id1/sub/subobj_2.some"), list("id1/sub", false));
        assertEquals(List.of(), list("id0", false), "a directory that does not exist");
        assertEquals(List.of(), list("id0", true));
        assertEquals(List.of(), list("obj_5.some", false), "an object is not a directory");

        bucket.delete("id1/obj_2.some");
        assertEquals(List.of("id1/obj_1.some", "id1/obj_3.some", "id1/sub/"), list("id1/", false));
        bucket.delete("id2/obj_4.some");
        assertEquals(List.of("id1/", "obj_5.some"), list("", false), "a directory emptied by deletes is gone");
        bucket.delete("id1/sub/subobj_1.some");
        bucket.delete("id1/sub/subobj_2.some");
        assertEquals(List.of("id1/obj_1.some", "id1/obj_3.some"), list("id1", false));
    }

    /** Names sort as whole strings: "a.b" before "a/b" before "ab", in every mode and at every depth. */
    @Test
    void iterationIsSortedByFullName() throws IOException {
        for (String n : List.of("ab", "a/b", "a.b", "a-b", "a/c/d", "a/c.d", "a/c0", "z", "A", "é", "\uD83D\uDE00", "\uFF5E")) {
            put(n, n);
        }
        assertEquals(List.of("A", "a-b", "a.b", "a/b", "a/c.d", "a/c/d", "a/c0", "ab", "z", "é", "\uFF5E", "\uD83D\uDE00"),
                list("", true));
        assertEquals(List.of("A", "a-b", "a.b", "a/", "ab", "z", "é", "\uFF5E", "\uD83D\uDE00"), list("", false));
        assertEquals(List.of("a/b", "a/c.d", "a/c/", "a/c0"), list("a", false));
        assertEquals(List.of("a/b", "a/c.d", "a/c/d", "a/c0"), list("a", true));
    }

    @Test
    void deepNesting() throws IOException {
        put("t/01/02/03/04/05/06/07/08/obj", "deep");
        put("t/01/x", "shallow");
        assertEquals(List.of("t/01/02/03/04/05/06/07/08/obj", "t/01/x"), list("t", true));
        assertEquals(List.of("t/01/"), list("t", false));
        assertEquals(List.of("t/01/02/", "t/01/x"), list("t/01", false));
        assertEquals(List.of("t/01/02/03/04/05/06/07/08/"), list("t/01/02/03/04/05/06/07", false));
        assertEquals("deep", read(bucket.get("t/01/02/03/04/05/06/07/08/obj")));
    }

    /** More entries than one S3 listing page holds (1,000): every page is read, in order. */
    @Test
    void listingsOfMoreThanAThousandEntries() throws Exception {
        List<String> objects = new ArrayList<>();
        for (int i = 0; i < 1_050; i++) objects.add(String.format("many/o-%05d", i));
        List<String> subObjects = new ArrayList<>();
        for (int i = 0; i < 30; i++) subObjects.add(String.format("many/p-%02d/x", i));
        List<String> all = new ArrayList<>(objects);
        all.addAll(subObjects);
        inParallel(4, all, n -> put(n, n));

        List<String> direct = new ArrayList<>(objects);
        for (int i = 0; i < 30; i++) direct.add(String.format("many/p-%02d/", i));
        assertEquals(direct, list("many", false));
        assertEquals(all, list("many", true));
        assertEquals(all, list("", true));
        assertEquals(List.of("many/"), list("", false));
    }

    @Test
    void largeObject() throws Exception {
        byte[] data = random(20 << 20, 42); // more than the 16 MiB of one S3 part
        bucket.upload("big/from-stream", new ByteArrayInputStream(data), data.length);
        Path file = scratch.resolve("big");
        Files.write(file, data);
        bucket.upload("big/from-file", file);

        for (String name : List.of("big/from-stream", "big/from-file")) {
            assertEquals(data.length, bucket.attributes(name).size());
            try (InputStream in = bucket.get(name)) {
                assertArrayEquals(sha256(data, 0, data.length), sha256(in.readAllBytes(), 0, data.length), name);
            }
            int across = (16 << 20) - 100; // a range across the first part's end
            try (InputStream in = bucket.getRange(name, across, 1000)) {
                assertArrayEquals(java.util.Arrays.copyOfRange(data, across, across + 1000), in.readAllBytes());
            }
            try (InputStream in = bucket.getRange(name, data.length - 5, -1)) {
                assertArrayEquals(java.util.Arrays.copyOfRange(data, data.length - 5, data.length), in.readAllBytes());
            }
        }
    }

    @Test
    void namesThatCouldLeaveTheBucketAreRefused() throws IOException {
        List<String> bad = List.of("../x", "a/../../x", "..", ".", "a/./b", "a/..", "/abs", "/", "a//b", "a/", "",
                "a\\..\\b", "a\u0000b", "a\nb", "x".repeat(1025));
        for (String name : bad) {
            String n = name;
            assertThrows(IllegalArgumentException.class, () -> bucket.upload(n, new ByteArrayInputStream(new byte[1]), 1), n);
            assertThrows(IllegalArgumentException.class, () -> bucket.get(n), n);
            assertThrows(IllegalArgumentException.class, () -> bucket.getRange(n, 0, 1), n);
            assertThrows(IllegalArgumentException.class, () -> bucket.exists(n), n);
            assertThrows(IllegalArgumentException.class, () -> bucket.attributes(n), n);
            assertThrows(IllegalArgumentException.class, () -> bucket.delete(n), n);
        }
        for (String dir : List.of("..", "../", "a/../..", "/", "//", "/a", "a//")) {
            assertThrows(IllegalArgumentException.class, () -> bucket.iter(dir, true, x -> {}), dir);
        }
        assertEquals(List.of(), list("", true), "nothing was written");
    }

    @Test
    void concurrentUploadsOfDistinctNames() throws Exception {
        List<String> names = new ArrayList<>();
        for (int i = 0; i < 200; i++) names.add("tenant-" + (i % 5) + "/block-" + (i % 7) + "/obj-" + i);
        inParallel(8, names, n -> put(n, "content of " + n));
        List<String> sorted = new ArrayList<>(names);
        sorted.sort(ObjectNames.ORDER);
        assertEquals(sorted, list("", true));
        for (String n : names) assertEquals("content of " + n, read(bucket.get(n)));
    }

    /** Deletes emptying a directory while uploads go into it (the filesystem bucket removes emptied directories). */
    @Test
    void uploadsRacingDeletesInTheSameDirectory() throws Exception {
        AtomicBoolean done = new AtomicBoolean();
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            Future<Integer> churn = pool.submit(() -> {
                int rounds = 0;
                while (!done.get()) {
                    put("d/e/churn", "x");
                    bucket.delete("d/e/churn");
                    rounds++;
                }
                return rounds;
            });
            Future<?> uploads = pool.submit(() -> {
                for (int i = 0; i < 100; i++) put("d/e/kept-" + i, "k" + i);
                return null;
            });
            uploads.get(60, TimeUnit.SECONDS);
            done.set(true);
            assertTrue(churn.get(60, TimeUnit.SECONDS) > 0);
        } finally {
            done.set(true);
            pool.shutdownNow();
        }
        assertEquals(100, list("d/e", true).size());
        for (int i = 0; i < 100; i++) assertEquals("k" + i, read(bucket.get("d/e/kept-" + i)));
    }

    @Test
    void aFailingStreamStoresNothing() throws IOException {
        byte[] data = random(64 << 10, 1);
        assertThrows(IOException.class, () -> bucket.upload("f/obj", failingAfter(data, 30_000), data.length));
        assertFalse(bucket.exists("f/obj"));
        assertEquals(List.of(), list("", true), "no partial object, no temporary file");
        assertEquals(List.of(), list("", false));

        put("f/obj", "previous");
        assertThrows(IOException.class, () -> bucket.upload("f/obj", failingAfter(data, 30_000), data.length));
        assertEquals("previous", read(bucket.get("f/obj")), "the object before the failed upload stays");
        assertEquals(List.of("f/obj"), list("", true));
    }

    @Test
    void aFailingStreamOfAMultipartSizedObjectStoresNothing() throws IOException {
        byte[] data = random(20 << 20, 2);
        assertThrows(IOException.class, () -> bucket.upload("f/big", failingAfter(data, 18 << 20), data.length));
        assertFalse(bucket.exists("f/big"));
        assertEquals(List.of(), list("", true));
    }

    @Test
    void aStreamOfAnotherLengthThanDeclaredStoresNothing() throws IOException {
        byte[] data = "0123456789".getBytes(StandardCharsets.UTF_8);
        IOException shorter = assertThrows(IOException.class, () -> bucket.upload("l/obj", new ByteArrayInputStream(data), 11));
        assertTrue(shorter.getMessage().contains("10 of its 11 bytes"), shorter.getMessage());
        IOException longer = assertThrows(IOException.class, () -> bucket.upload("l/obj", new ByteArrayInputStream(data), 9));
        assertTrue(longer.getMessage().contains("more than its declared 9 bytes"), longer.getMessage());
        assertFalse(bucket.exists("l/obj"));
        assertEquals(List.of(), list("", true));
    }

    @Test
    void iterationCanBeStoppedByTheCallback() throws IOException {
        for (int i = 0; i < 5; i++) put("s/" + i, "x");
        List<String> seen = new ArrayList<>();
        RuntimeException stop = new RuntimeException("enough");
        RuntimeException thrown = assertThrows(RuntimeException.class, () -> bucket.iter("s", false, n -> {
            seen.add(n);
            if (seen.size() == 2) throw stop;
        }));
        assertEquals(stop, thrown);
        assertEquals(List.of("s/0", "s/1"), seen);
    }

    // --- helpers

    void put(String name, String content) throws IOException {
        byte[] b = content.getBytes(StandardCharsets.UTF_8);
        bucket.upload(name, new ByteArrayInputStream(b), b.length);
    }

    List<String> list(String dir, boolean recursive) throws IOException {
        List<String> out = new ArrayList<>();
        bucket.iter(dir, recursive, out::add);
        return out;
    }

    static String read(InputStream in) throws IOException {
        try (in) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    static byte[] random(int size, long seed) {
        byte[] b = new byte[size];
        new Random(seed).nextBytes(b);
        return b;
    }

    static byte[] sha256(byte[] b, int off, int len) throws Exception {
        MessageDigest d = MessageDigest.getInstance("SHA-256");
        d.update(b, off, len);
        return d.digest();
    }

    static void assertNotFound(Callable<?> call) {
        ObjectNotFoundException e = assertThrows(ObjectNotFoundException.class, call::call);
        assertTrue(Bucket.isObjNotFound(e));
    }

    /** A stream of {@code data} that fails after {@code failAt} bytes. */
    static InputStream failingAfter(byte[] data, int failAt) {
        return new InputStream() {
            int pos;

            @Override
            public int read() throws IOException {
                if (pos >= failAt) throw new IOException("source failed at byte " + pos);
                return pos < data.length ? data[pos++] & 0xff : -1;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                if (pos >= failAt) throw new IOException("source failed at byte " + pos);
                int n = Math.min(len, Math.min(failAt, data.length) - pos);
                System.arraycopy(data, pos, b, off, n);
                pos += n;
                return n;
            }
        };
    }

    interface IoConsumer {
        void accept(String name) throws Exception;
    }

    static void inParallel(int threads, List<String> names, IoConsumer work) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (String n : names) futures.add(pool.submit(() -> {
                work.accept(n);
                return null;
            }));
            for (Future<?> f : futures) f.get(Duration.ofMinutes(2).toSeconds(), TimeUnit.SECONDS);
        } finally {
            pool.shutdownNow();
        }
    }
}
