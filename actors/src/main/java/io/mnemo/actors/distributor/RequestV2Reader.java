package io.mnemo.actors.distributor;

import io.mnemo.actors.ingest.MetricTypes;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A cursor over an uncompressed protobuf {@code io.prometheus.write.v2.Request} (remote write 2.0)
 * that walks the wire format in place, for the distributor. {@link #reset} indexes the symbol table
 * ({@code symbols}, field 4) as byte ranges; {@link #nextSeries} moves to the next
 * {@code TimeSeries} (field 5) and indexes it as a {@link RemoteWriteSeries}: each label is the
 * byte ranges of the symbols its {@code labels_refs} name, so validation and sharding read 2.0
 * series exactly as 1.0 ones, with nothing copied or allocated per series or sample.
 *
 * <p>Labels are sorted by name here, as Prometheus 3's and Mimir's receivers sort them: the spec
 * asks senders to sort, but senders that build label sets from maps do not. Float samples
 * (field 2) are decoded, native histogram samples (field 3) kept as byte ranges, exemplars (field
 * 4) decoded with their label refs resolved to symbol ranges; the series' metadata (field 5: type, help and unit refs resolved to ranges) and
 * {@code created_timestamp} (field 6) are kept.
 *
 * <p>Besides wire damage, what breaks the 2.0 spec's rules refuses the request whole with a
 * {@link RemoteWriteException} naming the field: a first symbol that is not "", an odd number of
 * label refs, a ref (label, help or unit) outside the symbol table, and remote write 1.0's
 * {@code WriteRequest} fields 1 to 3 (a 1.0 body sent as 2.0 would otherwise read as empty).
 * Not thread-safe.
 */
public final class RequestV2Reader extends RemoteWriteSeries {
    private int next; // where the next top-level field of the request starts
    private boolean inSeries; // for error messages: is p inside the series being indexed

    private int[] symbolOffset = new int[256];
    private int[] symbolLength = new int[256];
    private int symbolCount;

    private int[] refs = new int[32];
    private int refCount;
    private boolean hasMetadata;
    private int metadataType;
    private int helpRef;
    private int unitRef;
    private long createdTimestamp;

    /**
     * Points the reader at {@code buf[offset, offset+length)}, before its first series, and
     * indexes the request's symbol table.
     *
     * @throws RemoteWriteException if the request is malformed or its first symbol is not ""
     */
    public RequestV2Reader reset(byte[] buf, int offset, int length) {
        point(buf, offset, length);
        symbolCount = 0;
        inSeries = false;
        seriesIndex = -1;
        p = start;
        while (p < end) {
            int at = p;
            int tag = readTag(end);
            int field = tag >>> 3;
            if (field >= 1 && field <= 3) {
                throw malformed("field " + field + " is remote write 1.0's WriteRequest."
                        + (field == 1 ? "timeseries" : field == 3 ? "metadata" : "field 2")
                        + ", which io.prometheus.write.v2.Request reserves: is this a remote write 1.0 body sent with"
                        + " Content-Type proto=io.prometheus.write.v2.Request?", at);
            }
            if (field == 4) {
                expectWire(tag & 7, WIRE_LEN, "Request.symbols (field 4)");
                int len = readLength(end);
                if (symbolCount == symbolOffset.length) {
                    symbolOffset = Arrays.copyOf(symbolOffset, symbolCount * 2);
                    symbolLength = Arrays.copyOf(symbolLength, symbolCount * 2);
                }
                if (symbolCount == 0 && len != 0) {
                    throw malformed("Request.symbols (field 4) must start with the empty string, but symbols[0] is \""
                            + new String(buf, p, Math.min(len, 200), StandardCharsets.UTF_8) + "\"", at);
                }
                symbolOffset[symbolCount] = p;
                symbolLength[symbolCount++] = len;
                p += len;
            } else {
                skipField(field, tag & 7, end);
            }
        }
        rewind();
        return this;
    }

    public RequestV2Reader reset(byte[] buf) {
        return reset(buf, 0, buf.length);
    }

    @Override
    public void rewind() {
        next = start;
        inSeries = false;
        seriesIndex = -1;
        clearV2();
    }

    @Override
    public boolean nextSeries() {
        while (next < end) {
            p = next;
            int tag = readTag(end);
            if (tag >>> 3 == 5) {
                expectWire(tag & 7, WIRE_LEN, "Request.timeseries (field 5)");
                int len = readLength(end);
                int body = p;
                seriesIndex++;
                inSeries = true;
                parseSeries(body, body + len);
                inSeries = false;
                next = body + len;
                return true;
            }
            skipField(tag >>> 3, tag & 7, end);
            next = p;
        }
        clearV2();
        return false;
    }

    // ---- the request and the current series' 2.0 fields ---------------------------------------

    /** Entries of the request's symbol table, "" included. */
    public int symbolCount() { return symbolCount; }

    /** Whether the current series carries a {@code metadata} field. */
    public boolean hasMetadata() { return hasMetadata; }

    /** The metric type as remote write's enum number (0 unspecified, 1 counter, 2 gauge, ...). */
    public int metadataType() { return metadataType; }

    // A ref of 0 with no symbol table at all is an absent HELP or unit, not a stale range.
    public int metadataHelpOffset() { return helpRef < symbolCount ? symbolOffset[helpRef] : start; }

    public int metadataHelpLength() { return helpRef < symbolCount ? symbolLength[helpRef] : 0; }

    public int metadataUnitOffset() { return unitRef < symbolCount ? symbolOffset[unitRef] : start; }

    public int metadataUnitLength() { return unitRef < symbolCount ? symbolLength[unitRef] : 0; }

    /** The current series' {@code created_timestamp} in ms; 0 when not set (the spec's "unset"). */
    public long createdTimestamp() { return createdTimestamp; }

    // ---- decoding ---------------------------------------------------------------------------

    private void clearV2() {
        clearSeries();
        refCount = 0;
        hasMetadata = false;
        metadataType = helpRef = unitRef = 0;
        createdTimestamp = 0;
    }

    private void parseSeries(int from, int to) {
        clearV2();
        p = from;
        while (p < to) {
            int tag = readTag(to);
            int field = tag >>> 3;
            int wire = tag & 7;
            switch (field) {
                case 1 -> {
                    if (wire == WIRE_VARINT) { // unpacked: one ref per field, as proto3 parsers must accept
                        addRef(readRef(to, "TimeSeries.labels_refs (field 1)"));
                    } else {
                        expectWire(wire, WIRE_LEN, "TimeSeries.labels_refs (field 1)");
                        int len = readLength(to);
                        int stop = p + len;
                        while (p < stop) addRef(readRef(stop, "TimeSeries.labels_refs (field 1)"));
                    }
                }
                case 2 -> {
                    expectWire(wire, WIRE_LEN, "TimeSeries.samples (field 2)");
                    int len = readLength(to);
                    parseSample(p, p + len);
                }
                case 3 -> {
                    expectWire(wire, WIRE_LEN, "TimeSeries.histograms (field 3)");
                    int len = readLength(to);
                    addHistogram(p, len);
                    p += len;
                }
                case 4 -> {
                    expectWire(wire, WIRE_LEN, "TimeSeries.exemplars (field 4)");
                    int len = readLength(to);
                    parseExemplar(p, p + len);
                }
                case 5 -> {
                    expectWire(wire, WIRE_LEN, "TimeSeries.metadata (field 5)");
                    int len = readLength(to);
                    parseMetadata(p, p + len);
                }
                case 6 -> {
                    expectWire(wire, WIRE_VARINT, "TimeSeries.created_timestamp (field 6)");
                    createdTimestamp = readVarint(to);
                }
                default -> skipField(field, wire, to);
            }
        }
        if ((refCount & 1) != 0) {
            throw malformed("TimeSeries.labels_refs (field 1) has " + refCount
                    + " refs, an odd number: labels are pairs of name and value refs", from);
        }
        for (int i = 0; i < refCount; i += 2) {
            int name = refs[i];
            int value = refs[i + 1];
            addLabel(symbolOffset[name], symbolLength[name], symbolOffset[value], symbolLength[value]);
        }
        sortLabels();
    }

    /** {@code Exemplar}: labels_refs (field 1, packed or not), value (2, double), timestamp (3, int64). */
    private void parseExemplar(int from, int to) {
        long bits = 0;
        long timestamp = 0;
        int nameRef = -1;
        p = from;
        while (p < to) {
            int tag = readTag(to);
            int field = tag >>> 3;
            int wire = tag & 7;
            if (field == 1) {
                if (wire == WIRE_VARINT) {
                    nameRef = exemplarRef(nameRef, readRef(to, "Exemplar.labels_refs (field 1)"));
                } else {
                    expectWire(wire, WIRE_LEN, "Exemplar.labels_refs (field 1)");
                    int len = readLength(to);
                    int stop = p + len;
                    while (p < stop) nameRef = exemplarRef(nameRef, readRef(stop, "Exemplar.labels_refs (field 1)"));
                }
            } else if (field == 2) {
                expectWire(wire, WIRE_FIXED64, "Exemplar.value (field 2)");
                bits = readFixed64(to, "a fixed64 value");
            } else if (field == 3) {
                expectWire(wire, WIRE_VARINT, "Exemplar.timestamp (field 3)");
                timestamp = readVarint(to);
            } else {
                skipField(field, wire, to);
            }
        }
        if (nameRef >= 0) {
            throw malformed("Exemplar.labels_refs (field 1) has an odd number of refs: labels are pairs of name and value refs", from);
        }
        addExemplar(timestamp, bits);
    }

    /** Takes an exemplar's next label ref: a name waits for its value (returned), a value adds the label (-1). */
    private int exemplarRef(int nameRef, int ref) {
        if (nameRef < 0) return ref;
        addExemplarLabel(symbolOffset[nameRef], symbolLength[nameRef], symbolOffset[ref], symbolLength[ref]);
        return -1;
    }

    private void addRef(int ref) {
        if (refCount == refs.length) refs = Arrays.copyOf(refs, refCount * 2);
        refs[refCount++] = ref;
    }

    private int readRef(int limit, String field) {
        int at = p;
        long ref = readVarint(limit);
        if (ref < 0 || ref >= symbolCount) {
            throw malformed(field + " refers to symbol " + Long.toUnsignedString(ref) + ", but Request.symbols has "
                    + symbolCount + (symbolCount == 1 ? " entry" : " entries"), at);
        }
        return (int) ref;
    }

    private void parseMetadata(int from, int to) {
        hasMetadata = true;
        p = from;
        while (p < to) {
            int tag = readTag(to);
            int field = tag >>> 3;
            int wire = tag & 7;
            if (field == 1) {
                expectWire(wire, WIRE_VARINT, "Metadata.type (field 1)");
                long t = readVarint(to);
                metadataType = MetricTypes.defined(t) ? (int) t : 0;
            } else if (field == 3) {
                expectWire(wire, WIRE_VARINT, "Metadata.help_ref (field 3)");
                helpRef = readRef(to, "Metadata.help_ref (field 3)");
            } else if (field == 4) {
                expectWire(wire, WIRE_VARINT, "Metadata.unit_ref (field 4)");
                unitRef = readRef(to, "Metadata.unit_ref (field 4)");
            } else {
                skipField(field, wire, to);
            }
        }
    }

    @Override
    protected RemoteWriteException malformed(String what, int at) {
        String where = inSeries ? " (time series #" + seriesIndex + ")" : "";
        return new RemoteWriteException("malformed remote write 2.0 request: " + what + " at byte " + (at - start) + where);
    }
}
