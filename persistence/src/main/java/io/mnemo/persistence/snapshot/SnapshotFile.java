package io.mnemo.persistence.snapshot;

import java.io.IOException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.zip.CRC32C;
import org.apache.pekko.persistence.SnapshotMetadata;

/**
 * Name and content of one snapshot file. The name carries the metadata, so selecting a snapshot
 * needs only a directory listing: {@code snapshot-<seq nr, 20 digits>-<timestamp, 20 digits>.snap}.
 * Content:
 *
 * <pre>
 *   int32 magic 'MNSN'   int8 version (1)   int32 CRC32C of what follows
 *   int32 serializer id  int32 manifest length, UTF-8 manifest   int32 length, snapshot bytes
 * </pre>
 */
final class SnapshotFile {

    private static final String PREFIX = "snapshot-";
    private static final String SUFFIX = ".snap";
    private static final int MAGIC = 0x4D4E534E;
    private static final byte VERSION = 1;
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

    /** The serialized snapshot as the parts of a file. */
    static byte[][] encode(int serializerId, String manifest, byte[] snapshot) {
        byte[] m = manifest.getBytes(StandardCharsets.UTF_8);
        ByteBuffer fields = ByteBuffer.allocate(4 + 4 + m.length + 4)
                .putInt(serializerId).putInt(m.length).put(m).putInt(snapshot.length);
        CRC32C crc = new CRC32C();
        crc.update(fields.array());
        crc.update(snapshot);
        ByteBuffer header = ByteBuffer.allocate(HEADER_BYTES).putInt(MAGIC).put(VERSION).putInt((int) crc.getValue());
        return new byte[][] {header.array(), fields.array(), snapshot};
    }

    /** Serializer id, manifest and bytes of a snapshot file's content. */
    record Content(int serializerId, String manifest, byte[] bytes) {
    }

    static Content decode(Path file, byte[] content) throws IOException {
        try {
            ByteBuffer b = ByteBuffer.wrap(content);
            if (b.getInt() != MAGIC) {
                throw new IOException("snapshot file " + file + " does not start with the snapshot magic number");
            }
            byte version = b.get();
            if (version != VERSION) {
                throw new IOException("snapshot file " + file + " has unknown format version " + version);
            }
            int storedCrc = b.getInt();
            CRC32C crc = new CRC32C();
            crc.update(content, HEADER_BYTES, content.length - HEADER_BYTES);
            if ((int) crc.getValue() != storedCrc) {
                throw new IOException("snapshot file " + file + " is corrupt: CRC32C mismatch");
            }
            int serializerId = b.getInt();
            byte[] manifest = new byte[b.getInt()];
            b.get(manifest);
            byte[] bytes = new byte[b.getInt()];
            b.get(bytes);
            return new Content(serializerId, new String(manifest, StandardCharsets.UTF_8), bytes);
        } catch (BufferUnderflowException | NegativeArraySizeException e) {
            throw new IOException("snapshot file " + file + " is truncated", e);
        }
    }
}
