package io.mnemo.actors.record;

import io.mnemo.tsdb.Labels;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;

/**
 * A cursor over an ingest record ({@link IngestRecordWriter} describes the format) that walks the
 * wire bytes in place. {@link #reset} indexes the symbol table (byte ranges, no Strings);
 * {@link #nextSeries} moves to the next series and decodes its label refs and samples into reused
 * primitive arrays. Nothing is allocated per series or sample once the arrays have grown, so one
 * reader should be reused. Exemplars and unknown fields are skipped; native histogram samples are
 * counted.
 *
 * <p>Any well-formed remote write 2.0 request is read, whatever its field order or whether its refs
 * are packed. Malformed input throws {@link MalformedRecordException} naming the problem and the
 * byte offset. Not thread-safe.
 */
public final class IngestRecordReader {
    private static final int WIRE_VARINT = 0;
    private static final int WIRE_FIXED64 = 1;
    private static final int WIRE_LEN = 2;
    private static final int WIRE_FIXED32 = 5;
    private static final VarHandle LONG_LE = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final byte[] NO_BYTES = new byte[0];

    private byte[] buf = NO_BYTES;
    private int start;
    private int end;
    private int next;
    private int p;

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
                    skip(tag, end);
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
            skip(tag, end);
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

    public boolean hasMetadata() { return hasMetadata; }

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
        refCount = sampleCount = histogramCount = 0;
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
                    histogramCount++;
                    skip(tag, to);
                }
                case 5 << 3 | WIRE_LEN -> {
                    int len = readLength(to);
                    parseMetadata(p, p + len);
                }
                default -> skip(tag, to);
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
                if (to - p < 8) throw malformed("truncated sample value", p);
                bits = (long) LONG_LE.get(buf, p);
                p += 8;
            } else if (tag == (2 << 3 | WIRE_VARINT)) {
                timestamp = readVarint(to);
            } else {
                skip(tag, to);
            }
        }
        if (sampleCount == timestamps.length) {
            timestamps = Arrays.copyOf(timestamps, sampleCount * 2);
            valueBits = Arrays.copyOf(valueBits, sampleCount * 2);
        }
        timestamps[sampleCount] = timestamp;
        valueBits[sampleCount++] = bits;
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
                default -> skip(tag, to);
            }
        }
    }

    private void skip(int tag, int limit) {
        switch (tag & 7) {
            case WIRE_VARINT -> readVarint(limit);
            case WIRE_FIXED64 -> advance(8, limit);
            case WIRE_LEN -> {
                int len = readLength(limit);
                p += len;
            }
            case WIRE_FIXED32 -> advance(4, limit);
            default -> throw malformed("unexpected wire type " + (tag & 7) + " of field " + (tag >>> 3), p);
        }
    }

    private void advance(int n, int limit) {
        if (limit - p < n) throw malformed("truncated field", p);
        p += n;
    }

    private int readTag(int limit) {
        int at = p;
        long tag = readVarint(limit);
        if (tag >>> 3 == 0 || tag > Integer.MAX_VALUE) throw malformed("invalid field tag " + tag, at);
        return (int) tag;
    }

    private int readLength(int limit) {
        int at = p;
        long len = readVarint(limit);
        if (len < 0 || len > limit - p) throw malformed("length " + len + " runs past its message", at);
        return (int) len;
    }

    private long readVarint(int limit) {
        if (p < limit && buf[p] >= 0) return buf[p++]; // one byte: tags, refs below 128, lengths
        int at = p;
        long result = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            if (p >= limit) throw malformed("truncated varint", at);
            byte b = buf[p++];
            result |= (long) (b & 0x7F) << shift;
            if (b >= 0) return result;
        }
        throw malformed("varint longer than 10 bytes", at);
    }

    private MalformedRecordException malformed(String what, int at) {
        return new MalformedRecordException("malformed ingest record: " + what + " at byte " + (at - start));
    }
}
