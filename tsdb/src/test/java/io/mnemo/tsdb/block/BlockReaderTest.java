package io.mnemo.tsdb.block;

import io.mnemo.tsdb.LabelMatcher;
import io.mnemo.tsdb.Labels;
import io.mnemo.tsdb.Querier;
import io.mnemo.tsdb.SampleIterator;
import io.mnemo.tsdb.Series;
import io.mnemo.tsdb.SeriesSet;
import io.mnemo.tsdb.head.Head;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Closing must never pull memory from under a reader, and damaged files must be noticed. */
class BlockReaderTest {
    private static final LabelMatcher ALL = LabelMatcher.regex(Labels.METRIC_NAME, ".+");

    @TempDir
    Path dir;
    Path block;

    @BeforeEach
    void writeBlock() throws IOException {
        Head head = new Head();
        for (int s = 0; s < 20; s++) {
            int ref = head.getOrCreateSeries(Labels.of("__name__", "up", "instance", "i" + s));
            for (int i = 0; i < 300; i++) head.append(ref, 1_000_000 + i * 1000L, s + i);
        }
        BlockMeta meta = new BlockWriter(dir).write(head, 0, 10_000_000).orElseThrow();
        block = dir.resolve(meta.ulid().toString());
    }

    @Test
    void closingWaitsForOpenQueriersAndSeriesOutliveThem() throws IOException {
        BlockReader reader = BlockReader.open(block);
        Querier q = reader.querier(0, Long.MAX_VALUE);
        reader.close();
        assertTrue(reader.isClosed());
        assertThrows(IllegalStateException.class, () -> reader.querier(0, 1));

        SeriesSet ss = q.select(true, ALL); // the open querier still reads the mapping
        assertTrue(ss.next());
        Series first = ss.at();
        q.close();
        q.close(); // idempotent: must not release twice
        assertThrows(IllegalStateException.class, ss::next);
        assertThrows(IllegalStateException.class, () -> q.select(true, ALL));

        // the series already returned had its chunks copied out: still readable after unmapping
        SampleIterator it = first.iterator();
        int n = 0;
        while (it.next()) n++;
        assertEquals(300, n);
    }

    @Test
    void severalQueriersShareTheBlock() throws IOException {
        try (BlockReader reader = BlockReader.open(block)) {
            Querier a = reader.querier(0, Long.MAX_VALUE);
            Querier b = reader.querier(0, Long.MAX_VALUE);
            a.close();
            assertEquals(20, TestData.dump(reader, 0, Long.MAX_VALUE).size());
            assertEquals(20, count(b.select(false, ALL)));
            b.close();
        }
    }

    @Test
    void anIdleBlockUnmapsAndMapsAgainForTheNextQuerier() throws IOException {
        try (BlockReader reader = BlockReader.open(block)) {
            assertTrue(reader.isMapped());
            Querier q = reader.querier(0, Long.MAX_VALUE);
            assertFalse(reader.unmap(), "not while a querier reads it");
            q.close();
            assertTrue(reader.unmap());
            assertFalse(reader.isMapped());
            assertFalse(reader.unmap(), "unmapped already");
            assertEquals(20, TestData.dump(reader, 0, Long.MAX_VALUE).size(), "mapped again by the next querier");
            assertTrue(reader.isMapped());
            assertTrue(reader.unmap());
            Files.delete(block.resolve("index"));
            assertThrows(java.io.UncheckedIOException.class, () -> reader.querier(0, 1), "checked again when mapped again");
            assertFalse(reader.isMapped());
        }
    }

    @Test
    void damagedTableOfContentsIsRefused() throws IOException {
        long size = Files.size(block.resolve("index"));
        flip(block.resolve("index"), size - 10);
        IOException e = assertThrows(IOException.class, () -> BlockReader.open(block));
        assertTrue(e.getMessage().contains("table of contents checksum"), e.getMessage());
    }

    @Test
    void damagedSymbolTableIsRefused() throws IOException {
        flip(block.resolve("index"), 12);
        IOException e = assertThrows(IOException.class, () -> BlockReader.open(block));
        assertTrue(e.getMessage().contains("symbol table checksum"), e.getMessage());
    }

    @Test
    void otherFormatsAreRefused() throws IOException {
        Path index = block.resolve("index");
        flip(index, 4); // version byte
        assertThrows(IOException.class, () -> BlockReader.open(block));
        flip(index, 4);
        flip(index, 0); // magic
        assertThrows(IOException.class, () -> BlockReader.open(block));
        flip(index, 0);
        flip(block.resolve("chunks/000001"), 1);
        assertThrows(IOException.class, () -> BlockReader.open(block));
    }

    @Test
    void damagedChunkIsNoticedWhenRead() throws IOException {
        flip(block.resolve("chunks/000001"), 8 + 2 + 5); // inside the first chunk's data
        try (BlockReader reader = BlockReader.open(block); Querier q = reader.querier(0, Long.MAX_VALUE)) {
            UncheckedIOException e = assertThrows(UncheckedIOException.class, () -> count(q.select(true, ALL)));
            assertTrue(e.getMessage().contains("checksum mismatch of chunk"), e.getMessage());
        }
    }

    @Test
    void tombstonesWithDeletionsAreRefused() throws IOException {
        Path t = block.resolve("tombstones");
        // magic, version, one interval (ref 1, mint 0, maxt 10 as varints), CRC32C of the interval
        byte[] interval = {1, 0, 20};
        java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
        crc.update(interval);
        ByteBuffer b = ByteBuffer.allocate(4 + 1 + 3 + 4).putInt(Tombstones.MAGIC).put((byte) 1).put(interval)
                .putInt((int) crc.getValue());
        Files.write(t, b.array());
        IOException e = assertThrows(IOException.class, () -> BlockReader.open(block));
        assertTrue(e.getMessage().contains("tombstones"), e.getMessage());
    }

    @Test
    void directoryMustCarryTheBlocksUlid() throws IOException {
        Path renamed = dir.resolve(Ulid.generate().toString());
        Files.move(block, renamed, StandardCopyOption.ATOMIC_MOVE);
        assertThrows(IOException.class, () -> BlockReader.open(renamed));
    }

    @Test
    void blockWithoutTombstonesFileOpens() throws IOException {
        Files.delete(block.resolve("tombstones"));
        try (BlockReader reader = BlockReader.open(block)) {
            assertEquals(20, TestData.dump(reader, 0, Long.MAX_VALUE).size());
        }
        try (Stream<Path> s = Files.list(dir)) {
            assertFalse(s.anyMatch(p -> p.getFileName().toString().endsWith(BlockWriter.TMP_SUFFIX)));
        }
    }

    private static int count(SeriesSet ss) {
        int n = 0;
        while (ss.next()) n++;
        return n;
    }

    private static void flip(Path file, long at) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            ByteBuffer b = ByteBuffer.allocate(1);
            ch.read(b, at);
            b.put(0, (byte) (b.get(0) ^ 0x5A)).rewind();
            ch.write(b, at);
        }
    }
}
