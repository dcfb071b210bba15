package io.mnemo.persistence.journal;

import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.zip.CRC32C;

/**
 * Reads the frames of one segment in order, verifying each frame's length, CRC32C and structure.
 * Holds one frame in memory at a time (its buffer is reused), so replay memory is bounded by the
 * largest frame, not by the segment.
 */
final class SegmentReader implements Closeable {

    /** A frame that failed verification; {@code end} is where it claims to end, or -1 if unknown. */
    static final class BadFrameException extends Exception {
        final long offset;
        final long end;

        BadFrameException(long offset, long end, String reason) {
            super(reason, null, false, false);
            this.offset = offset;
            this.end = end;
        }
    }

    /** The frame last read; valid until the next call to {@link #next()}. */
    static final class Frame {
        long offset;
        byte[] body;
        int length;
        long firstSequenceNr;
        long lastSequenceNr;
        int records;

        FrameFormat.Cursor cursor() {
            return new FrameFormat.Cursor(body, length);
        }
    }

    private final Path file;
    private final FileChannel channel;
    private final long limit;
    private final ByteBuffer header = ByteBuffer.allocate(FrameFormat.HEADER_BYTES);
    private final CRC32C crc = new CRC32C();
    private final Frame frame = new Frame();
    private long position;
    private long previousSequenceNr;

    /** Reads {@code file} up to {@code limit} bytes (its committed size), or to its end if smaller. */
    SegmentReader(Path file, long limit) throws IOException {
        this.file = file;
        this.channel = FileChannel.open(file, StandardOpenOption.READ);
        this.limit = Math.min(limit, channel.size());
        this.frame.body = new byte[0];
    }

    Path file() {
        return file;
    }

    /** Offset of the next frame. */
    long position() {
        return position;
    }

    /** Bytes this reader may read. */
    long limit() {
        return limit;
    }

    /** The next verified frame, or null at the end. */
    Frame next() throws IOException, BadFrameException {
        if (position == limit) {
            return null;
        }
        long offset = position;
        if (limit - offset < FrameFormat.HEADER_BYTES) {
            throw new BadFrameException(offset, -1, "only " + (limit - offset) + " bytes left for an 8-byte frame header");
        }
        header.clear();
        readFully(header, offset);
        header.flip();
        int length = header.getInt();
        int storedCrc = header.getInt();
        if (length <= 0) {
            throw new BadFrameException(offset, -1, "frame length " + length + " is not positive");
        }
        long end = offset + FrameFormat.HEADER_BYTES + length;
        if (end > limit) {
            throw new BadFrameException(offset, end, "frame of " + length + " bytes runs past the end of the file ("
                    + limit + " bytes)");
        }
        if (frame.body.length < length) {
            frame.body = new byte[length];
        }
        readFully(ByteBuffer.wrap(frame.body, 0, length), offset + FrameFormat.HEADER_BYTES);
        crc.reset();
        crc.update(frame.body, 0, length);
        if ((int) crc.getValue() != storedCrc) {
            throw new BadFrameException(offset, end, String.format("CRC32C mismatch (stored %08x, computed %08x)",
                    storedCrc, (int) crc.getValue()));
        }
        frame.offset = offset;
        frame.length = length;
        verifyRecords(offset, end);
        position = end;
        return frame;
    }

    /** Checks structure and that sequence numbers ascend, within the frame and from the previous one. */
    private void verifyRecords(long offset, long end) throws BadFrameException {
        try {
            FrameFormat.Cursor cursor = frame.cursor();
            long first = -1;
            long last = previousSequenceNr;
            int records = 0;
            while (cursor.next()) {
                records++;
                long seq = cursor.sequenceNr();
                if (seq <= last) {
                    throw new BadFrameException(offset, end, "sequence number " + seq + " does not follow " + last);
                }
                if (first < 0) {
                    first = seq;
                }
                last = seq;
            }
            frame.firstSequenceNr = first;
            frame.lastSequenceNr = last;
            frame.records = records;
            previousSequenceNr = last;
        } catch (IllegalArgumentException e) {
            throw new BadFrameException(offset, end, "malformed frame body: " + e.getMessage());
        }
    }

    private void readFully(ByteBuffer dst, long at) throws IOException {
        while (dst.hasRemaining()) {
            int n = channel.read(dst, at);
            if (n < 0) {
                throw new EOFException("unexpected end of " + file + " at offset " + at);
            }
            at += n;
        }
    }

    /**
     * True if a valid frame with records above {@code previousSequenceNr} starts anywhere after
     * {@code from}. Used once a bad frame was found, to tell a torn tail (garbage up to the end)
     * from damage in the middle (valid data follows), even when the damage hit a length field and
     * frame boundaries are lost.
     */
    boolean validFrameFollows(long from, long previousSequenceNr) throws IOException {
        return findValidFrame(from, previousSequenceNr) >= 0;
    }

    /**
     * Offset of the first valid frame with records above {@code previousSequenceNr} at or after
     * {@code from}, or -1. Candidates must pass cheap structural checks before the CRC.
     */
    long findValidFrame(long from, long previousSequenceNr) throws IOException {
        long span = limit - from;
        int minFrame = FrameFormat.HEADER_BYTES + 5 + 16;
        if (span < minFrame) {
            return -1;
        }
        if (span > Integer.MAX_VALUE - 8) {
            throw new IOException("cannot verify " + span + " bytes after offset " + from + " of " + file);
        }
        byte[] tail = new byte[(int) span];
        readFully(ByteBuffer.wrap(tail), from);
        ByteBuffer b = ByteBuffer.wrap(tail);
        for (int p = 0; p + minFrame <= tail.length; p++) {
            int length = b.getInt(p);
            if (length < 5 + 16 || length > tail.length - p - FrameFormat.HEADER_BYTES) {
                continue;
            }
            int body = p + FrameFormat.HEADER_BYTES;
            if (tail[body] != FrameFormat.VERSION) {
                continue;
            }
            int count = b.getInt(body + 1);
            long firstSeq = b.getLong(body + 5);
            if (count <= 0 || count > length / 16 || firstSeq <= previousSequenceNr) {
                continue;
            }
            crc.reset();
            crc.update(tail, body, length);
            if ((int) crc.getValue() == b.getInt(p + 4)) {
                return from + p;
            }
        }
        return -1;
    }

    /**
     * Counts the records of the valid frames at or after {@code from}, skipping over damage. A
     * repair uses it to report what it drops; records inside damaged frames cannot be counted.
     */
    long countRecordsFrom(long from) throws IOException {
        long count = 0;
        long at = findValidFrame(from, 0);
        while (at >= 0) {
            position = at;
            previousSequenceNr = 0;
            try {
                Frame f;
                while ((f = next()) != null) {
                    count += f.records;
                }
                return count;
            } catch (BadFrameException bad) {
                at = findValidFrame(bad.offset + 1, 0);
            }
        }
        return count;
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
