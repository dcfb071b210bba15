package io.mnemo.actors.distributor;


/**
 * A cursor over an uncompressed protobuf {@code prometheus.WriteRequest} (remote write 1.0) that
 * walks the wire format in place, for the distributor.
 *
 * <p>{@link #nextSeries()} moves to the next {@code TimeSeries} (field 1) and indexes it as a
 * {@link RemoteWriteSeries}: labels become byte ranges into the buffer, samples are decoded into
 * reused primitive arrays, so one reader should be reused across requests. Native histograms
 * (TimeSeries field 4) are kept as byte ranges, not decoded; exemplars (field 3) are decoded in
 * place (labels as byte ranges); metadata (WriteRequest field 3) and unknown fields of any wire
 * type are skipped after their framing has been checked.
 *
 * <p>Labels are exposed exactly as sent, including labels with an empty value. Prometheus treats
 * an empty value as an absent label, so consumers (validation, sharding, {@link #labels()}) skip
 * them.
 *
 * <p>Malformed input (truncated varint or length, a length past the end of its message, an invalid
 * or unexpected wire type) throws {@link RemoteWriteException} naming the problem and the byte
 * offset. Not thread-safe.
 */
public final class WriteRequestReader extends RemoteWriteSeries {
    private int next; // where the next top-level field of the request starts
    private boolean inSeries; // for error messages: is p inside the series being indexed

    private int seriesFieldOffset;
    private int seriesOffset;
    private int seriesLength;

    /** Points the reader at {@code buf[offset, offset+length)}, before its first series. */
    public WriteRequestReader reset(byte[] buf, int offset, int length) {
        point(buf, offset, length);
        rewind();
        return this;
    }

    public WriteRequestReader reset(byte[] buf) {
        return reset(buf, 0, buf.length);
    }

    @Override
    public void rewind() {
        next = start;
        inSeries = false;
        seriesIndex = -1;
        clearSeries();
        seriesFieldOffset = seriesOffset = next;
        seriesLength = 0;
    }

    /**
     * Advances to the next time series, skipping any other top-level field.
     *
     * @return false at the end of the request
     * @throws RemoteWriteException if the request is malformed
     */
    @Override
    public boolean nextSeries() {
        while (next < end) {
            p = next;
            int fieldStart = p;
            int tag = readTag(end);
            int field = tag >>> 3;
            int wire = tag & 7;
            if (field == 1) {
                expectWire(wire, WIRE_LEN, "WriteRequest.timeseries (field 1)");
                int len = readLength(end);
                int body = p;
                seriesIndex++;
                seriesFieldOffset = fieldStart;
                seriesOffset = body;
                seriesLength = len;
                inSeries = true;
                parseSeries(body, body + len);
                inSeries = false;
                next = body + len;
                return true;
            }
            if ((field == 4 || field == 5) && wire == WIRE_LEN) { // else a 2.0 body read as 1.0 is an empty request: a silent 200
                throw malformed("field " + field + " is remote write 2.0's io.prometheus.write.v2.Request."
                        + (field == 4 ? "symbols" : "timeseries") + ", which prometheus.WriteRequest does not have: is"
                        + " this a remote write 2.0 body sent without Content-Type proto=io.prometheus.write.v2.Request?",
                        fieldStart);
            }
            skipField(field, wire, end);
            next = p;
        }
        clearSeries();
        seriesFieldOffset = seriesOffset = next;
        seriesLength = 0;
        return false;
    }

    /** Offset of the current TimeSeries message body (without its tag and length prefix). */
    public int seriesOffset() { return seriesOffset; }

    /** Length of the current TimeSeries message body. */
    public int seriesLength() { return seriesLength; }

    /** Offset of the whole field (tag, length varint, body) of the current series. */
    public int seriesFieldOffset() { return seriesFieldOffset; }

    public int seriesFieldLength() { return seriesOffset + seriesLength - seriesFieldOffset; }

    // ---- decoding ---------------------------------------------------------------------------

    private void parseSeries(int from, int to) {
        clearSeries();
        p = from;
        while (p < to) {
            int tag = readTag(to);
            int field = tag >>> 3;
            int wire = tag & 7;
            switch (field) {
                case 1 -> {
                    expectWire(wire, WIRE_LEN, "TimeSeries.labels (field 1)");
                    int len = readLength(to);
                    parseLabel(p, p + len);
                }
                case 2 -> {
                    expectWire(wire, WIRE_LEN, "TimeSeries.samples (field 2)");
                    int len = readLength(to);
                    parseSample(p, p + len);
                }
                case 3 -> {
                    expectWire(wire, WIRE_LEN, "TimeSeries.exemplars (field 3)");
                    int len = readLength(to);
                    parseExemplar(p, p + len);
                }
                case 4 -> {
                    if (wire == WIRE_LEN) {
                        int len = readLength(to);
                        addHistogram(p, len);
                        p += len;
                    } else {
                        skipField(field, wire, to);
                    }
                }
                default -> skipField(field, wire, to);
            }
        }
    }

    /** {@code Exemplar}: labels (field 1, {@code Label} messages), value (2, double), timestamp (3, int64). */
    private void parseExemplar(int from, int to) {
        long bits = 0;
        long timestamp = 0;
        p = from;
        while (p < to) {
            int tag = readTag(to);
            int field = tag >>> 3;
            int wire = tag & 7;
            if (field == 1) {
                expectWire(wire, WIRE_LEN, "Exemplar.labels (field 1)");
                int len = readLength(to);
                int end = p + len;
                int nameOff = p, nameLen = 0, valueOff = p, valueLen = 0;
                while (p < end) {
                    int t = readTag(end);
                    if (t >>> 3 == 1) {
                        expectWire(t & 7, WIRE_LEN, "Label.name (field 1)");
                        nameLen = readLength(end);
                        nameOff = p;
                        p += nameLen;
                    } else if (t >>> 3 == 2) {
                        expectWire(t & 7, WIRE_LEN, "Label.value (field 2)");
                        valueLen = readLength(end);
                        valueOff = p;
                        p += valueLen;
                    } else {
                        skipField(t >>> 3, t & 7, end);
                    }
                }
                addExemplarLabel(nameOff, nameLen, valueOff, valueLen);
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
        addExemplar(timestamp, bits);
    }

    private void parseLabel(int from, int to) {
        int nameOff = from, nameLen = 0, valueOff = from, valueLen = 0;
        p = from;
        while (p < to) {
            int tag = readTag(to);
            int field = tag >>> 3;
            int wire = tag & 7;
            if (field == 1) {
                expectWire(wire, WIRE_LEN, "Label.name (field 1)");
                nameLen = readLength(to);
                nameOff = p;
                p += nameLen;
            } else if (field == 2) {
                expectWire(wire, WIRE_LEN, "Label.value (field 2)");
                valueLen = readLength(to);
                valueOff = p;
                p += valueLen;
            } else {
                skipField(field, wire, to);
            }
        }
        addLabel(nameOff, nameLen, valueOff, valueLen);
    }

    @Override
    protected RemoteWriteException malformed(String what, int at) {
        String where = inSeries ? " (time series #" + seriesIndex + ")" : "";
        return new RemoteWriteException("malformed write request: " + what + " at byte " + (at - start) + where);
    }
}
