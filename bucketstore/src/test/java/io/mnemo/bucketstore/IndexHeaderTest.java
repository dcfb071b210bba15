package io.mnemo.bucketstore;

import static io.mnemo.bucketstore.StoreData.TENANT;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mnemo.bucketstore.indexheader.IndexHeader;
import io.mnemo.objstore.FilesystemBucket;
import io.mnemo.tsdb.LabelMatcher;
import io.mnemo.tsdb.Labels;
import io.mnemo.tsdb.Querier;
import io.mnemo.tsdb.block.BlockReader;
import io.mnemo.tsdb.block.IndexFormat;
import io.mnemo.tsdb.block.MappedFile;
import io.mnemo.tsdb.block.Ulid;
import io.mnemo.tsdb.head.Head;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Index-headers: built from ranged reads once, reused by the next store, rebuilt when damaged or another block's. */
class IndexHeaderTest {
    /** Where the symbol table starts in an index-header, by its grammar: after 83 bytes of fixed fields. */
    static final long SYMBOLS_AT = 4 + 1 + 26 + 6 * 8 + 4;

    @TempDir
    Path dir;
    FilesystemBucket fs;
    CountingBucket bucket;
    Path blockA;
    Path blockB;

    @BeforeEach
    void blocks() throws IOException {
        Head head = StoreData.head(3_000, 5);
        long mid = StoreData.T0 + StoreData.RANGE / 2;
        blockA = StoreData.write(head, dir.resolve("local"), StoreData.T0, mid);
        blockB = StoreData.write(head, dir.resolve("local"), mid, StoreData.T0 + StoreData.RANGE);
        fs = new FilesystemBucket(dir.resolve("bucket"));
        StoreData.upload(fs, blockA);
        StoreData.upload(fs, blockB);
        bucket = new CountingBucket(fs);
    }

    @AfterEach
    void close() throws IOException {
        fs.close();
    }

    Path header(Path block) {
        return dir.resolve("sync").resolve(TENANT).resolve(block.getFileName().toString()).resolve(IndexHeader.FILE_NAME);
    }

    /** Syncs a new store over the same sync directory, checks its answers, returns the reads of index objects it made. */
    List<CountingBucket.Read> syncAndQuery() throws IOException {
        bucket.clear();
        try (BucketStore store = new BucketStore(bucket, dir.resolve("sync"), StoreData.config(0, 0), (t, m) -> true)) {
            assertEquals(2, store.sync().blocks());
            List<CountingBucket.Read> reads = bucket.reads("/index");
            for (Path block : List.of(blockA, blockB)) {
                LabelMatcher m = LabelMatcher.regex("instance", "host-1.*");
                TreeMap<Labels, List<String>> want;
                try (BlockReader r = BlockReader.open(block); Querier q = r.querier(Long.MIN_VALUE, Long.MAX_VALUE)) {
                    want = StoreData.dump(q, m);
                }
                Ulid ulid = Ulid.parse(block.getFileName().toString());
                try (BlockQuery q = store.query(TENANT, Long.MIN_VALUE, Long.MAX_VALUE, Set.of(ulid))) {
                    StoreData.assertSameSeries(want, StoreData.dump(q, m), "block " + ulid);
                }
            }
            return reads;
        }
    }

    @Test
    void builtOnceWithThreeRangedReadsAndReusedByTheNextStore() throws IOException {
        List<CountingBucket.Read> first = syncAndQuery();
        assertEquals(6, first.size(), "table of contents, symbols, postings offset table of each block: " + first);
        for (CountingBucket.Read r : first) assertTrue(r.length() > 0, "ranged: " + r);
        byte[] built = Files.readAllBytes(header(blockA));
        assertEquals(List.of(), syncAndQuery(), "the index-headers on disk are used again");
        assertArrayEquals(built, Files.readAllBytes(header(blockA)));
    }

    @Test
    void muchSmallerThanTheIndex() throws IOException {
        syncAndQuery();
        long header = Files.size(header(blockA));
        long index = Files.size(blockA.resolve("index"));
        System.out.println("index-header " + header + " bytes, index " + index + " bytes");
        assertTrue(header * 2 < index, header + " bytes against an index of " + index);
        // Exactly the fixed fields, the symbol table and the postings offset table: no other part of the index.
        try (MappedFile f = MappedFile.open(blockA.resolve("index"))) {
            IndexFormat.Toc toc = IndexFormat.readToc(f, f.size());
            long symbols = 4 + (f.be32(toc.symbols()) & 0xFFFF_FFFFL) + 4;
            long table = index - IndexFormat.TOC_SIZE - toc.postingsOffsetTable();
            assertEquals(SYMBOLS_AT + symbols + table, header);
        }
        ByteBuffer start = ByteBuffer.wrap(Files.readAllBytes(header(blockA)), 0, 5);
        assertEquals(0x4D4E4948, start.getInt(), "magic MNIH");
        assertEquals(1, start.get(), "version");
    }

    @Test
    void aDamagedHeaderIsBuiltAgain() throws IOException {
        syncAndQuery();
        List<Consumer<Path>> damages = List.of(
                p -> flip(p, 40),                                   // fixed fields: their checksum
                p -> flip(p, SYMBOLS_AT + 9),                         // inside the symbol table
                p -> flip(p, size(p) - 6),                           // inside the postings offset table
                p -> truncate(p, size(p) - 1),
                p -> truncate(p, 10),
                p -> copy(header(blockB), p));                       // another block's
        for (Consumer<Path> damage : damages) {
            damage.accept(header(blockA));
            List<CountingBucket.Read> reads = syncAndQuery();
            assertEquals(3, reads.size(), "block A's index-header built again: " + reads);
            assertTrue(reads.stream().allMatch(r -> r.name().contains(blockA.getFileName().toString())), reads.toString());
        }
    }

    static long size(Path p) {
        try {
            return Files.size(p);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    static void flip(Path p, long at) {
        try {
            byte[] b = Files.readAllBytes(p);
            b[(int) at] ^= 0x10;
            Files.write(p, b);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    static void truncate(Path p, long size) {
        try {
            byte[] b = Files.readAllBytes(p);
            Files.write(p, java.util.Arrays.copyOf(b, (int) size));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    static void copy(Path from, Path to) {
        try {
            Files.copy(from, to, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
