package io.mnemo.actors.ingest;

import io.mnemo.actors.wire.ProtobufCursor;
import io.mnemo.tsdb.Labels;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;

/**
 * A cursor over an ingest record of format version 1 ({@link IngestRecordWriter} describes it)
 * that walks the wire bytes in place. {@link #reset} indexes the symbol table (byte ranges, no Strings);
 * {@link #nextSeries} moves to the next series and decodes its label refs and samples into reused
 * primitive arrays. Nothing is allocated per series or sample once the arrays have grown, so one
 * reader should be reused. Exemplars are decoded like samples (label refs, value, timestamp);
 * unknown fields are skipped; native histogram samples are found as byte ranges with their
 * timestamps ({@link HistogramMessage} decodes them).
 *
 * <p>Any well-formed remote write 2.0 request is read, whatever its field order or whether its refs
 * are packed. Malformed input throws {@link MalformedRecordException} naming the problem and the
 * byte offset. Not thread-safe.
 */
public final class IngestRecordReader extends ProtobufCursor {
    private int end;
    private int next;

    private int[] symbolOffset = new int[256];
    private int[] symbolLength = new int[256];
    private int symbolCount;
    /** Where reset found the record damaged, thrown when the series walk gets there; null if intact. */
    private MalformedRecordException damage;
    private int damageAt;

    private int seriesIndex;
    private int[] refs = new int[32];
    private int refCount;
    private long[] timestamps = new long[16];
    private long[] valueBits = new long[16];
    private int sampleCount;
    private int histogramCount;
    private int[] histogramRanges = new int[8]; // per histogram: offset, length of its message body
    private long[] histogramTimestamps = new long[4];
    private int exemplarCount;
    private long[] exemplarTimestamps = new long[4];
    private long[] exemplarValueBits = new long[4];
    private int[] exemplarRefEnd = new int[4]; // by exemplar: end of its label refs in exemplarRefs
    private int[] exemplarRefs = new int[16];
    private boolean hasMetadata;
    private int metadataType;
    private int metadataHelpRef;
    private int metadataUnitRef;

    public IngestRecordReader reset(byte[] record) {
        return reset(record, 0, record.length);
    }

    /** Points the reader at a record and indexes its symbol table. */
    public IngestRecordReader reset(byte[] record, int offset, int length) {
        Objects.checkFromIndexSize(offset, length, record.length);
        buf = record;
        start = offset;
        end = offset + length;
        symbolCount = 0;
        damage = null;
        p = start;
        try {
            while (p < end) {
                int tag = readTag(end);
                if (tag == (4 << 3 | WIRE_LEN)) {
                    int len = readLength(end);
                    if (symbolCount == symbolOffset.length) {
                        symbolOffset = Arrays.copyOf(symbolOffset, symbolCount * 2);
                        symbolLength = Arrays.copyOf(symbolLength, symbolCount * 2);
                    }
                    symbolOffset[symbolCount] = p;
                    symbolLength[symbolCount++] = len;
                    p += len;
                } else {
                    skipField(tag >>> 3, tag & 7, end);
                }
            }
        } catch (MalformedRecordException e) {
            // Series before the damage stay readable; reaching it throws (see nextSeries).
            damage = e;
            damageAt = p;
        }
        next = start;
        seriesIndex = -1;
        clearSeries();
        return this;
    }

    /** Moves to the next series; false at the end of the record. */
    public boolean nextSeries() {
        while (next < end) {
            if (damage != null && next >= damageAt) throw damage;
            p = next;
            int tag = readTag(end);
            if (tag == (5 << 3 | WIRE_LEN)) {
                int len = readLength(end);
                next = p + len;
                seriesIndex++;
                parseSeries(p, next);
                return true;
            }
            skipField(tag >>> 3, tag & 7, end);
            next = p;
        }
        clearSeries();
        return false;
    }

    // ---- symbols ------------------------------------------------------------------------------

    /** The buffer that symbol offsets refer to. */
    public byte[] buffer() { return buf; }

    public int symbolCount() { return symbolCount; }

    public int symbolOffset(int ref) { return symbolOffset[Objects.checkIndex(ref, symbolCount)]; }

    public int symbolLength(int ref) { return symbolLength[Objects.checkIndex(ref, symbolCount)]; }

    /** A symbol as a String (allocates: for new series, metadata and messages). */
    public String symbol(int ref) {
        return new String(buf, symbolOffset(ref), symbolLength(ref), StandardCharsets.UTF_8);
    }

    // ---- current series -----------------------------------------------------------------------

    /** Position of the current series in the record, from 0. */
    public int seriesIndex() { return seriesIndex; }

    /** Label refs of the current series: name, value, name, value... */
    public int labelRefCount() { return refCount; }

    public int labelRef(int i) { return refs[Objects.checkIndex(i, refCount)]; }

    public int sampleCount() { return sampleCount; }

    public long sampleTimestamp(int i) { return timestamps[Objects.checkIndex(i, sampleCount)]; }

    /** The raw IEEE-754 bits, so that NaN payloads such as the staleness marker survive untouched. */
    public long sampleValueBits(int i) { return valueBits[Objects.checkIndex(i, sampleCount)]; }

    public double sampleValue(int i) { return Double.longBitsToDouble(sampleValueBits(i)); }

    /** Native histogram samples of the current series; not decoded. */
    public int histogramCount() { return histogramCount; }

    /** Offset in {@link #buffer()} of a native histogram sample's encoded {@code Histogram} message body. */
    public int histogramOffset(int i) { return histogramRanges[Objects.checkIndex(i, histogramCount) << 1]; }

    public int histogramLength(int i) { return histogramRanges[(Objects.checkIndex(i, histogramCount) << 1) + 1]; }

    /** A native histogram sample's timestamp (its field 15), ms. */
    public long histogramTimestamp(int i) { return histogramTimestamps[Objects.checkIndex(i, histogramCount)]; }

    public boolean hasMetadata() { return hasMetadata; }

    /** Exemplars of the current series, in record order. */
    public int exemplarCount() { return exemplarCount; }

    public long exemplarTimestamp(int i) { return exemplarTimestamps[Objects.checkIndex(i, exemplarCount)]; }

    public long exemplarValueBits(int i) { return exemplarValueBits[Objects.checkIndex(i, exemplarCount)]; }

    /** Label refs of an exemplar (name, value, name, value...): {@code exemplarLabelRef(i, 0 .. count - 1)}. */
    public int exemplarLabelRefCount(int i) {
        Objects.checkIndex(i, exemplarCount);
        return exemplarRefEnd[i] - (i == 0 ? 0 : exemplarRefEnd[i - 1]);
    }

    public int exemplarLabelRef(int i, int k) {
        return exemplarRefs[(i == 0 ? 0 : exemplarRefEnd[i - 1]) + Objects.checkIndex(k, exemplarLabelRefCount(i))];
    }

    /** Remote write's metric type number (0 unknown, 1 counter, 2 gauge, 3 histogram, ...). */
    public int metadataType() { return metadataType; }

    public int metadataHelpRef() { return metadataHelpRef; }

    public int metadataUnitRef() { return metadataUnitRef; }

    /** The ref of the current series' value for a label name given as a symbol ref, or -1. */
    public int labelValueRef(int nameRef) {
        for (int i = 0; i < refCount; i += 2) if (refs[i] == nameRef) return refs[i + 1];
        return -1;
    }

    /**
     * The current series' labels (allocates one String per name and value: for new series and
     * messages, not per sample). Empty values are dropped; labels out of order are sorted.
     */
    public Labels labels() {
        String[] kv = new String[refCount];
        int k = 0;
        boolean sorted = true;
        int previousName = -1;
        for (int i = 0; i < refCount; i += 2) {
            if (symbolLength(refs[i + 1]) == 0) continue;
            if (previousName >= 0 && compareSymbols(previousName, refs[i]) >= 0) sorted = false;
            previousName = refs[i];
            kv[k++] = symbol(refs[i]);
            kv[k++] = symbol(refs[i + 1]);
        }
        String[] exact = k == kv.length ? kv : Arrays.copyOf(kv, k);
        return sorted ? Labels.wrapSorted(exact) : Labels.of(exact);
    }

    /** Symbols compared as unsigned bytes, the order Prometheus sorts label names by. */
    private int compareSymbols(int a, int b) {
        return Arrays.compareUnsigned(buf, symbolOffset[a], symbolOffset[a] + symbolLength[a],
                buf, symbolOffset[b], symbolOffset[b] + symbolLength[b]);
    }

    // ---- decoding -----------------------------------------------------------------------------

    private void clearSeries() {
        refCount = sampleCount = histogramCount = exemplarCount = 0;
        hasMetadata = false;
        metadataType = metadataHelpRef = metadataUnitRef = 0;
    }

    private void parseSeries(int from, int to) {
        clearSeries();
        p = from;
        while (p < to) {
            int tag = readTag(to);
            switch (tag) {
                case 1 << 3 | WIRE_LEN -> { // labels_refs, packed
                    int len = readLength(to);
                    int stop = p + len;
                    while (p < stop) addRef(readRef(stop));
                }
                case 1 << 3 | WIRE_VARINT -> addRef(readRef(to)); // labels_refs, unpacked
                case 2 << 3 | WIRE_LEN -> {
                    int len = readLength(to);
                    parseSample(p, p + len);
                }
                case 3 << 3 | WIRE_LEN -> {
                    int len = readLength(to);
                    addHistogram(p, p + len);
                }
                case 4 << 3 | WIRE_LEN -> {
                    int len = readLength(to);
                    parseExemplar(p, p + len);
                }
                case 5 << 3 | WIRE_LEN -> {
                    int len = readLength(to);
                    parseMetadata(p, p + len);
                }
                default -> skipField(tag >>> 3, tag & 7, to);
            }
        }
        if ((refCount & 1) != 0) throw malformed("series #" + seriesIndex + " has an odd number of label refs", from);
    }

    private void addRef(int ref) {
        if (refCount == refs.length) refs = Arrays.copyOf(refs, refCount * 2);
        refs[refCount++] = ref;
    }

    private int readRef(int limit) {
        int at = p;
        long ref = readVarint(limit);
        if (ref < 0 || ref >= symbolCount) throw malformed("symbol ref " + ref + " of " + symbolCount + " symbols", at);
        return (int) ref;
    }

    private void parseSample(int from, int to) {
        long bits = 0;
        long timestamp = 0;
        p = from;
        while (p < to) {
            int tag = readTag(to);
            if (tag == (1 << 3 | WIRE_FIXED64)) {
                bits = readFixed64(to, "sample value");
            } else if (tag == (2 << 3 | WIRE_VARINT)) {
                timestamp = readVarint(to);
            } else {
                skipField(tag >>> 3, tag & 7, to);
            }
        }
        if (sampleCount == timestamps.length) {
            timestamps = Arrays.copyOf(timestamps, sampleCount * 2);
            valueBits = Arrays.copyOf(valueBits, sampleCount * 2);
        }
        timestamps[sampleCount] = timestamp;
        valueBits[sampleCount++] = bits;
    }

    /** Notes a histogram's byte range and reads its timestamp (field 15), skipping the rest. */
    private void addHistogram(int from, int to) {
        long timestamp = 0;
        p = from;
        while (p < to) {
            int tag = readTag(to);
            if (tag == (15 << 3 | WIRE_VARINT)) timestamp = readVarint(to);
            else skipField(tag >>> 3, tag & 7, to);
        }
        int at = histogramCount << 1;
        if (at + 2 > histogramRanges.length) histogramRanges = Arrays.copyOf(histogramRanges, 2 * histogramRanges.length);
        if (histogramCount == histogramTimestamps.length) {
            histogramTimestamps = Arrays.copyOf(histogramTimestamps, 2 * histogramCount);
        }
        histogramRanges[at] = from;
        histogramRanges[at + 1] = to - from;
        histogramTimestamps[histogramCount++] = timestamp;
    }

    private void parseExemplar(int from, int to) {
        long bits = 0;
        long timestamp = 0;
        int refStart = exemplarCount == 0 ? 0 : exemplarRefEnd[exemplarCount - 1];
        int refs = refStart;
        p = from;
        while (p < to) {
            int tag = readTag(to);
            switch (tag) {
                case 1 << 3 | WIRE_LEN -> {
                    int len = readLength(to);
                    int stop = p + len;
                    while (p < stop) refs = addExemplarRef(refs, readRef(stop));
                }
                case 1 << 3 | WIRE_VARINT -> refs = addExemplarRef(refs, readRef(to));
                case 2 << 3 | WIRE_FIXED64 -> bits = readFixed64(to, "exemplar value");
                case 3 << 3 | WIRE_VARINT -> timestamp = readVarint(to);
                default -> skipField(tag >>> 3, tag & 7, to);
            }
        }
        if (((refs - refStart) & 1) != 0) {
            throw malformed("an exemplar of series #" + seriesIndex + " has an odd number of label refs", from);
        }
        if (exemplarCount == exemplarTimestamps.length) {
            exemplarTimestamps = Arrays.copyOf(exemplarTimestamps, exemplarCount * 2);
            exemplarValueBits = Arrays.copyOf(exemplarValueBits, exemplarCount * 2);
            exemplarRefEnd = Arrays.copyOf(exemplarRefEnd, exemplarCount * 2);
        }
        exemplarTimestamps[exemplarCount] = timestamp;
        exemplarValueBits[exemplarCount] = bits;
        exemplarRefEnd[exemplarCount++] = refs;
    }

    private int addExemplarRef(int at, int ref) {
        if (at == exemplarRefs.length) exemplarRefs = Arrays.copyOf(exemplarRefs, at * 2);
        exemplarRefs[at] = ref;
        return at + 1;
    }

    private void parseMetadata(int from, int to) {
        hasMetadata = true;
        p = from;
        while (p < to) {
            int tag = readTag(to);
            switch (tag) {
                case 1 << 3 | WIRE_VARINT -> metadataType = (int) readVarint(to);
                case 3 << 3 | WIRE_VARINT -> metadataHelpRef = readRef(to);
                case 4 << 3 | WIRE_VARINT -> metadataUnitRef = readRef(to);
                default -> skipField(tag >>> 3, tag & 7, to);
            }
        }
    }

    @Override
    protected MalformedRecordException malformed(String what, int at) {
        return new MalformedRecordException("malformed ingest record: " + what + " at byte " + (at - start));
    }
}
