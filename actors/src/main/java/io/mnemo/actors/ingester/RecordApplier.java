package io.mnemo.actors.ingester;

import io.mnemo.actors.distributor.MetadataReader;
import io.mnemo.actors.record.IngestRecordReader;
import io.mnemo.tsdb.head.AppendResult;
import io.mnemo.tsdb.head.Head;
import java.util.Arrays;

/**
 * Applies one ingest record to its tenant's head: finds each series (through the record's symbol
 * table), appends its samples from the floor on, keeps metric metadata, and collects the samples
 * the head took out of order for the write-behind log.
 *
 * <p>Series the head does not have yet are created after the record's other series, in a second
 * walk over the record: the common case (every series known) runs a short loop of lookups and
 * appends, and the allocation-heavy creation path stays out of it (and out of what the JIT
 * compiles into it). Per series nothing changes: its samples are appended in order, once.
 *
 * <p>Reused record after record; not thread-safe.
 */
final class RecordApplier {
    private final IngestRecordReader reader = new IngestRecordReader();
    private final RecordSeriesLookup lookup = new RecordSeriesLookup();
    private final OutOfOrderRecordBuilder outOfOrder = new OutOfOrderRecordBuilder();
    private int[] missing = new int[64]; // indexes of series the head does not have
    private int missingCount;

    // The record being applied.
    private Head head;
    private long floor;
    private boolean countTooOld;
    private boolean outOfOrderLogged;
    private long maxTime;
    private long tooOld;

    /**
     * Applies a record. Samples before {@code floor} are dropped, and counted as too old when
     * {@code countTooOld}; with {@code outOfOrderLogged}, samples that would go out of order are
     * dropped too (the write-behind log restored them already).
     *
     * @throws io.mnemo.actors.record.MalformedRecordException if the record does not decode; what
     *         came before the damage is applied
     */
    void apply(PartitionTsdb.Tenant t, byte[] record, long floor, boolean countTooOld, boolean outOfOrderLogged) {
        this.head = t.head;
        this.floor = floor;
        this.countTooOld = countTooOld;
        this.outOfOrderLogged = outOfOrderLogged;
        maxTime = Long.MIN_VALUE;
        tooOld = 0;
        missingCount = 0;
        outOfOrder.reset();
        reader.reset(record);
        lookup.reset(reader, head);
        try {
            while (reader.nextSeries()) {
                if (reader.hasMetadata()) keepMetadata(t);
                if (!hasSamplesFromFloor()) continue;
                int ref = lookup.find();
                if (ref >= 0) {
                    appendSamples(ref);
                } else {
                    if (missingCount == missing.length) missing = Arrays.copyOf(missing, missingCount * 2);
                    missing[missingCount++] = reader.seriesIndex();
                }
            }
        } finally {
            // Also when the record is damaged further on: the new series before the damage count too.
            if (missingCount > 0) createMissing(record);
        }
    }

    /** Newest sample appended from the last record; Long.MIN_VALUE when none. */
    long maxTime() { return maxTime; }

    /** Samples of the last record dropped as too old (when counted). */
    long tooOld() { return tooOld; }

    boolean hasOutOfOrder() { return !outOfOrder.isEmpty(); }

    long outOfOrderMaxTime() { return outOfOrder.maxTime(); }

    /** The last record's out-of-order samples, as an ingest record for the write-behind log. */
    byte[] outOfOrderRecord() { return outOfOrder.toByteArray(); }

    /** Whether the current series has a sample at or after the floor; counts the rest as too old if not. */
    private boolean hasSamplesFromFloor() {
        int n = reader.sampleCount();
        for (int i = 0; i < n; i++) if (reader.sampleTimestamp(i) >= floor) return true;
        if (countTooOld) tooOld += n;
        return false;
    }

    /** Second walk over the record: creates the series the first one did not find, and appends their samples. */
    private void createMissing(byte[] record) {
        reader.reset(record); // the same symbols: the lookup's resolutions stay valid
        int next = 0;
        while (next < missingCount && reader.nextSeries()) {
            if (reader.seriesIndex() != missing[next]) continue;
            next++;
            appendSamples(lookup.create());
        }
    }

    private void appendSamples(int ref) {
        int n = reader.sampleCount();
        for (int i = 0; i < n; i++) {
            long ts = reader.sampleTimestamp(i);
            if (ts < floor) {
                if (countTooOld) tooOld++;
                continue;
            }
            if (outOfOrderLogged && head.isOutOfOrder(ref, ts)) continue;
            double v = reader.sampleValue(i);
            if (head.append(ref, ts, v) == AppendResult.OK_OUT_OF_ORDER) outOfOrder.add(reader, ts, v);
            if (ts > maxTime) maxTime = ts;
        }
    }

    /** Keeps the metric metadata the current series carries (its metric name is the family). */
    private void keepMetadata(PartitionTsdb.Tenant t) {
        for (int i = 0; i < reader.labelRefCount(); i += 2) {
            if (!"__name__".equals(reader.symbol(reader.labelRef(i)))) continue;
            t.metadata.put(reader.symbol(reader.labelRef(i + 1)), new String[] {MetadataReader.typeName(reader.metadataType()),
                    reader.symbol(reader.metadataHelpRef()), reader.symbol(reader.metadataUnitRef())});
            return;
        }
    }
}
