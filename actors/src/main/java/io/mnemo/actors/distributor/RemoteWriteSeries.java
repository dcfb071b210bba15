package io.mnemo.actors.distributor;

import io.mnemo.actors.wire.ProtobufCursor;
import io.mnemo.tsdb.Labels;
import io.mnemo.tsdb.Utf8;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;

/**
 * The current series of a remote-write request being walked in place, whichever protocol version
 * carries it: its labels as byte ranges into the request buffer, its float samples in reused
 * primitive arrays, its native histogram samples as byte ranges (not decoded) and its exemplars
 * (timestamps and values in primitive arrays, labels as byte ranges, sorted by name). {@link WriteRequestReader} (remote write 1.0) and {@link RequestV2Reader} (2.0) fill it;
 * validation ({@link SeriesValidator}) and sharding ({@link PartitionSplitter}) read it the same way
 * for both. Nothing is allocated per series or sample once the arrays have grown to the largest
 * series seen.
 *
 * <p>Labels are exposed as they are to be validated, including labels with an empty value:
 * Prometheus treats an empty value as an absent label, so consumers skip them.
 */
public abstract class RemoteWriteSeries extends ProtobufCursor {
    protected int seriesIndex = -1;
    private int labelCount;
    private int[] labelRanges = new int[4 * 16]; // per label: name offset, name length, value offset, value length
    private int sampleCount;
    private long[] timestamps = new long[16];
    private long[] valueBits = new long[16];
    private int exemplarCount;
    private long[] exemplarTimestamps = new long[4];
    private long[] exemplarValueBits = new long[4];
    private int[] exemplarLabelEnd = new int[4]; // by exemplar: end of its labels in exemplarLabelRanges
    private int[] exemplarLabelRanges = new int[4 * 8]; // per label: as labelRanges
    private int exemplarLabels; // labels of all the series' exemplars so far
    private int histogramCount;
    private int[] histogramRanges = new int[2]; // per histogram: offset, length of its message body

    /**
     * Advances to the next time series.
     *
     * @return false at the end of the request
     * @throws RemoteWriteException if the request is malformed
     */
    public abstract boolean nextSeries();

    /** Goes back to before the first series of the current buffer. */
    public abstract void rewind();

    // ---- filling, for the readers -------------------------------------------------------------

    protected final void clearSeries() {
        labelCount = sampleCount = exemplarCount = histogramCount = exemplarLabels = 0;
    }

    protected final void addLabel(int nameOffset, int nameLength, int valueOffset, int valueLength) {
        int at = labelCount << 2;
        if (at + 4 > labelRanges.length) labelRanges = Arrays.copyOf(labelRanges, labelRanges.length * 2);
        labelRanges[at] = nameOffset;
        labelRanges[at + 1] = nameLength;
        labelRanges[at + 2] = valueOffset;
        labelRanges[at + 3] = valueLength;
        labelCount++;
    }

    /**
     * Sorts the labels by name (unsigned bytes, Prometheus's order), stable, in place: insertion
     * sort, linear on the sorted labels senders normally send.
     */
    protected final void sortLabels() {
        int[] r = labelRanges;
        for (int i = 1; i < labelCount; i++) {
            if (compareLabelNames(i - 1, i) <= 0) continue;
            int no = r[i << 2], nl = r[(i << 2) + 1], vo = r[(i << 2) + 2], vl = r[(i << 2) + 3];
            int j = i - 1;
            while (j >= 0 && Arrays.compareUnsigned(buf, r[j << 2], r[j << 2] + r[(j << 2) + 1], buf, no, no + nl) > 0) {
                System.arraycopy(r, j << 2, r, (j + 1) << 2, 4);
                j--;
            }
            int at = (j + 1) << 2;
            r[at] = no;
            r[at + 1] = nl;
            r[at + 2] = vo;
            r[at + 3] = vl;
        }
    }

    /** Where the request ends (exclusive). */
    protected int end;

    /** Points the reader at {@code buf[offset, offset+length)}; the caller resets its own position. */
    protected final void point(byte[] buf, int offset, int length) {
        Objects.checkFromIndexSize(offset, length, buf.length);
        this.buf = buf;
        this.start = offset;
        this.end = offset + length;
    }

    /** Reads a {@code Sample} message (the same in 1.0 and 2.0) at [from, to) and adds it. */
    protected final void parseSample(int from, int to) {
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
        addSample(timestamp, bits);
    }

    protected final void addSample(long timestamp, long bits) {
        if (sampleCount == timestamps.length) {
            timestamps = Arrays.copyOf(timestamps, sampleCount * 2);
            valueBits = Arrays.copyOf(valueBits, sampleCount * 2);
        }
        timestamps[sampleCount] = timestamp;
        valueBits[sampleCount] = bits;
        sampleCount++;
    }

    protected final void addHistogram(int offset, int length) {
        int at = histogramCount << 1;
        if (at + 2 > histogramRanges.length) histogramRanges = Arrays.copyOf(histogramRanges, histogramRanges.length * 2);
        histogramRanges[at] = offset;
        histogramRanges[at + 1] = length;
        histogramCount++;
    }

    /** A label of the exemplar being read; {@link #addExemplar} ends it. */
    protected final void addExemplarLabel(int nameOffset, int nameLength, int valueOffset, int valueLength) {
        int at = exemplarLabels << 2;
        if (at + 4 > exemplarLabelRanges.length) exemplarLabelRanges = Arrays.copyOf(exemplarLabelRanges, exemplarLabelRanges.length * 2);
        exemplarLabelRanges[at] = nameOffset;
        exemplarLabelRanges[at + 1] = nameLength;
        exemplarLabelRanges[at + 2] = valueOffset;
        exemplarLabelRanges[at + 3] = valueLength;
        exemplarLabels++;
    }

    /** Ends an exemplar whose labels were added since the previous one; sorts them by name. */
    protected final void addExemplar(long timestamp, long valueBits) {
        if (exemplarCount == exemplarTimestamps.length) {
            exemplarTimestamps = Arrays.copyOf(exemplarTimestamps, exemplarCount * 2);
            exemplarValueBits = Arrays.copyOf(exemplarValueBits, exemplarCount * 2);
            exemplarLabelEnd = Arrays.copyOf(exemplarLabelEnd, exemplarCount * 2);
        }
        int[] r = exemplarLabelRanges;
        int from = exemplarCount == 0 ? 0 : exemplarLabelEnd[exemplarCount - 1];
        for (int i = from + 1; i < exemplarLabels; i++) { // insertion sort: one or two labels, normally sorted
            int no = r[i << 2], nl = r[(i << 2) + 1], vo = r[(i << 2) + 2], vl = r[(i << 2) + 3];
            int j = i - 1;
            while (j >= from && Arrays.compareUnsigned(buf, r[j << 2], r[j << 2] + r[(j << 2) + 1], buf, no, no + nl) > 0) {
                System.arraycopy(r, j << 2, r, (j + 1) << 2, 4);
                j--;
            }
            int at = (j + 1) << 2;
            r[at] = no;
            r[at + 1] = nl;
            r[at + 2] = vo;
            r[at + 3] = vl;
        }
        exemplarTimestamps[exemplarCount] = timestamp;
        exemplarValueBits[exemplarCount] = valueBits;
        exemplarLabelEnd[exemplarCount++] = exemplarLabels;
    }

    // ---- current series ---------------------------------------------------------------------

    /** The buffer that all offsets refer to. */
    public final byte[] buffer() { return buf; }

    /** Position of the current series in the request, from 0. */
    public final int seriesIndex() { return seriesIndex; }

    /** Labels of the current series, including ones with an empty value. */
    public final int labelCount() { return labelCount; }

    public final int labelNameOffset(int i) { return labelRanges[index(i, labelCount) << 2]; }
    public final int labelNameLength(int i) { return labelRanges[(index(i, labelCount) << 2) + 1]; }
    public final int labelValueOffset(int i) { return labelRanges[(index(i, labelCount) << 2) + 2]; }
    public final int labelValueLength(int i) { return labelRanges[(index(i, labelCount) << 2) + 3]; }

    /** Materialises a label name (allocates; for slow paths and tests). */
    public final String labelName(int i) {
        return new String(buf, labelNameOffset(i), labelNameLength(i), StandardCharsets.UTF_8);
    }

    /** Materialises a label value (allocates; for slow paths and tests). */
    public final String labelValue(int i) {
        return new String(buf, labelValueOffset(i), labelValueLength(i), StandardCharsets.UTF_8);
    }

    public final boolean labelNameEquals(int i, String s) {
        return Utf8.equals(buf, labelNameOffset(i), labelNameLength(i), s);
    }

    public final boolean labelValueEquals(int i, String s) {
        return Utf8.equals(buf, labelValueOffset(i), labelValueLength(i), s);
    }

    /** Compares the names of labels i and j as unsigned bytes (the order Prometheus sorts by). */
    public final int compareLabelNames(int i, int j) {
        int a = labelNameOffset(i);
        int b = labelNameOffset(j);
        return Arrays.compareUnsigned(buf, a, a + labelNameLength(i), buf, b, b + labelNameLength(j));
    }

    public final int sampleCount() { return sampleCount; }

    public final long sampleTimestamp(int i) { return timestamps[index(i, sampleCount)]; }

    /** The raw IEEE-754 bits, so that NaN payloads such as the staleness marker survive untouched. */
    public final long sampleValueBits(int i) { return valueBits[index(i, sampleCount)]; }

    public final double sampleValue(int i) { return Double.longBitsToDouble(sampleValueBits(i)); }

    /** Exemplars of the current series. */
    public final int exemplarCount() { return exemplarCount; }

    public final long exemplarTimestamp(int e) { return exemplarTimestamps[index(e, exemplarCount)]; }

    /** The raw IEEE-754 bits of an exemplar's value. */
    public final long exemplarValueBits(int e) { return exemplarValueBits[index(e, exemplarCount)]; }

    /** Labels of an exemplar, sorted by name, including empty names and values as sent. */
    public final int exemplarLabelCount(int e) {
        return exemplarLabelEnd[index(e, exemplarCount)] - (e == 0 ? 0 : exemplarLabelEnd[e - 1]);
    }

    private int exemplarLabel(int e, int k) {
        return (e == 0 ? 0 : exemplarLabelEnd[e - 1]) + index(k, exemplarLabelCount(e));
    }

    public final int exemplarLabelNameOffset(int e, int k) { return exemplarLabelRanges[exemplarLabel(e, k) << 2]; }
    public final int exemplarLabelNameLength(int e, int k) { return exemplarLabelRanges[(exemplarLabel(e, k) << 2) + 1]; }
    public final int exemplarLabelValueOffset(int e, int k) { return exemplarLabelRanges[(exemplarLabel(e, k) << 2) + 2]; }
    public final int exemplarLabelValueLength(int e, int k) { return exemplarLabelRanges[(exemplarLabel(e, k) << 2) + 3]; }

    /** An exemplar's labels in Prometheus text form, {@code {trace_id="abc"}}, about {@code maxChars} at most. */
    public final String exemplarLabelsText(int e, int maxChars) {
        StringBuilder sb = new StringBuilder(Math.min(maxChars, 256) + 8).append('{');
        for (int k = 0; k < exemplarLabelCount(e) && sb.length() <= maxChars; k++) {
            if (k > 0) sb.append(", ");
            appendBounded(sb, exemplarLabelNameOffset(e, k), exemplarLabelNameLength(e, k), maxChars, false);
            sb.append("=\"");
            appendBounded(sb, exemplarLabelValueOffset(e, k), exemplarLabelValueLength(e, k), maxChars, true);
            sb.append('"');
        }
        sb.append('}');
        if (sb.length() > maxChars) {
            sb.setLength(maxChars);
            sb.append('\u2026');
        }
        return sb.toString();
    }

    /** Native histogram samples of the current series; not decoded. */
    public final int histogramCount() { return histogramCount; }

    /** Offset of a native histogram sample's encoded {@code Histogram} message body. */
    public final int histogramOffset(int i) { return histogramRanges[index(i, histogramCount) << 1]; }

    public final int histogramLength(int i) { return histogramRanges[(index(i, histogramCount) << 1) + 1]; }

    /**
     * The current series' labels as a {@link Labels}, dropping empty values (allocates one String
     * per name and value: for slow paths and tests, not per sample).
     */
    public final Labels labels() {
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
    public final String seriesText(int maxChars) {
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

    protected static int index(int i, int size) {
        return Objects.checkIndex(i, size);
    }
}
