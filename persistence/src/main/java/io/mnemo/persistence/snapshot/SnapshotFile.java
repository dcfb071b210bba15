package io.mnemo.persistence.snapshot;

import java.io.IOException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
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
 * sourcing), each as Pekko serialization produced it:
 *
 * <pre>
 *   int32 magic 'MNSN'   int8 version (2)   int32 CRC32C of what follows
 *   value snapshot       int8 has metadata   [value metadata]
 * value: int32 serializer id   int32 manifest length, UTF-8 manifest   int32 length, bytes
 * </pre>
 *
 * <p>Version 1 files (no metadata flag, nothing after the snapshot) are still read.
 */
final class SnapshotFile {

    private static final String PREFIX = "snapshot-";
    private static final String SUFFIX = ".snap";
    private static final int MAGIC = 0x4D4E534E;
    private static final byte VERSION = 2;
    private static final byte VERSION_WITHOUT_METADATA = 1;
    private static final int HEADER_BYTES = 9;

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

    /** The serialized snapshot and its optional metadata (null if none) as the parts of a file. */
    static byte[][] encode(Value snapshot, Value metadata) {
        List<byte[]> body = new ArrayList<>(List.of(fields(snapshot), snapshot.bytes()));
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

    /** A decoded snapshot file; {@code metadata} is null when the snapshot has none. */
    record Content(Value snapshot, Value metadata) {
    }

    static Content decode(Path file, byte[] content) throws IOException {
        try {
            ByteBuffer b = ByteBuffer.wrap(content);
            if (b.getInt() != MAGIC) {
                throw new IOException("snapshot file " + file + " does not start with the snapshot magic number");
            }
            byte version = b.get();
            if (version != VERSION && version != VERSION_WITHOUT_METADATA) {
                throw new IOException("snapshot file " + file + " has unknown format version " + version);
            }
            int storedCrc = b.getInt();
            CRC32C crc = new CRC32C();
            crc.update(content, HEADER_BYTES, content.length - HEADER_BYTES);
            if ((int) crc.getValue() != storedCrc) {
                throw new IOException("snapshot file " + file + " is corrupt: CRC32C mismatch");
            }
            Value snapshot = value(b);
            Value metadata = null;
            if (version == VERSION) {
                byte hasMetadata = b.get();
                if (hasMetadata == 1) {
                    metadata = value(b);
                } else if (hasMetadata != 0) {
                    throw new IOException("snapshot file " + file + " has a bad metadata flag " + hasMetadata);
                }
            }
            if (b.hasRemaining()) {
                throw new IOException("snapshot file " + file + " has " + b.remaining() + " trailing bytes");
            }
            return new Content(snapshot, metadata);
        } catch (BufferUnderflowException | NegativeArraySizeException e) {
            throw new IOException("snapshot file " + file + " is truncated", e);
        }
    }

    private static Value value(ByteBuffer b) {
        int serializerId = b.getInt();
        byte[] manifest = new byte[b.getInt()];
        b.get(manifest);
        byte[] bytes = new byte[b.getInt()];
        b.get(bytes);
        return new Value(serializerId, new String(manifest, StandardCharsets.UTF_8), bytes);
    }
}
