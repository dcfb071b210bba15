package io.mnemo.persistence.snapshot;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32C;
import org.apache.pekko.persistence.SnapshotMetadata;

/**
 * Name and content of one snapshot file. The name carries sequence number and timestamp, so
 * selecting a snapshot needs only a directory listing:
 * {@code snapshot-<seq nr, 20 digits>-<timestamp, 20 digits>.snap}. The content holds the snapshot
 * and the optional metadata object of its {@code SnapshotMetadata} (used by replicated event
 * sourcing). The snapshot is either a value as Pekko serialization produced it or a
 * {@link PagedSnapshot}'s pages, which may add up to more than one array holds:
 *
 * <pre>
 *   int32 magic 'MNSN'   int8 version (3)   int32 CRC32C of what follows
 *   int8 kind: 0 = value, 1 = pages
 *     value: int32 serializer id   int32 manifest length, UTF-8 manifest   int32 length, bytes
 *     pages: int32 count, then count × (int32 length, bytes)
 *   int8 has metadata   [value metadata]
 * </pre>
 *
 * <p>Version 2 files (a value, no kind byte) and version 1 files (no metadata flag either) are
 * still read.
 */
final class SnapshotFile {

    private static final String PREFIX = "snapshot-";
    private static final String SUFFIX = ".snap";
    private static final int MAGIC = 0x4D4E534E;
    private static final byte VERSION = 3;
    private static final byte VERSION_WITHOUT_KIND = 2;
    private static final byte VERSION_WITHOUT_METADATA = 1;
    private static final int HEADER_BYTES = 9;
    private static final byte KIND_VALUE = 0;
    private static final byte KIND_PAGES = 1;

    private SnapshotFile() {
    }

    static String name(long sequenceNr, long timestamp) {
        return String.format("%s%020d-%020d%s", PREFIX, sequenceNr, timestamp, SUFFIX);
    }

    /** Metadata encoded in a file name, or null if the file is not a snapshot. */
    static SnapshotMetadata parse(String persistenceId, Path file) {
        String name = file.getFileName().toString();
        if (name.length() != PREFIX.length() + 41 + SUFFIX.length() || !name.startsWith(PREFIX)
                || !name.endsWith(SUFFIX) || name.charAt(PREFIX.length() + 20) != '-') {
            return null;
        }
        try {
            long seq = Long.parseLong(name, PREFIX.length(), PREFIX.length() + 20, 10);
            long ts = Long.parseLong(name, PREFIX.length() + 21, PREFIX.length() + 41, 10);
            return SnapshotMetadata.apply(persistenceId, seq, ts);
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /** An object as Pekko serialization produced it. */
    record Value(int serializerId, String manifest, byte[] bytes) {
    }

    /**
     * The parts of a file holding {@code snapshot} (a {@link Value} or a {@link PagedSnapshot})
     * and its optional metadata (null if none). Pages are parts as they are, not copied.
     */
    static byte[][] encode(Object snapshot, Value metadata) {
        List<byte[]> body = new ArrayList<>();
        if (snapshot instanceof PagedSnapshot paged) {
            body.add(ByteBuffer.allocate(5).put(KIND_PAGES).putInt(paged.pages().size()).array());
            for (byte[] page : paged.pages()) {
                body.add(ByteBuffer.allocate(4).putInt(page.length).array());
                body.add(page);
            }
        } else {
            Value v = (Value) snapshot;
            body.addAll(List.of(new byte[] {KIND_VALUE}, fields(v), v.bytes()));
        }
        if (metadata == null) {
            body.add(new byte[] {0});
        } else {
            body.addAll(List.of(new byte[] {1}, fields(metadata), metadata.bytes()));
        }
        CRC32C crc = new CRC32C();
        body.forEach(crc::update);
        body.add(0, ByteBuffer.allocate(HEADER_BYTES).putInt(MAGIC).put(VERSION).putInt((int) crc.getValue()).array());
        return body.toArray(new byte[0][]);
    }

    /** A value's fields up to its bytes. */
    private static byte[] fields(Value v) {
        byte[] m = v.manifest().getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(4 + 4 + m.length + 4)
                .putInt(v.serializerId()).putInt(m.length).put(m).putInt(v.bytes().length)
                .array();
    }

    /**
     * A decoded snapshot file: {@code snapshot} is a {@link Value} or a {@link PagedSnapshot};
     * {@code metadata} is null when the snapshot has none.
     */
    record Content(Object snapshot, Value metadata) {
    }

    /**
     * Reads a snapshot file, streaming: its checksum is verified in a first pass, so damage is
     * reported as such and no length read from a damaged file sizes an allocation.
     */
    static Content read(Path file) throws IOException {
        long size = Files.size(file);
        int version;
        try (DataInputStream in = open(file)) {
            if (size < HEADER_BYTES || in.readInt() != MAGIC) {
                throw new IOException("snapshot file " + file + " does not start with the snapshot magic number");
            }
            version = in.readByte();
            if (version != VERSION && version != VERSION_WITHOUT_KIND && version != VERSION_WITHOUT_METADATA) {
                throw new IOException("snapshot file " + file + " has unknown format version " + version);
            }
            int storedCrc = in.readInt();
            CRC32C crc = new CRC32C();
            byte[] buf = new byte[1 << 16];
            for (int n; (n = in.read(buf)) > 0; ) crc.update(buf, 0, n);
            if ((int) crc.getValue() != storedCrc) {
                throw new IOException("snapshot file " + file + " is corrupt: CRC32C mismatch");
            }
        }
        try (DataInputStream in = open(file)) {
            in.skipNBytes(HEADER_BYTES);
            Object snapshot;
            if (version == VERSION) {
                byte kind = in.readByte();
                if (kind == KIND_PAGES) {
                    snapshot = pages(in);
                } else if (kind == KIND_VALUE) {
                    snapshot = value(in);
                } else {
                    throw new IOException("snapshot file " + file + " has an unknown snapshot kind " + kind);
                }
            } else {
                snapshot = value(in);
            }
            Value metadata = null;
            if (version != VERSION_WITHOUT_METADATA) {
                byte hasMetadata = in.readByte();
                if (hasMetadata == 1) {
                    metadata = value(in);
                } else if (hasMetadata != 0) {
                    throw new IOException("snapshot file " + file + " has a bad metadata flag " + hasMetadata);
                }
            }
            if (in.read() != -1) {
                throw new IOException("snapshot file " + file + " has trailing bytes");
            }
            return new Content(snapshot, metadata);
        } catch (EOFException | NegativeArraySizeException e) {
            throw new IOException("snapshot file " + file + " is truncated", e);
        }
    }

    private static DataInputStream open(Path file) throws IOException {
        InputStream raw = Files.newInputStream(file);
        return new DataInputStream(new BufferedInputStream(raw, 1 << 16));
    }

    private static Value value(DataInputStream in) throws IOException {
        int serializerId = in.readInt();
        byte[] manifest = bytes(in);
        byte[] bytes = bytes(in);
        return new Value(serializerId, new String(manifest, StandardCharsets.UTF_8), bytes);
    }

    private static PagedSnapshot pages(DataInputStream in) throws IOException {
        int count = in.readInt();
        if (count < 0) throw new IOException("negative page count " + count);
        List<byte[]> pages = new ArrayList<>(Math.min(count, 1 << 16));
        for (int i = 0; i < count; i++) pages.add(bytes(in));
        return new PagedSnapshot(pages);
    }

    /** An int32 length, then that many bytes; the checksum passed, so the length is what was written. */
    private static byte[] bytes(DataInputStream in) throws IOException {
        byte[] b = new byte[in.readInt()];
        in.readFully(b);
        return b;
    }
}
