package io.mnemo.tsdb.block;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import java.util.zip.CRC32C;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Reads across slice borders must see the file as one, as they must past 2 GiB. */
class MappedFileTest {
    @TempDir
    Path dir;

    @Test
    void readsAcrossSliceBordersLikeOneBuffer() throws Exception {
        byte[] data = new byte[1000];
        new Random(1).nextBytes(data);
        Path p = dir.resolve("f");
        Files.write(p, data);
        ByteBuffer ref = ByteBuffer.wrap(data);
        try (MappedFile f = MappedFile.open(p, 4)) { // 16-byte slices
            assertEquals(data.length, f.size());
            for (int i = 0; i + 8 <= data.length; i++) {
                assertEquals(data[i] & 0xFF, f.u8(i));
                assertEquals(ref.getInt(i), f.be32(i), "be32 at " + i);
                assertEquals(ref.getLong(i), f.be64(i), "be64 at " + i);
            }
            for (int off : new int[] {0, 5, 15, 16, 17, 300}) {
                for (int len : new int[] {0, 1, 15, 16, 33, 500}) {
                    byte[] got = new byte[len];
                    f.copy(off, got, 0, len);
                    assertArrayEquals(Arrays.copyOfRange(data, off, off + len), got);
                    CRC32C crc = new CRC32C();
                    crc.update(data, off, len);
                    assertEquals((int) crc.getValue(), f.crc32c(off, len));
                }
            }
            assertThrows(IndexOutOfBoundsException.class, () -> f.be32(998));
        }
    }

    @Test
    void refusesReadsAfterClose() throws Exception {
        Path p = dir.resolve("g");
        Files.write(p, new byte[64]);
        MappedFile f = MappedFile.open(p);
        f.close();
        f.close(); // idempotent
        assertThrows(IllegalStateException.class, () -> f.u8(0));
    }
}
