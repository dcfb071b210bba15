package io.mnemo.actors.distributor;

import java.nio.charset.StandardCharsets;

/**
 * Reads the metric metadata of a remote-write {@code WriteRequest} (field 3, {@code MetricMetadata}:
 * type, family name, help, unit), skipping the time series. The distributor routes it to
 * partitions by family, into the ingest records. Not thread-safe; reusable.
 */
public final class MetadataReader {
    /** Prometheus's metric types, in the order of the protobuf enum. */
    private static final String[] TYPES = {"unknown", "counter", "gauge", "histogram", "gaugehistogram", "summary",
            "info", "stateset"};

    private byte[] buf;
    private int p;
    private int end;

    private int typeNumber;
    private String type;
    private String family;
    private String help;
    private String unit;

    public MetadataReader reset(byte[] buf, int offset, int length) {
        this.buf = buf;
        this.p = offset;
        this.end = offset + length;
        return this;
    }

    /** Moves to the next metadata entry; false when there is none. */
    public boolean next() {
        while (p < end) {
            long tag = varint();
            int field = (int) (tag >>> 3);
            int wire = (int) (tag & 7);
            if (wire != 2) {
                skip(wire);
                continue;
            }
            int len = (int) varint();
            int bodyStart = p;
            if (len < 0 || bodyStart + len > end) throw new RemoteWriteException("malformed write request: metadata length past the end");
            p = bodyStart + len;
            if (field != 3) continue;
            parse(bodyStart, p);
            return true;
        }
        return false;
    }

    private void parse(int from, int to) {
        typeNumber = 0;
        type = TYPES[0];
        family = help = unit = "";
        int save = p, saveEnd = end;
        p = from;
        end = to;
        while (p < end) {
            long tag = varint();
            int field = (int) (tag >>> 3);
            int wire = (int) (tag & 7);
            if (field == 1 && wire == 0) {
                long t = varint();
                typeNumber = t >= 0 && t < TYPES.length ? (int) t : 0;
                type = TYPES[typeNumber];
            } else if (wire == 2 && (field == 2 || field == 4 || field == 5)) {
                int len = (int) varint();
                if (len < 0 || p + len > end) throw new RemoteWriteException("malformed write request: metadata string past the end");
                String s = new String(buf, p, len, StandardCharsets.UTF_8);
                p += len;
                if (field == 2) family = s;
                else if (field == 4) help = s;
                else unit = s;
            } else {
                skip(wire);
            }
        }
        p = save;
        end = saveEnd;
    }

    public byte[] buffer() { return buf; }

    public String type() { return type; }

    /** The type as remote write's enum number (0 unknown, 1 counter, 2 gauge, ...). */
    public int typeNumber() { return typeNumber; }

    /** The name of a metric type number, "unknown" for numbers Prometheus does not define. */
    public static String typeName(int number) {
        return number >= 0 && number < TYPES.length ? TYPES[number] : TYPES[0];
    }

    public String family() { return family; }

    public String help() { return help; }

    public String unit() { return unit; }

    private long varint() {
        long v = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            if (p >= end) throw new RemoteWriteException("malformed write request: truncated varint in metadata");
            byte b = buf[p++];
            v |= (long) (b & 0x7f) << shift;
            if (b >= 0) return v;
        }
        throw new RemoteWriteException("malformed write request: varint too long in metadata");
    }

    private void skip(int wire) {
        switch (wire) {
            case 0 -> varint();
            case 1 -> p += 8;
            case 2 -> p += (int) varint();
            case 5 -> p += 4;
            default -> throw new RemoteWriteException("malformed write request: unexpected wire type " + wire);
        }
        if (p > end) throw new RemoteWriteException("malformed write request: field past the end");
    }
}
