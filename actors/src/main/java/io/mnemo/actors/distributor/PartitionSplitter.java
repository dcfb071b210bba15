package io.mnemo.actors.distributor;

import io.mnemo.actors.distributor.SeriesValidator.Reason;
import io.mnemo.actors.distributor.SeriesValidator.Rejection;
import io.mnemo.actors.record.IngestRecordWriter;
import io.mnemo.tsdb.SeriesHasher;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;

/**
 * Turns one decoded push into one Kafka record value per partition: an ingest record
 * ({@link IngestRecordWriter}) holding the partition's series, their float and native histogram
 * samples, and the push's metric metadata routed to partitions by family. Labels with an empty
 * value are left out (Prometheus treats them as absent); exemplars are not carried.
 *
 * <p>What happens to bad series follows Mimir's distributor: a series that fails validation is
 * left out and counted, the valid ones are still written, and the push is then answered 400 with
 * the first rejection's message ({@link Split#firstRejection()}); if nothing valid is left, nothing
 * is written and the answer is the same 400. Series with no labels at all (after dropping empty
 * values) are dropped silently, as Mimir does. A malformed request is rejected whole, before any
 * record exists.
 *
 * <p>One pass: each label string is hashed once, and that hash serves both the series' partition
 * ({@link PartitionSharder}) and interning the string into the partition's symbol table. Reuses its
 * writers and scratch arrays: not thread-safe, one per distributor worker.
 */
public final class PartitionSplitter {
    /** How many rejection messages a split keeps (the rest are only counted). */
    public static final int DEFAULT_KEPT_REJECTIONS = 10;

    private final SeriesValidator validator;
    private final int keptRejections;
    private IngestRecordWriter[] writers = new IngestRecordWriter[0];
    private long[] nameHash = new long[32];
    private long[] valueHash = new long[32];
    private int[] labelIndex = new int[32];
    private int[] refs = new int[64];

    public PartitionSplitter(SeriesValidator validator) {
        this(validator, DEFAULT_KEPT_REJECTIONS);
    }

    public PartitionSplitter(SeriesValidator validator, int keptRejections) {
        if (keptRejections < 1) throw new IllegalArgumentException("keptRejections must be at least 1");
        this.validator = validator;
        this.keptRejections = keptRejections;
    }

    /**
     * Splits the request the reader points at (it is rewound first) over {@code partitions}, with
     * the metric metadata the other reader finds in the same request (null: none).
     *
     * @throws RemoteWriteException if the request is malformed
     */
    public Split split(String tenant, WriteRequestReader request, MetadataReader metadata, int partitions) {
        if (partitions <= 0) throw new IllegalArgumentException("partitions must be positive, got " + partitions);
        if (writers.length < partitions) {
            int old = writers.length;
            writers = Arrays.copyOf(writers, partitions);
            for (int p = old; p < partitions; p++) writers[p] = new IngestRecordWriter();
        }
        for (int p = 0; p < partitions; p++) writers[p].reset();
        long tenantSeed = PartitionSharder.tenantSeed(tenant);
        Split out = new Split(partitions);
        request.rewind();
        while (request.nextSeries()) {
            if (SeriesValidator.hasNoLabels(request)) {
                out.droppedEmptySeries++;
                continue;
            }
            Reason reason = validator.validate(request);
            if (reason != null) {
                out.reject(reason, request.sampleCount());
                if (out.rejections.size() < keptRejections) out.rejections.add(validator.rejection(request));
                continue;
            }
            int partition = write(tenantSeed, request, partitions);
            out.series[partition]++;
            out.samples[partition] += request.sampleCount();
        }
        if (metadata != null) {
            while (metadata.next()) writeMetadata(tenant, metadata, partitions);
        }
        for (int p = 0; p < partitions; p++) {
            if (writers[p].seriesCount() > 0) out.records[p] = writers[p].toByteArray();
        }
        return out;
    }

    /** Hashes the current series' strings, picks its partition and writes it there; returns the partition. */
    private int write(long tenantSeed, WriteRequestReader r, int partitions) {
        byte[] b = r.buffer();
        int n = r.labelCount();
        if (nameHash.length < n) {
            nameHash = new long[n];
            valueHash = new long[n];
            labelIndex = new int[n];
            refs = new int[2 * n];
        }
        long acc = tenantSeed;
        int k = 0;
        for (int i = 0; i < n; i++) {
            int valueLength = r.labelValueLength(i);
            if (valueLength == 0) continue;
            long nh = SeriesHasher.bytes(b, r.labelNameOffset(i), r.labelNameLength(i));
            long vh = SeriesHasher.bytes(b, r.labelValueOffset(i), valueLength);
            acc = SeriesHasher.combine(SeriesHasher.combine(acc, nh), vh);
            nameHash[k] = nh;
            valueHash[k] = vh;
            labelIndex[k++] = i;
        }
        int partition = PartitionSharder.partitionOf(SeriesHasher.finish(acc), partitions);
        IngestRecordWriter w = writers[partition];
        for (int j = 0; j < k; j++) {
            int i = labelIndex[j];
            refs[2 * j] = w.symbol(b, r.labelNameOffset(i), r.labelNameLength(i), nameHash[j]);
            refs[2 * j + 1] = w.symbol(b, r.labelValueOffset(i), r.labelValueLength(i), valueHash[j]);
        }
        w.beginSeries();
        w.labels(refs, 2 * k);
        for (int s = 0; s < r.sampleCount(); s++) w.sample(r.sampleTimestamp(s), r.sampleValueBits(s));
        for (int h = 0; h < r.histogramCount(); h++) w.histogram(b, r.histogramOffset(h), r.histogramLength(h));
        w.endSeries();
        return partition;
    }

    /**
     * A metadata entry as a series without samples, {@code {__name__="<family>"}} with the metadata,
     * in the partition of the tenant and family, so a family's metadata always lands on the same
     * partition.
     */
    private void writeMetadata(String tenant, MetadataReader md, int partitions) {
        if (md.family().isEmpty()) return;
        int p = Math.floorMod((tenant + '\u0000' + md.family()).hashCode(), partitions);
        IngestRecordWriter w = writers[p];
        refs[0] = w.symbol("__name__");
        refs[1] = w.symbol(md.family());
        int help = md.help().isEmpty() ? 0 : w.symbol(md.help());
        int unit = md.unit().isEmpty() ? 0 : w.symbol(md.unit());
        w.beginSeries();
        w.labels(refs, 2);
        w.metadata(md.typeNumber(), help, unit);
        w.endSeries();
    }

    /** The outcome of splitting one push. */
    public static final class Split {
        private final byte[][] records;
        private final int[] series;
        private final int[] samples;
        private final int[] rejectedSeriesByReason = new int[Reason.values().length];
        private final int[] rejectedSamplesByReason = new int[Reason.values().length];
        private final List<Rejection> rejections = new ArrayList<>();
        private int droppedEmptySeries;

        private Split(int partitions) {
            records = new byte[partitions][];
            series = new int[partitions];
            samples = new int[partitions];
        }

        private void reject(Reason reason, int sampleCount) {
            rejectedSeriesByReason[reason.ordinal()]++;
            rejectedSamplesByReason[reason.ordinal()] += sampleCount;
        }

        public int partitions() { return records.length; }

        /** The Kafka record value for a partition (an ingest record), or null when it got nothing. */
        public byte[] record(int partition) { return records[partition]; }

        /** Series written to a partition (metadata entries not counted). */
        public int seriesCount(int partition) { return series[partition]; }

        public int sampleCount(int partition) { return samples[partition]; }

        public int acceptedSeries() { return Arrays.stream(series).sum(); }

        public int acceptedSamples() { return Arrays.stream(samples).sum(); }

        public boolean hasRejections() { return rejectedSeries() > 0; }

        public int rejectedSeries() { return Arrays.stream(rejectedSeriesByReason).sum(); }

        public int rejectedSamples() { return Arrays.stream(rejectedSamplesByReason).sum(); }

        public int rejectedSeries(Reason reason) { return rejectedSeriesByReason[reason.ordinal()]; }

        /** Samples of rejected series, per reason: the discarded-samples metric. */
        public int rejectedSamples(Reason reason) { return rejectedSamplesByReason[reason.ordinal()]; }

        /** The first few rejections, in request order (see {@link #DEFAULT_KEPT_REJECTIONS}). */
        public List<Rejection> rejections() { return Collections.unmodifiableList(rejections); }

        /** What the push is answered with (HTTP 400) after the valid series were written, or null. */
        public Rejection firstRejection() { return rejections.isEmpty() ? null : rejections.get(0); }

        /** Series without any label, dropped without an error as Mimir does. */
        public int droppedEmptySeries() { return droppedEmptySeries; }
    }
}
