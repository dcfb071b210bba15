package io.mnemo.tsdb.block;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.CRC32C;

/**
 * A block's {@code tombstones} file: magic 0x0130BA30, format version 1, the deleted intervals
 * (series ref uvarint, mint varint, maxt varint each), then a CRC32C of the intervals (the
 * version byte is not covered, as in Prometheus). Blocks cut from a head have none, so the
 * file holds the header and the checksum of nothing.
 */
final class Tombstones {
    static final String FILE_NAME = "tombstones";
    static final int MAGIC = 0x0130BA30;
    static final int FORMAT_V1 = 1;

    private Tombstones() {}

    static void writeEmpty(Path blockDir) throws IOException {
        try (FileOut out = new FileOut(blockDir.resolve(FILE_NAME))) {
            out.writeBE32(MAGIC);
            out.writeByte(FORMAT_V1);
            out.beginCrc();
            out.endCrc();
            out.finish();
        }
    }

    /**
     * Checks the file and returns whether it records any deletion; a block without the file has
     * none, as Prometheus treats it.
     */
    static boolean hasDeletions(Path blockDir) throws IOException {
        Path p = blockDir.resolve(FILE_NAME);
        if (!Files.exists(p)) return false;
        byte[] b = Files.readAllBytes(p);
        if (b.length < 9) throw new IOException(p + ": too short for a tombstones file (" + b.length + " bytes)");
        int magic = be32(b, 0);
        if (magic != MAGIC) throw new IOException(p + ": bad magic " + Integer.toHexString(magic));
        if (b[4] != FORMAT_V1) throw new IOException(p + ": unsupported tombstones version " + b[4]);
        CRC32C crc = new CRC32C();
        crc.update(b, 5, b.length - 9);
        if ((int) crc.getValue() != be32(b, b.length - 4)) throw new IOException(p + ": checksum mismatch");
        return b.length > 9;
    }

    private static int be32(byte[] b, int at) {
        return ((b[at] & 0xFF) << 24) | ((b[at + 1] & 0xFF) << 16) | ((b[at + 2] & 0xFF) << 8) | (b[at + 3] & 0xFF);
    }
}
