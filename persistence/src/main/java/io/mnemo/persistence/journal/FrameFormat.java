package io.mnemo.persistence.journal;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * Layout of a segment file: a sequence of frames, each
 *
 * <pre>
 *   int32  body length (bytes, &gt; 0)
 *   int32  CRC32C of the body
 *   body:  int8   format version (1)
 *          int32  record count (&gt; 0)
 *          record*
 * record:  int64  sequence nr         int64 timestamp
 *          str    persistence id      str   writer uuid     str manifest (event adapter's)
 *          value  event               int8  has metadata    [value metadata]
 * value:   int32  serializer id       str   serializer manifest
 *          int32  byte length         bytes
 * str:     int32  byte length         UTF-8 bytes
 * </pre>
 *
 * <p>A frame holds one or more whole {@code AtomicWrite}s of one persistence id, so a frame's CRC
 * makes the write atomic: a torn frame is dropped as a whole. All integers are big-endian.
 */
final class FrameFormat {

    static final int HEADER_BYTES = 8;
    static final byte VERSION = 1;
    private static final int BODY_PREFIX_BYTES = 5;

    private FrameFormat() {
    }

    /** A record encoded for writing; its event payload is referenced, not copied. */
    record EncodedRecord(long sequenceNr, ByteBuffer[] parts, int size) {
    }

    /** Frame bytes ready for a gathering write. */
    record EncodedFrame(long firstSequenceNr, long lastSequenceNr, ByteBuffer[] buffers, long size) {
    }

    static EncodedRecord encodeRecord(JournalRecord r) {
        byte[] pid = utf8(r.persistenceId());
        byte[] writer = utf8(r.writerUuid());
        byte[] manifest = utf8(r.manifest());
        byte[] eventManifest = utf8(r.event().manifest());
        ByteBuffer head = ByteBuffer.allocate(8 + 8 + 4 + pid.length + 4 + writer.length + 4 + manifest.length
                + 4 + 4 + eventManifest.length + 4);
        head.putLong(r.sequenceNr()).putLong(r.timestamp());
        putStr(head, pid);
        putStr(head, writer);
        putStr(head, manifest);
        head.putInt(r.event().serializerId());
        putStr(head, eventManifest);
        head.putInt(r.event().bytes().length).flip();

        ByteBuffer tail;
        SerializedValue meta = r.metadata();
        if (meta == null) {
            tail = ByteBuffer.allocate(1).put((byte) 0);
        } else {
            byte[] metaManifest = utf8(meta.manifest());
            tail = ByteBuffer.allocate(1 + 4 + 4 + metaManifest.length + 4 + meta.bytes().length);
            tail.put((byte) 1).putInt(meta.serializerId());
            putStr(tail, metaManifest);
            tail.putInt(meta.bytes().length).put(meta.bytes());
        }
        tail.flip();
        ByteBuffer payload = ByteBuffer.wrap(r.event().bytes());
        long size = (long) head.remaining() + payload.remaining() + tail.remaining();
        if (size > Integer.MAX_VALUE - HEADER_BYTES - BODY_PREFIX_BYTES) {
            throw new IllegalArgumentException("event of " + size + " bytes is too large for a journal frame");
        }
        return new EncodedRecord(r.sequenceNr(), new ByteBuffer[] {head, payload, tail}, (int) size);
    }

    /** Size of the frame that would hold records of {@code recordBytes} bytes in total. */
    static long frameSize(long recordBytes) {
        return HEADER_BYTES + BODY_PREFIX_BYTES + recordBytes;
    }

    /** Frames {@code records} (consecutive, ascending) into one frame. */
    static EncodedFrame frame(List<EncodedRecord> records) {
        if (records.isEmpty()) {
            throw new IllegalArgumentException("a frame holds at least one record");
        }
        ByteBuffer prefix = ByteBuffer.allocate(BODY_PREFIX_BYTES).put(VERSION).putInt(records.size()).flip();
        CRC32C crc = new CRC32C();
        crc.update(prefix.duplicate());
        long bodyLength = BODY_PREFIX_BYTES;
        ByteBuffer[] buffers = new ByteBuffer[2 + records.size() * 3];
        int n = 2;
        for (EncodedRecord r : records) {
            for (ByteBuffer part : r.parts()) {
                crc.update(part.duplicate());
                buffers[n++] = part.duplicate();
            }
            bodyLength += r.size();
        }
        if (bodyLength > Integer.MAX_VALUE - HEADER_BYTES) {
            throw new IllegalArgumentException("frame body of " + bodyLength + " bytes exceeds the format's limit");
        }
        buffers[0] = ByteBuffer.allocate(HEADER_BYTES).putInt((int) bodyLength).putInt((int) crc.getValue()).flip();
        buffers[1] = prefix;
        return new EncodedFrame(records.get(0).sequenceNr(), records.get(records.size() - 1).sequenceNr(),
                buffers, HEADER_BYTES + bodyLength);
    }

    /**
     * Walks the records of a frame body without copying event bytes until asked to. Throws
     * {@link IllegalArgumentException} when the body is not well formed.
     */
    static final class Cursor {
        private final ByteBuffer body;
        private int remaining;
        private long sequenceNr;
        private long timestamp;
        private int fieldsStart;
        private int eventStart;
        private int eventLength;
        private int metaStart;

        Cursor(byte[] body, int length) {
            this.body = ByteBuffer.wrap(body, 0, length);
            try {
                byte version = this.body.get();
                if (version != VERSION) {
                    throw new IllegalArgumentException("unknown frame format version " + version);
                }
                remaining = this.body.getInt();
            } catch (BufferUnderflowException e) {
                throw new IllegalArgumentException("frame body shorter than its prefix");
            }
            if (remaining <= 0) {
                throw new IllegalArgumentException("frame declares " + remaining + " records");
            }
        }

        /** Advances to the next record; false once all declared records were read. */
        boolean next() {
            if (remaining == 0) {
                if (body.hasRemaining()) {
                    throw new IllegalArgumentException(body.remaining() + " trailing bytes after the last record");
                }
                return false;
            }
            remaining--;
            try {
                sequenceNr = body.getLong();
                timestamp = body.getLong();
                fieldsStart = body.position();
                skipStr(); // persistence id
                skipStr(); // writer uuid
                skipStr(); // manifest
                body.getInt(); // serializer id
                skipStr(); // serializer manifest
                eventLength = length();
                eventStart = body.position();
                skip(eventLength);
                metaStart = body.position();
                byte hasMeta = body.get();
                if (hasMeta == 1) {
                    body.getInt();
                    skipStr();
                    skip(length());
                } else if (hasMeta != 0) {
                    throw new IllegalArgumentException("bad metadata flag " + hasMeta);
                }
            } catch (BufferUnderflowException e) {
                throw new IllegalArgumentException("record runs past the end of its frame");
            }
            return true;
        }

        long sequenceNr() {
            return sequenceNr;
        }

        /** Decodes the current record, copying its event and metadata bytes. */
        JournalRecord record() {
            ByteBuffer b = body.duplicate();
            b.position(fieldsStart);
            String pid = getStr(b);
            String writer = getStr(b);
            String manifest = getStr(b);
            int serializerId = b.getInt();
            String eventManifest = getStr(b);
            byte[] event = new byte[eventLength];
            b.position(eventStart).get(event);
            b.position(metaStart);
            SerializedValue meta = null;
            if (b.get() == 1) {
                int metaSerializer = b.getInt();
                String metaManifest = getStr(b);
                byte[] metaBytes = new byte[b.getInt()];
                b.get(metaBytes);
                meta = new SerializedValue(metaSerializer, metaManifest, metaBytes);
            }
            return new JournalRecord(sequenceNr, timestamp, pid, writer, manifest,
                    new SerializedValue(serializerId, eventManifest, event), meta);
        }

        private int length() {
            int n = body.getInt();
            if (n < 0 || n > body.remaining()) {
                throw new IllegalArgumentException("field length " + n + " exceeds the frame");
            }
            return n;
        }

        private void skip(int n) {
            body.position(body.position() + n);
        }

        private void skipStr() {
            skip(length());
        }
    }

    private static byte[] utf8(String s) {
        return s == null ? new byte[0] : s.getBytes(StandardCharsets.UTF_8);
    }

    private static void putStr(ByteBuffer b, byte[] s) {
        b.putInt(s.length).put(s);
    }

    private static String getStr(ByteBuffer b) {
        int n = b.getInt();
        String s = new String(b.array(), b.arrayOffset() + b.position(), n, StandardCharsets.UTF_8);
        b.position(b.position() + n);
        return s;
    }
}
