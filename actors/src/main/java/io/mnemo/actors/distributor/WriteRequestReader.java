package io.mnemo.actors.distributor;

import io.mnemo.actors.wire.ProtobufCursor;
import io.mnemo.tsdb.Utf8;
import io.mnemo.tsdb.Labels;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;

/**
 * A cursor over an uncompressed protobuf {@code prometheus.WriteRequest} (remote write 1.0) that
 * walks the wire format in place. The distributor uses it on push bodies, the ingester on Kafka
 * record values (which are WriteRequests too).
 *
 * <p>{@link #nextSeries()} moves to the next {@code TimeSeries} (field 1) and indexes it: labels
 * become byte ranges into the buffer, samples are decoded into reused primitive arrays. Nothing is
 * allocated per series or per sample once the arrays have grown to the largest series seen, so one
 * reader should be reused across requests. Native histograms (TimeSeries field 4) are kept as byte
 * ranges, not decoded; exemplars (field 3), metadata (WriteRequest field 3) and unknown fields of
 * any wire type are skipped after their framing has been checked; exemplars are counted.
 *
 * <p>Labels are exposed exactly as sent, including labels with an empty value. Prometheus treats
 * an empty value as an absent label, so consumers (validation, sharding, {@link #labels()}) skip
 * them; the raw series bytes copied to Kafka still contain them.
 *
 * <p>Malformed input (truncated varint or length, a length past the end of its message, an invalid
 * or unexpected wire type) throws {@link RemoteWriteException} naming the problem and the byte
 * offset. Not thread-safe.
 */
public final class WriteRequestReader extends ProtobufCursor {
    private int end;
    private int next; // where the next top-level field of the request starts
    private boolean inSeries; // for error messages: is p inside the series being indexed

    private int seriesIndex = -1;
    private int seriesFieldOffset;
    private int seriesOffset;
    private int seriesLength;
    private int labelCount;
    private int[] labelRanges = new int[4 * 16]; // per label: name offset, name length, value offset, value length
    private int sampleCount;
    private long[] timestamps = new long[16];
    private long[] valueBits = new long[16];
    private int exemplarCount;
    private int histogramCount;
    private int[] histogramRanges = new int[2]; // per histogram: offset, length of its message body

    /** Points the reader at {@code buf[offset, offset+length)}, before its first series. */
    public WriteRequestReader reset(byte[] buf, int offset, int length) {
        Objects.checkFromIndexSize(offset, length, buf.length);
        this.buf = buf;
        this.start = offset;
        this.end = offset + length;
        rewind();
        return this;
    }

    public WriteRequestReader reset(byte[] buf) {
        return reset(buf, 0, buf.length);
    }

    /** Goes back to before the first series of the current buffer. */
    public void rewind() {
        next = start;
        inSeries = false;
        seriesIndex = -1;
        clearSeries();
    }

    /**
     * Advances to the next time series, skipping any other top-level field.
     *
     * @return false at the end of the request
     * @throws RemoteWriteException if the request is malformed
     */
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
            skipField(field, wire, end);
            next = p;
        }
        clearSeries();
        return false;
    }

    // ---- current series ---------------------------------------------------------------------

    /** The buffer that all offsets refer to. */
    public byte[] buffer() { return buf; }

    /** Position of the current series in the request, from 0. */
    public int seriesIndex() { return seriesIndex; }

    /** Offset of the current TimeSeries message body (without its tag and length prefix). */
    public int seriesOffset() { return seriesOffset; }

    /** Length of the current TimeSeries message body. */
    public int seriesLength() { return seriesLength; }

    /** Offset of the whole field (tag, length varint, body) of the current series. */
    public int seriesFieldOffset() { return seriesFieldOffset; }

    public int seriesFieldLength() { return seriesOffset + seriesLength - seriesFieldOffset; }

    /** Labels of the current series as sent, in wire order, including ones with an empty value. */
    public int labelCount() { return labelCount; }

    public int labelNameOffset(int i) { return labelRanges[index(i, labelCount) << 2]; }
    public int labelNameLength(int i) { return labelRanges[(index(i, labelCount) << 2) + 1]; }
    public int labelValueOffset(int i) { return labelRanges[(index(i, labelCount) << 2) + 2]; }
    public int labelValueLength(int i) { return labelRanges[(index(i, labelCount) << 2) + 3]; }

    /** Materialises a label name (allocates; for slow paths and tests). */
    public String labelName(int i) {
        return new String(buf, labelNameOffset(i), labelNameLength(i), StandardCharsets.UTF_8);
    }

    /** Materialises a label value (allocates; for slow paths and tests). */
    public String labelValue(int i) {
        return new String(buf, labelValueOffset(i), labelValueLength(i), StandardCharsets.UTF_8);
    }

    public boolean labelNameEquals(int i, String s) {
        return Utf8.equals(buf, labelNameOffset(i), labelNameLength(i), s);
    }

    public boolean labelValueEquals(int i, String s) {
        return Utf8.equals(buf, labelValueOffset(i), labelValueLength(i), s);
    }

    /** Compares the names of labels i and j as unsigned bytes (the order Prometheus sorts by). */
    public int compareLabelNames(int i, int j) {
        int a = labelNameOffset(i);
        int b = labelNameOffset(j);
        return Arrays.compareUnsigned(buf, a, a + labelNameLength(i), buf, b, b + labelNameLength(j));
    }

    public int sampleCount() { return sampleCount; }

    public long sampleTimestamp(int i) { return timestamps[index(i, sampleCount)]; }

    /** The raw IEEE-754 bits, so that NaN payloads such as the staleness marker survive untouched. */
    public long sampleValueBits(int i) { return valueBits[index(i, sampleCount)]; }

    public double sampleValue(int i) { return Double.longBitsToDouble(sampleValueBits(i)); }

    /** Exemplars (TimeSeries field 3) of the current series; skipped, only counted. */
    public int exemplarCount() { return exemplarCount; }

    /** Native histogram samples (TimeSeries field 4) of the current series; not decoded. */
    public int histogramCount() { return histogramCount; }

    /** Offset of a native histogram sample's encoded {@code Histogram} message body. */
    public int histogramOffset(int i) { return histogramRanges[index(i, histogramCount) << 1]; }

    public int histogramLength(int i) { return histogramRanges[(index(i, histogramCount) << 1) + 1]; }

    /**
     * The current series' labels as a {@link Labels}, dropping empty values (allocates one String
     * per name and value: for the ingester's series creation and the query path, not per sample).
     */
    public Labels labels() {
        int n = 0;
        for (int i = 0; i < labelCount; i++) if (labelValueLength(i) > 0) n++;
        String[] kv = new String[n * 2];
        boolean sortedUnique = true;
        int k = 0;
        int previous = -1;
        for (int i = 0; i < labelCount; i++) {
            if (labelValueLength(i) == 0) continue;
            if (previous >= 0 && compareLabelNames(previous, i) >= 0) sortedUnique = false;
            kv[k++] = labelName(i);
            kv[k++] = labelValue(i);
            previous = i;
        }
        return sortedUnique ? Labels.wrapSorted(kv) : Labels.of(kv);
    }

    /**
     * The current series in Prometheus text form, {@code {__name__="up", job="x"}}, without
     * empty-valued labels, cut at about {@code maxChars} characters with a trailing ellipsis.
     * For error messages and logs.
     */
    public String seriesText(int maxChars) {
        StringBuilder sb = new StringBuilder(Math.min(maxChars, 256) + 8).append('{');
        boolean first = true;
        for (int i = 0; i < labelCount && sb.length() <= maxChars; i++) {
            if (labelValueLength(i) == 0) continue;
            if (!first) sb.append(", ");
            first = false;
            appendBounded(sb, labelNameOffset(i), labelNameLength(i), maxChars, false);
            sb.append("=\"");
            appendBounded(sb, labelValueOffset(i), labelValueLength(i), maxChars, true);
            sb.append('"');
        }
        sb.append('}');
        if (sb.length() > maxChars) {
            sb.setLength(maxChars);
            sb.append('\u2026');
        }
        return sb.toString();
    }

    private void appendBounded(StringBuilder sb, int off, int len, int maxChars, boolean escape) {
        // Decode no more than the text can show: a rejected series may carry megabyte values.
        int room = Math.max(0, maxChars - sb.length() + 1);
        String s = new String(buf, off, Math.min(len, room * 4), StandardCharsets.UTF_8);
        for (int i = 0; i < s.length() && sb.length() <= maxChars; i++) {
            char c = s.charAt(i);
            if (escape && c == '\\') sb.append("\\\\");
            else if (escape && c == '"') sb.append("\\\"");
            else if (escape && c == '\n') sb.append("\\n");
            else sb.append(c);
        }
    }

    // ---- decoding ---------------------------------------------------------------------------

    private void clearSeries() {
        seriesFieldOffset = seriesOffset = next;
        seriesLength = 0;
        labelCount = sampleCount = exemplarCount = histogramCount = 0;
    }

    private void parseSeries(int from, int to) {
        labelCount = sampleCount = exemplarCount = histogramCount = 0;
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
                    if (wire == WIRE_LEN) exemplarCount++;
                    skipField(field, wire, to);
                }
                case 4 -> {
                    if (wire == WIRE_LEN) {
                        int len = readLength(to);
                        int at = histogramCount << 1;
                        if (at + 2 > histogramRanges.length) histogramRanges = Arrays.copyOf(histogramRanges, histogramRanges.length * 2);
                        histogramRanges[at] = p;
                        histogramRanges[at + 1] = len;
                        histogramCount++;
                        p += len;
                    } else {
                        skipField(field, wire, to);
                    }
                }
                default -> skipField(field, wire, to);
            }
        }
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
        int at = labelCount << 2;
        if (at + 4 > labelRanges.length) labelRanges = Arrays.copyOf(labelRanges, labelRanges.length * 2);
        labelRanges[at] = nameOff;
        labelRanges[at + 1] = nameLen;
        labelRanges[at + 2] = valueOff;
        labelRanges[at + 3] = valueLen;
        labelCount++;
    }

    private void parseSample(int from, int to) {
        long bits = 0;
        long timestamp = 0;
        p = from;
        while (p < to) {
            int tag = readTag(to);
            int field = tag >>> 3;
            int wire = tag & 7;
            if (field == 1) {
                expectWire(wire, WIRE_FIXED64, "Sample.value (field 1)");
                bits = readFixed64(to, "a fixed64 value");
            } else if (field == 2) {
                expectWire(wire, WIRE_VARINT, "Sample.timestamp (field 2)");
                timestamp = readVarint(to);
            } else {
                skipField(field, wire, to);
            }
        }
        if (sampleCount == timestamps.length) {
            timestamps = Arrays.copyOf(timestamps, sampleCount * 2);
            valueBits = Arrays.copyOf(valueBits, sampleCount * 2);
        }
        timestamps[sampleCount] = timestamp;
        valueBits[sampleCount] = bits;
        sampleCount++;
    }

    private void expectWire(int wire, int expected, String field) {
        if (wire != expected) {
            throw malformed(field + " has wire type " + wire + ", want " + expected, p);
        }
    }

    @Override
    protected RemoteWriteException malformed(String what, int at) {
        String where = inSeries ? " (time series #" + seriesIndex + ")" : "";
        return new RemoteWriteException("malformed write request: " + what + " at byte " + (at - start) + where);
    }

    private static int index(int i, int size) {
        return Objects.checkIndex(i, size);
    }
}
