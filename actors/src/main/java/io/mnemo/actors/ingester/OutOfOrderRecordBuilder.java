package io.mnemo.actors.ingester;

import io.mnemo.actors.ingest.IngestRecordReader;
import io.mnemo.actors.ingest.IngestRecordWriter;
import io.mnemo.tsdb.SeriesHasher;
import java.util.Arrays;

/**
 * Collects, while an ingest record is applied, the samples its tenant's head took out of order,
 * and encodes them as an ingest record for the write-behind log: each series' labels copied from
 * the record being read, its float samples as they come and its native histograms as the
 * record's encoded messages (field 3), so nothing is allocated per sample. Reused from
 * record to record.
 */
final class OutOfOrderRecordBuilder {
    private final IngestRecordWriter writer = new IngestRecordWriter();
    private int series = -1; // reader's index of the open series; -1 when none is open
    private int[] refs = new int[32];
    private long maxTime = Long.MIN_VALUE;

    void reset() {
        writer.reset();
        series = -1;
        maxTime = Long.MIN_VALUE;
    }

    /** Adds a sample of the reader's current series. */
    void add(IngestRecordReader reader, long t, double v) {
        openSeries(reader);
        writer.sample(t, Double.doubleToRawLongBits(v));
        if (t > maxTime) maxTime = t;
    }

    /** Adds native histogram {@code i} of the reader's current series, its message copied. */
    void addHistogram(IngestRecordReader reader, int i) {
        openSeries(reader);
        writer.histogram(reader.buffer(), reader.histogramOffset(i), reader.histogramLength(i));
        long t = reader.histogramTimestamp(i);
        if (t > maxTime) maxTime = t;
    }

    private void openSeries(IngestRecordReader reader) {
        if (reader.seriesIndex() != series) {
            endSeries();
            series = reader.seriesIndex();
            int n = reader.labelRefCount();
            if (refs.length < n) refs = Arrays.copyOf(refs, n);
            byte[] b = reader.buffer();
            for (int i = 0; i < n; i++) {
                int ref = reader.labelRef(i);
                int off = reader.symbolOffset(ref), len = reader.symbolLength(ref);
                refs[i] = writer.symbol(b, off, len, SeriesHasher.bytes(b, off, len));
            }
            writer.beginSeries();
            writer.labels(refs, n);
        }
    }

    boolean isEmpty() { return series < 0 && writer.seriesCount() == 0; }

    long maxTime() { return maxTime; }

    /** The record of everything added since {@link #reset}. */
    byte[] toByteArray() {
        endSeries();
        return writer.toByteArray();
    }

    private void endSeries() {
        if (series < 0) return;
        writer.endSeries();
        series = -1;
    }
}
