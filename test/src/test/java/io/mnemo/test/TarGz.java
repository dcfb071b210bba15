package io.mnemo.test;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.zip.GZIPInputStream;

/**
 * Unpacks a gzipped ustar archive (as {@code tar --format=ustar -cz} writes it) of directories and
 * regular files. Runs of zeros are left as holes, so Kafka's preallocated index files (10 MiB each,
 * mostly zeros) take no disk space unpacked, as they took none where they were written.
 */
final class TarGz {
    private static final int BLOCK = 512;
    private static final int PAGE = 4096;

    private TarGz() {}

    static void extract(Path archive, Path into) throws IOException {
        Files.createDirectories(into);
        try (DataInputStream in = new DataInputStream(new BufferedInputStream(
                new GZIPInputStream(Files.newInputStream(archive), 1 << 16), 1 << 16))) {
            byte[] header = new byte[BLOCK];
            while (true) {
                in.readFully(header);
                if (allZero(header, 0, BLOCK)) return; // the end-of-archive marker
                String prefix = field(header, 345, 155);
                String name = (prefix.isEmpty() ? "" : prefix + "/") + field(header, 0, 100);
                long size = Long.parseLong(field(header, 124, 12).trim(), 8);
                char type = (char) header[156];
                Path target = into.resolve(name).normalize();
                if (!target.startsWith(into)) throw new IOException(archive + ": entry outside the archive's root: " + name);
                switch (type) {
                    case '5' -> Files.createDirectories(target);
                    case '0', '\0' -> {
                        Files.createDirectories(target.getParent());
                        writeSparse(in, target, size);
                        skipFully(in, (BLOCK - size % BLOCK) % BLOCK);
                    }
                    default -> throw new IOException(archive + ": entry " + name + " of type '" + type
                            + "' (only directories and regular files are expected)");
                }
            }
        } catch (EOFException e) {
            throw new IOException(archive + " ends before its end-of-archive marker", e);
        }
    }

    private static void writeSparse(DataInputStream in, Path target, long size) throws IOException {
        byte[] page = new byte[PAGE];
        try (FileChannel out = FileChannel.open(target, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            for (long at = 0; at < size; ) {
                int n = (int) Math.min(PAGE, size - at);
                in.readFully(page, 0, n);
                if (!allZero(page, 0, n)) out.write(ByteBuffer.wrap(page, 0, n), at);
                at += n;
            }
            if (out.size() < size) out.write(ByteBuffer.allocate(1), size - 1); // a trailing hole, then the last byte
        }
    }

    private static void skipFully(DataInputStream in, long n) throws IOException {
        in.readFully(new byte[(int) n]);
    }

    private static boolean allZero(byte[] b, int from, int to) {
        for (int i = from; i < to; i++) if (b[i] != 0) return false;
        return true;
    }

    private static String field(byte[] header, int offset, int length) {
        int end = offset;
        while (end < offset + length && header[end] != 0) end++;
        return new String(header, offset, end - offset, StandardCharsets.UTF_8);
    }
}
