package io.mnemo.actors.ingest;

import java.nio.ByteBuffer;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeader;

/**
 * The format version of an ingest record, carried beside it in the Kafka record header
 * {@value #HEADER} as a 4-byte big-endian int (where Mimir puts its own). Kafka keeps records
 * longer than any node runs, so an ingester must read every version a distributor ever wrote, and
 * refuse, not misread, one it does not know.
 *
 * <p>Versions (the grammar of each is in this package's documentation):
 * <ul>
 *   <li>1: a remote write 2.0 {@code Request} ({@link IngestRecordWriter}). Every record written
 *       before the header existed carries none and is version 1; so is every ingest record in a
 *       journal ({@code BatchConsumed}) or the write-behind log.
 * </ul>
 */
public final class RecordVersion {
    /** The header's key. */
    public static final String HEADER = "Version";
    /** The format the partition writer writes. */
    public static final int CURRENT = 1;
    /** The version of a record without the header: what distributors wrote before there was one. */
    public static final int UNVERSIONED = 1;
    /** What {@link #of} gives for a header that is not a 4-byte int: read as no version at all. */
    public static final int MALFORMED = -1;

    private RecordVersion() {}

    /** The header that marks a record as {@code version}. */
    public static Header header(int version) {
        return new RecordHeader(HEADER, ByteBuffer.allocate(4).putInt(version).array());
    }

    /**
     * The version of a record by its headers (the last {@value #HEADER} one): {@link #UNVERSIONED}
     * without one, {@link #MALFORMED} when its value is not 4 bytes.
     */
    public static int of(Headers headers) {
        Header h = headers == null ? null : headers.lastHeader(HEADER);
        if (h == null) return UNVERSIONED;
        byte[] v = h.value();
        if (v == null || v.length != 4) return MALFORMED;
        return ByteBuffer.wrap(v).getInt();
    }

    /** Whether this build reads records of {@code version}. */
    public static boolean readable(int version) {
        return version == 1;
    }

    /** The version as a log line names it. */
    public static String describe(int version) {
        return version == MALFORMED ? "a malformed " + HEADER + " header (not a 4-byte int)" : "version " + version;
    }
}
