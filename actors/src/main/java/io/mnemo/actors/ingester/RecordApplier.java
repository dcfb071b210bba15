package io.mnemo.actors.ingester;

import io.mnemo.actors.ingest.HistogramMessage;
import io.mnemo.actors.ingest.IngestRecordReader;
import io.mnemo.actors.ingest.MetricTypes;
import io.mnemo.tsdb.Labels;
import io.mnemo.tsdb.Varint;
import io.mnemo.tsdb.exemplar.ExemplarStore;
import io.mnemo.tsdb.head.AppendResult;
import io.mnemo.tsdb.head.Head;
import io.mnemo.tsdb.histogram.FloatHistogram;
import io.mnemo.tsdb.histogram.Histogram;
import java.util.Arrays;

/**
 * Applies one ingest record to its tenant's head, as one batch of appends ({@link Head#beginAppend}):
 * finds each series (through the record's symbol table), appends its samples from the floor on
 * (its float samples, then its native histograms, as Prometheus's remote write handler does),
 * keeps metric metadata up to the tenant's limit of families, adds exemplars to the tenant's
 * exemplar store, and collects the samples the head took out of order for the write-behind log.
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
    private boolean firstTime;
    private boolean started; // its first sample seeded the head (if new) and set the floor
    private long floor;
    private boolean outOfOrderLogged;
    private long maxTime;
    private long belowFloor;
    private long metadataRefused;
    private long exemplarsAppended;
    private long exemplarsOutOfOrder;
    private byte[] exemplarLabels = new byte[256]; // one exemplar's labels, encoded for the store
    private long histogramsUndecodable;
    private final Histogram histogram = new Histogram();       // decoded into, sample after sample
    private final FloatHistogram floatHistogram = FloatHistogram.empty();

    /**
     * Applies a record as one batch of appends to the tenant's head, whose min valid time the
     * caller set. Its first sample seeds a head that never took one. Applied for the first time,
     * samples older than the head's {@link Head#minAppendableTime} are refused and counted in
     * {@link #belowFloor}; applied again ({@code firstTime} false: a journal replay, or Kafka
     * after a lost journal), samples before the min valid time are dropped uncounted (they are in
     * blocks, or were refused and counted the first time). With {@code outOfOrderLogged}, samples
     * that would go out of order are dropped too (the write-behind log restored them already).
     *
     * @throws io.mnemo.actors.ingest.MalformedRecordException if the record does not decode; what
     *         came before the damage is applied
     */
    void apply(PartitionTsdb.Tenant t, byte[] record, boolean firstTime, boolean outOfOrderLogged) {
        this.head = t.head;
        this.firstTime = firstTime;
        this.outOfOrderLogged = outOfOrderLogged;
        started = false;
        floor = Long.MIN_VALUE;
        maxTime = Long.MIN_VALUE;
        belowFloor = 0;
        metadataRefused = 0;
        exemplarsAppended = exemplarsOutOfOrder = 0;
        histogramsUndecodable = 0;
        missingCount = 0;
        head.beginAppend();
        outOfOrder.reset();
        reader.reset(record);
        lookup.reset(reader, head);
        try {
            while (reader.nextSeries()) {
                if (reader.hasMetadata()) keepMetadata(t);
                if (reader.exemplarCount() > 0 && t.exemplars != null) keepExemplars(t.exemplars);
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

    /**
     * Samples of the last record refused before touching their series, applied for the first
     * time: out of bounds without an out-of-order window, too old with one.
     */
    long belowFloor() { return belowFloor; }

    /**
     * Native histograms of the last record, applied for the first time, whose message did not
     * decode (the distributor checked them: damage or a foreign writer); refused like invalid ones.
     */
    long histogramsUndecodable() { return histogramsUndecodable; }

    /** Metric families of the last record whose metadata was dropped: new ones over the tenant's limit. */
    long metadataRefused() { return metadataRefused; }

    /** Exemplars of the last record added to the tenant's store. */
    long exemplarsAppended() { return exemplarsAppended; }

    /** Exemplars of the last record refused as out of order (duplicates of a series' newest are not counted). */
    long exemplarsOutOfOrder() { return exemplarsOutOfOrder; }

    boolean hasOutOfOrder() { return !outOfOrder.isEmpty(); }

    long outOfOrderMaxTime() { return outOfOrder.maxTime(); }

    /** The last record's out-of-order samples, as an ingest record for the write-behind log. */
    byte[] outOfOrderRecord() { return outOfOrder.toByteArray(); }

    /** Whether the current series has a sample at or after the floor; counts the rest as refused if not. */
    private boolean hasSamplesFromFloor() {
        int n = reader.sampleCount();
        int nh = reader.histogramCount();
        if (n + nh == 0) return false;
        if (!started) start(n > 0 ? reader.sampleTimestamp(0) : reader.histogramTimestamp(0));
        for (int i = 0; i < n; i++) if (reader.sampleTimestamp(i) >= floor) return true;
        for (int i = 0; i < nh; i++) if (reader.histogramTimestamp(i) >= floor) return true;
        if (firstTime) belowFloor += n + nh;
        return false;
    }

    /** At the record's first sample, in record order: seeds a new head with it, and sets the floor. */
    private void start(long firstTimestamp) {
        started = true;
        head.seed(firstTimestamp);
        floor = firstTime ? head.minAppendableTime() : head.minValidTime();
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
                if (firstTime) belowFloor++;
                continue;
            }
            if (outOfOrderLogged && head.isOutOfOrder(ref, ts)) continue;
            double v = reader.sampleValue(i);
            if (head.append(ref, ts, v) == AppendResult.OK_OUT_OF_ORDER) outOfOrder.add(reader, ts, v);
            if (ts > maxTime) maxTime = ts;
        }
        if (reader.histogramCount() > 0) appendHistograms(ref);
    }

    /**
     * The current series' native histograms, with the float samples' rules: those the head took
     * out of order go to the write-behind log as their messages. One whose message does not
     * decode is refused and counted, and the rest of the record applied.
     */
    private void appendHistograms(int ref) {
        byte[] b = reader.buffer();
        for (int i = 0; i < reader.histogramCount(); i++) {
            long ts = reader.histogramTimestamp(i);
            if (ts < floor) {
                if (firstTime) belowFloor++;
                continue;
            }
            if (outOfOrderLogged && head.isOutOfOrder(ref, ts)) continue;
            int off = reader.histogramOffset(i);
            int len = reader.histogramLength(i);
            AppendResult r;
            try {
                r = HistogramMessage.isFloat(b, off, len)
                        ? head.appendFloatHistogram(ref, ts, HistogramMessage.readFloat(b, off, len, floatHistogram))
                        : head.appendHistogram(ref, ts, HistogramMessage.readInt(b, off, len, histogram));
            } catch (IllegalArgumentException e) {
                if (firstTime) histogramsUndecodable++;
                continue;
            }
            if (r == AppendResult.OK_OUT_OF_ORDER) outOfOrder.addHistogram(reader, i);
            if (ts > maxTime) maxTime = ts;
        }
    }

    /**
     * Adds the current series' exemplars to the tenant's store, by the series' labels (one
     * {@link Labels} per series that carries exemplars: they are far rarer than
     * samples). Applied again (a replay), an exemplar the store has is a duplicate or out of
     * order and changes nothing.
     */
    private void keepExemplars(ExemplarStore store) {
        Labels series = reader.labels();
        byte[] b = reader.buffer();
        for (int e = 0; e < reader.exemplarCount(); e++) {
            int len = 0;
            int n = reader.exemplarLabelRefCount(e);
            for (int k = 0; k < n; k++) {
                int ref = reader.exemplarLabelRef(e, k);
                int l = reader.symbolLength(ref);
                if (exemplarLabels.length < len + Varint.MAX_BYTES + l) {
                    exemplarLabels = Arrays.copyOf(exemplarLabels, Math.max(2 * exemplarLabels.length, len + Varint.MAX_BYTES + l));
                }
                len = Varint.put(exemplarLabels, len, l);
                System.arraycopy(b, reader.symbolOffset(ref), exemplarLabels, len, l);
                len += l;
            }
            switch (store.add(series, exemplarLabels, 0, len, reader.exemplarTimestamp(e), reader.exemplarValueBits(e))) {
                case ADDED -> exemplarsAppended++;
                case OUT_OF_ORDER -> exemplarsOutOfOrder++;
                case DUPLICATE -> { }
            }
        }
    }

    /**
     * Keeps the metric metadata the current series carries (its metric name is the family): an
     * update of a family the tenant has, or a new one while the tenant is under its limit of
     * families in this partition (Mimir's max_global_metadata_per_user, split over partitions).
     */
    private void keepMetadata(PartitionTsdb.Tenant t) {
        for (int i = 0; i < reader.labelRefCount(); i += 2) {
            if (!"__name__".equals(reader.symbol(reader.labelRef(i)))) continue;
            String family = reader.symbol(reader.labelRef(i + 1));
            if (t.metadataLimit > 0 && t.metadata.size() >= t.metadataLimit && !t.metadata.containsKey(family)) {
                metadataRefused++;
                return;
            }
            t.metadata.put(family, new String[] {MetricTypes.name(reader.metadataType()),
                    reader.symbol(reader.metadataHelpRef()), reader.symbol(reader.metadataUnitRef())});
            return;
        }
    }
}
