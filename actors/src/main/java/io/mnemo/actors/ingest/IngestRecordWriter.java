package io.mnemo.actors.ingest;

import io.mnemo.tsdb.SeriesHasher;
import io.mnemo.tsdb.Varint;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Builds one ingest record of format version 1 ({@link RecordVersion}; the grammar is in this
 * package's documentation): the value of a Kafka record of the ingest topic, and of a write-behind
 * log event. Its wire format is Prometheus remote write 2.0's {@code io.prometheus.write.v2.Request}
 * (as Mimir's record format v2): a table of symbols, each distinct string once ({@code symbols},
 * field 4, the first one ""), and time series ({@code timeseries}, field 5) whose labels are pairs
 * of indexes into that table ({@code labels_refs}, packed). A push's label strings repeat a lot
 * (names in every series, a pod's labels in each of its series), so records are a fraction of the
 * size of remote write 1.0, which is less for Kafka to move and for ingesters to journal; and an
 * ingester resolves each distinct string once per record instead of comparing every label of
 * every series.
 *
 * <p>Per series: labels sorted by name, empty values left out (the writer's caller guarantees
 * both), float samples ({@code Sample}, field 2), native histogram samples copied as encoded
 * ({@code Histogram}, field 3, whose fields remote write 1.0 and 2.0 share), metric metadata
 * ({@code Metadata}, field 5: type, help, unit) on series that carry no samples, and a created
 * timestamp ({@code created_timestamp}, field 6) when a remote write 2.0 push gave one, and
 * exemplars ({@code Exemplar}, field 4: label refs, value, timestamp).
 *
 * <p>Build a series with {@link #beginSeries}, {@link #labels}, then any of {@link #sample},
 * {@link #histogram}, {@link #exemplar}, {@link #metadata}, and {@link #endSeries}; {@link #toByteArray} gives the
 * record. Reused across records ({@link #reset}); nothing is allocated per series or sample once
 * its buffers have grown. Not thread-safe.
 */
public final class IngestRecordWriter {
    private static final int SYMBOLS_TAG = 4 << 3 | 2;
    private static final int SERIES_TAG = 5 << 3 | 2;
    private static final int LABELS_REFS_TAG = 1 << 3 | 2;
    private static final int SAMPLE_TAG = 2 << 3 | 2;
    private static final int HISTOGRAM_TAG = 3 << 3 | 2;
    private static final int EXEMPLAR_TAG = 4 << 3 | 2;
    private static final int METADATA_TAG = 5 << 3 | 2;
    private static final int CREATED_TIMESTAMP_TAG = 6 << 3;
    private static final long FREE = -1L;
    private static final VarHandle LONG = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final byte[] NONE = new byte[0];
    private static final long EMPTY_HASH = SeriesHasher.bytes(NONE, 0, 0);

    // Symbols: their UTF-8 bytes one after the other, and a hash table of (hash, ref) entries.
    private byte[] symbolBytes = new byte[4096];
    private int symbolBytesUsed;
    private int[] symbolEnd = new int[256]; // by ref: end of its bytes in symbolBytes
    private int symbolCount;
    private long[] table = new long[512];
    private int shift = 64 - 9;

    // Series fields (tag, length, body), one after the other.
    private byte[] series = new byte[16 * 1024];
    private int seriesUsed;
    private int seriesStart = -1; // where the open series' length goes; -1 when none is open
    private int seriesCount;
    private int sampleCount;
    private int exemplarCount;

    public IngestRecordWriter() {
        reset();
    }

    /** Empties the writer for the next record. */
    public void reset() {
        symbolBytesUsed = 0;
        symbolCount = 0;
        Arrays.fill(table, FREE);
        seriesUsed = 0;
        seriesStart = -1;
        seriesCount = 0;
        sampleCount = 0;
        exemplarCount = 0;
        symbol(NONE, 0, 0, EMPTY_HASH); // ref 0 is "", as remote write 2.0 requires
    }

    /**
     * The ref of a string given as UTF-8 bytes and their {@link SeriesHasher#bytes} hash, added to
     * the symbol table if new.
     */
    public int symbol(byte[] b, int off, int len, long hash) {
        int h = (int) (hash ^ hash >>> 32);
        int mask = table.length - 1;
        for (int i = (int) ((h * 0x9E3779B97F4A7C15L) >>> shift); ; i = (i + 1) & mask) {
            long e = table[i];
            if (e == FREE) break;
            int ref = (int) e;
            if ((int) (e >>> 32) == h) {
                int start = ref == 0 ? 0 : symbolEnd[ref - 1];
                if (symbolEnd[ref] - start == len && sameBytes(symbolBytes, start, b, off, len)) return ref;
            }
        }
        return add(b, off, len, h);
    }

    /** Byte ranges of equal length compared eight bytes at a time (cheaper than Arrays.equals for short strings). */
    private static boolean sameBytes(byte[] a, int aOff, byte[] b, int bOff, int len) {
        int i = 0;
        for (; i + 8 <= len; i += 8) {
            if ((long) LONG.get(a, aOff + i) != (long) LONG.get(b, bOff + i)) return false;
        }
        for (; i < len; i++) if (a[aOff + i] != b[bOff + i]) return false;
        return true;
    }

    /** The ref of a string (slow path: metadata, tests). */
    public int symbol(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        return symbol(b, 0, b.length, SeriesHasher.bytes(b, 0, b.length));
    }

    private int add(byte[] b, int off, int len, int h) {
        if (symbolBytesUsed + len > symbolBytes.length) {
            symbolBytes = Arrays.copyOf(symbolBytes, Math.max(symbolBytes.length * 2, symbolBytesUsed + len));
        }
        System.arraycopy(b, off, symbolBytes, symbolBytesUsed, len);
        symbolBytesUsed += len;
        if (symbolCount == symbolEnd.length) symbolEnd = Arrays.copyOf(symbolEnd, symbolCount * 2);
        int ref = symbolCount++;
        symbolEnd[ref] = symbolBytesUsed;
        if (symbolCount > table.length - (table.length >> 2)) grow(); // at most 3/4 full
        insert(((long) h << 32) | ref);
        return ref;
    }

    private void grow() {
        long[] old = table;
        table = new long[old.length * 2];
        Arrays.fill(table, FREE);
        shift--;
        for (long e : old) if (e != FREE) insert(e);
    }

    private void insert(long e) {
        int mask = table.length - 1;
        int i = (int) (((int) (e >>> 32) * 0x9E3779B97F4A7C15L) >>> shift);
        while (table[i] != FREE) i = (i + 1) & mask;
        table[i] = e;
    }

    /** Starts a series; its labels come next. */
    public void beginSeries() {
        if (seriesStart >= 0) throw new IllegalStateException("the previous series is not ended");
        ensure(2);
        series[seriesUsed++] = (byte) SERIES_TAG;
        seriesStart = seriesUsed++; // one byte for the length, moved over if it needs more
    }

    /** The open series' labels: {@code count} symbol refs, name, value, name, value... sorted by name. */
    public void labels(int[] refs, int count) {
        int len = 0;
        for (int i = 0; i < count; i++) len += Varint.size(refs[i]);
        ensure(1 + 5 + len);
        series[seriesUsed++] = (byte) LABELS_REFS_TAG;
        seriesUsed = Varint.put(series, seriesUsed, len);
        for (int i = 0; i < count; i++) seriesUsed = Varint.put(series, seriesUsed, refs[i]);
    }

    /** A float sample of the open series; the value as raw IEEE-754 bits (staleness markers kept). */
    public void sample(long timestamp, long valueBits) {
        int len = 1 + 8 + 1 + Varint.size(timestamp);
        ensure(2 + len);
        series[seriesUsed++] = (byte) SAMPLE_TAG;
        series[seriesUsed++] = (byte) len;
        series[seriesUsed++] = 1 << 3 | 1; // value, fixed64
        for (int b = 0; b < 8; b++) series[seriesUsed++] = (byte) (valueBits >>> (8 * b));
        series[seriesUsed++] = 2 << 3;     // timestamp, varint
        seriesUsed = Varint.put(series, seriesUsed, timestamp);
        sampleCount++;
    }

    /** A native histogram sample of the open series: an encoded {@code Histogram} message body, copied. */
    public void histogram(byte[] b, int off, int len) {
        ensure(1 + 5 + len);
        series[seriesUsed++] = (byte) HISTOGRAM_TAG;
        seriesUsed = Varint.put(series, seriesUsed, len);
        System.arraycopy(b, off, series, seriesUsed, len);
        seriesUsed += len;
    }

    /**
     * An exemplar of the open series, remote write 2.0's {@code Exemplar} (field 4): its labels as
     * {@code count} symbol refs (name, value, ...: packed, field 1), its value as raw IEEE-754 bits
     * (fixed64, field 2) and its timestamp in ms (varint, field 3).
     */
    public void exemplar(int[] labelRefs, int count, long timestamp, long valueBits) {
        int refsLen = 0;
        for (int i = 0; i < count; i++) refsLen += Varint.size(labelRefs[i]);
        int len = (count > 0 ? 1 + Varint.size(refsLen) + refsLen : 0) + 1 + 8 + 1 + Varint.size(timestamp);
        ensure(1 + 5 + len);
        series[seriesUsed++] = (byte) EXEMPLAR_TAG;
        seriesUsed = Varint.put(series, seriesUsed, len);
        if (count > 0) {
            series[seriesUsed++] = (byte) LABELS_REFS_TAG;
            seriesUsed = Varint.put(series, seriesUsed, refsLen);
            for (int i = 0; i < count; i++) seriesUsed = Varint.put(series, seriesUsed, labelRefs[i]);
        }
        series[seriesUsed++] = 2 << 3 | 1; // value, fixed64
        for (int b = 0; b < 8; b++) series[seriesUsed++] = (byte) (valueBits >>> (8 * b));
        series[seriesUsed++] = 3 << 3;     // timestamp, varint
        seriesUsed = Varint.put(series, seriesUsed, timestamp);
        exemplarCount++;
    }

    /** Metric metadata of the open series: type (remote write's enum number), help and unit as symbol refs. */
    public void metadata(int type, int helpRef, int unitRef) {
        int len = (type != 0 ? 1 + Varint.size(type) : 0) + (helpRef != 0 ? 1 + Varint.size(helpRef) : 0)
                + (unitRef != 0 ? 1 + Varint.size(unitRef) : 0);
        ensure(2 + len);
        series[seriesUsed++] = (byte) METADATA_TAG;
        series[seriesUsed++] = (byte) len;
        if (type != 0) {
            series[seriesUsed++] = 1 << 3;
            seriesUsed = Varint.put(series, seriesUsed, type);
        }
        if (helpRef != 0) {
            series[seriesUsed++] = 3 << 3;
            seriesUsed = Varint.put(series, seriesUsed, helpRef);
        }
        if (unitRef != 0) {
            series[seriesUsed++] = 4 << 3;
            seriesUsed = Varint.put(series, seriesUsed, unitRef);
        }
    }

    /**
     * The open series' created (start) timestamp in ms, remote write 2.0's {@code created_timestamp}
     * (field 6); not written for 0, the spec's "unset". Ingesters do not use it yet: it is kept for
     * when heads can (Prometheus's created-timestamp zero samples).
     */
    public void createdTimestamp(long millis) {
        if (millis == 0) return;
        ensure(1 + 10);
        series[seriesUsed++] = (byte) CREATED_TIMESTAMP_TAG;
        seriesUsed = Varint.put(series, seriesUsed, millis);
    }

    /** Ends the open series: writes its length, moving its body over when the length takes more than a byte. */
    public void endSeries() {
        if (seriesStart < 0) throw new IllegalStateException("no series is open");
        int body = seriesStart + 1;
        int len = seriesUsed - body;
        int extra = Varint.size(len) - 1;
        if (extra > 0) {
            ensure(extra);
            System.arraycopy(series, body, series, body + extra, len);
            seriesUsed += extra;
        }
        Varint.put(series, seriesStart, len);
        seriesStart = -1;
        seriesCount++;
    }

    public int seriesCount() { return seriesCount; }

    /** Float samples written since {@link #reset}. */
    public int sampleCount() { return sampleCount; }

    /** Exemplars written since {@link #reset}. */
    public int exemplarCount() { return exemplarCount; }

    /** Symbols in the table, "" included. */
    public int symbolCount() { return symbolCount; }

    /** The record: the symbol table, then the series. */
    public byte[] toByteArray() {
        if (seriesStart >= 0) throw new IllegalStateException("a series is not ended");
        int size = seriesUsed;
        for (int ref = 0; ref < symbolCount; ref++) {
            int len = symbolLength(ref);
            size += 1 + Varint.size(len) + len;
        }
        byte[] out = new byte[size];
        int at = 0;
        for (int ref = 0; ref < symbolCount; ref++) {
            int len = symbolLength(ref);
            out[at++] = (byte) SYMBOLS_TAG;
            at = Varint.put(out, at, len);
            System.arraycopy(symbolBytes, ref == 0 ? 0 : symbolEnd[ref - 1], out, at, len);
            at += len;
        }
        System.arraycopy(series, 0, out, at, seriesUsed);
        return out;
    }

    private int symbolLength(int ref) {
        return symbolEnd[ref] - (ref == 0 ? 0 : symbolEnd[ref - 1]);
    }

    private void ensure(int more) {
        if (seriesUsed + more > series.length) series = Arrays.copyOf(series, Math.max(series.length * 2, seriesUsed + more));
    }
}
