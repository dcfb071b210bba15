package io.mnemo.actors.ingester;

import io.mnemo.actors.distributor.WriteRequestReader;
import java.util.Arrays;

/**
 * Collects, while a Kafka record is applied, the samples its tenant's head took out of order, and
 * encodes them as a remote-write {@code WriteRequest} for the write-behind log: each series'
 * labels are copied as bytes from the record being read, its samples from primitive arrays, so
 * nothing is allocated per sample. Reused from record to record.
 */
final class OutOfOrderRecordBuilder {
    private byte[] out = new byte[256];
    private int len;
    private byte[] labels = new byte[128]; // the current series' encoded Label fields
    private int labelsLen;
    private int series = -1;               // reader's index of the current series
    private long[] times = new long[16];
    private long[] values = new long[16];  // raw bits
    private int n;
    private long maxTime = Long.MIN_VALUE;

    void reset() {
        len = 0;
        series = -1;
        n = 0;
        maxTime = Long.MIN_VALUE;
    }

    /** Adds a sample of the reader's current series. */
    void add(WriteRequestReader reader, long t, double v) {
        if (reader.seriesIndex() != series) {
            endSeries();
            series = reader.seriesIndex();
            copyLabels(reader);
        }
        if (n == times.length) {
            times = Arrays.copyOf(times, n * 2);
            values = Arrays.copyOf(values, n * 2);
        }
        times[n] = t;
        values[n++] = Double.doubleToRawLongBits(v);
        if (t > maxTime) maxTime = t;
    }

    boolean isEmpty() { return len == 0 && n == 0; }

    long maxTime() { return maxTime; }

    /** The WriteRequest of everything added since {@link #reset}. */
    byte[] toByteArray() {
        endSeries();
        return Arrays.copyOf(out, len);
    }

    private void copyLabels(WriteRequestReader r) {
        labelsLen = 0;
        byte[] buf = r.buffer();
        for (int i = 0; i < r.labelCount(); i++) {
            int nl = r.labelNameLength(i), vl = r.labelValueLength(i);
            int body = 1 + varintSize(nl) + nl + 1 + varintSize(vl) + vl;
            labels = ensure(labels, labelsLen, 1 + varintSize(body) + body);
            labelsLen = putByte(labels, labelsLen, 0x0A);                // TimeSeries.labels
            labelsLen = putVarint(labels, labelsLen, body);
            labelsLen = putByte(labels, labelsLen, 0x0A);                // Label.name
            labelsLen = putVarint(labels, labelsLen, nl);
            System.arraycopy(buf, r.labelNameOffset(i), labels, labelsLen, nl);
            labelsLen += nl;
            labelsLen = putByte(labels, labelsLen, 0x12);                // Label.value
            labelsLen = putVarint(labels, labelsLen, vl);
            System.arraycopy(buf, r.labelValueOffset(i), labels, labelsLen, vl);
            labelsLen += vl;
        }
    }

    private void endSeries() {
        if (n == 0) return;
        int samples = 0;
        for (int i = 0; i < n; i++) samples += 2 + sampleSize(times[i]);
        int body = labelsLen + samples;
        out = ensure(out, len, 1 + varintSize(body) + body);
        len = putByte(out, len, 0x0A);                                   // WriteRequest.timeseries
        len = putVarint(out, len, body);
        System.arraycopy(labels, 0, out, len, labelsLen);
        len += labelsLen;
        for (int i = 0; i < n; i++) {
            len = putByte(out, len, 0x12);                               // TimeSeries.samples
            len = putVarint(out, len, sampleSize(times[i]));
            len = putByte(out, len, 0x09);                               // Sample.value, fixed64
            for (int b = 0; b < 8; b++) out[len++] = (byte) (values[i] >>> (8 * b));
            len = putByte(out, len, 0x10);                               // Sample.timestamp, varint
            len = putVarint(out, len, times[i]);
        }
        n = 0;
    }

    private static int sampleSize(long t) { return 1 + 8 + 1 + varintSize(t); }

    private static int varintSize(long v) {
        int size = 1;
        while ((v & ~0x7FL) != 0) {
            v >>>= 7;
            size++;
        }
        return size;
    }

    private static int putByte(byte[] b, int at, int v) {
        b[at] = (byte) v;
        return at + 1;
    }

    private static int putVarint(byte[] b, int at, long v) {
        while ((v & ~0x7FL) != 0) {
            b[at++] = (byte) ((v & 0x7F) | 0x80);
            v >>>= 7;
        }
        b[at++] = (byte) v;
        return at;
    }

    private static byte[] ensure(byte[] b, int used, int more) {
        return used + more <= b.length ? b : Arrays.copyOf(b, Math.max(b.length * 2, used + more));
    }
}
