package io.mnemo.actors.distributor;

import io.mnemo.actors.ingest.MetricTypes;
import io.mnemo.actors.wire.ProtobufCursor;
import java.nio.charset.StandardCharsets;

/**
 * Reads the metric metadata of a remote-write {@code WriteRequest} (field 3, {@code MetricMetadata}:
 * type, family name, help, unit), skipping the time series. The distributor validates it
 * ({@link MetadataValidator}) and routes it to partitions by family, into the ingest records.
 * Family, help and unit are byte ranges of the buffer (a HELP of any size costs nothing until it
 * is copied), with String accessors for the slow paths. Not thread-safe; reusable.
 */
public final class MetadataReader extends ProtobufCursor implements MetadataEntry {
    private int end;

    private int typeNumber;
    private int familyOffset, familyLength;
    private int helpOffset, helpLength;
    private int unitOffset, unitLength;

    public MetadataReader reset(byte[] buf, int offset, int length) {
        this.buf = buf;
        this.start = offset;
        this.p = offset;
        this.end = offset + length;
        return this;
    }

    /** Moves to the next metadata entry; false when there is none. */
    public boolean next() {
        while (p < end) {
            int tag = readTag(end);
            if (tag != (3 << 3 | WIRE_LEN)) {
                skipField(tag >>> 3, tag & 7, end);
                continue;
            }
            int len = readLength(end);
            int bodyStart = p;
            p += len;
            parse(bodyStart, p);
            return true;
        }
        return false;
    }

    private void parse(int from, int to) {
        typeNumber = 0;
        familyOffset = helpOffset = unitOffset = from;
        familyLength = helpLength = unitLength = 0;
        int after = p;
        p = from;
        while (p < to) {
            int tag = readTag(to);
            int field = tag >>> 3;
            if (tag == (1 << 3 | WIRE_VARINT)) {
                long t = readVarint(to);
                typeNumber = MetricTypes.defined(t) ? (int) t : 0;
            } else if ((tag & 7) == WIRE_LEN && (field == 2 || field == 4 || field == 5)) {
                int len = readLength(to);
                if (field == 2) {
                    familyOffset = p;
                    familyLength = len;
                } else if (field == 4) {
                    helpOffset = p;
                    helpLength = len;
                } else {
                    unitOffset = p;
                    unitLength = len;
                }
                p += len;
            } else {
                skipField(field, tag & 7, to);
            }
        }
        p = after;
    }

    @Override
    public byte[] buffer() { return buf; }

    public String type() { return MetricTypes.name(typeNumber); }

    /** The type as remote write's enum number (0 unknown, 1 counter, 2 gauge, ...). */
    @Override
    public int typeNumber() { return typeNumber; }

    @Override
    public int familyOffset() { return familyOffset; }

    @Override
    public int familyLength() { return familyLength; }

    @Override
    public int helpOffset() { return helpOffset; }

    @Override
    public int helpLength() { return helpLength; }

    @Override
    public int unitOffset() { return unitOffset; }

    @Override
    public int unitLength() { return unitLength; }

    /** The family name (allocates). */
    @Override
    public String family() { return text(familyOffset, familyLength); }

    /** The HELP text (allocates). */
    public String help() { return text(helpOffset, helpLength); }

    /** The unit (allocates). */
    public String unit() { return text(unitOffset, unitLength); }

    private String text(int offset, int length) {
        return new String(buf, offset, length, StandardCharsets.UTF_8);
    }

    @Override
    protected RemoteWriteException malformed(String what, int at) {
        return new RemoteWriteException("malformed write request: " + what + " at byte " + (at - start) + " (metadata)");
    }
}
