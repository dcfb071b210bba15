package io.mnemo.persistence.journal;

import io.mnemo.persistence.PersistenceIdDirectory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/** Inspects and damages journal files the way crashes and bad disks do. */
final class JournalFiles {

    /** Position of one frame in a segment. */
    record FrameInfo(long offset, int length, long firstSequenceNr, long lastSequenceNr) {
        long end() {
            return offset + FrameFormat.HEADER_BYTES + length;
        }
    }

    private JournalFiles() {
    }

    static Path dir(Path dataDir, String persistenceId) {
        return PersistenceIdDirectory.resolve(dataDir.resolve("journal"), persistenceId);
    }

    /** Segment files of a persistence id, oldest first. */
    static List<Path> segments(Path dataDir, String persistenceId) {
        Path dir = dir(dataDir, persistenceId);
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(f -> f.getFileName().toString().endsWith(Segment.SUFFIX)).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static List<FrameInfo> frames(Path segment) throws Exception {
        List<FrameInfo> out = new ArrayList<>();
        try (SegmentReader r = new SegmentReader(segment, Long.MAX_VALUE)) {
            SegmentReader.Frame f;
            while ((f = r.next()) != null) {
                out.add(new FrameInfo(f.offset, f.length, f.firstSequenceNr, f.lastSequenceNr));
            }
        }
        return out;
    }

    static void flipByte(Path file, long offset) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            ByteBuffer b = ByteBuffer.allocate(1);
            ch.read(b, offset);
            b.flip();
            byte v = b.get();
            ch.write(ByteBuffer.wrap(new byte[] {(byte) (v ^ 0x5A)}), offset);
        }
    }

    static void writeInt(Path file, long offset, int value) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.allocate(4).putInt(value).flip(), offset);
        }
    }

    static void append(Path file, byte[] bytes) throws IOException {
        Files.write(file, bytes, StandardOpenOption.APPEND);
    }
}
