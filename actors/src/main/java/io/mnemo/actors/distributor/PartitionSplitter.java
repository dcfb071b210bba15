package io.mnemo.actors.distributor;

import io.mnemo.actors.distributor.SeriesValidator.Reason;
import io.mnemo.actors.distributor.SeriesValidator.Rejection;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;

/**
 * Turns one decoded push into one Kafka record value per partition. Each value is itself a
 * protobuf WriteRequest: the partition's series copied byte for byte from the push (field tag
 * 0x0A, length, TimeSeries bytes), never re-encoded, so exemplars and fields Mnemo does not know
 * travel unchanged. Request metadata (WriteRequest field 3) is not forwarded.
 *
 * <p>What happens to bad series follows Mimir's distributor: a series that fails validation is
 * left out and counted, the valid ones are still written, and the push is then answered 400 with
 * the first rejection's message ({@link Split#firstRejection()}); if nothing valid is left, nothing
 * is written and the answer is the same 400. Series with no labels at all (after dropping empty
 * values) are dropped silently, as Mimir does. A malformed request is rejected whole, before any
 * record exists.
 *
 * <p>Two passes over the request: the first validates and shards, remembering where each kept
 * series is; the second copies into exactly sized arrays. Reuses its index arrays: not
 * thread-safe, one per distributor worker.
 */
public final class PartitionSplitter {
    /** How many rejection messages a split keeps (the rest are only counted). */
    public static final int DEFAULT_KEPT_REJECTIONS = 10;
    private static final int SERIES_TAG = 1 << 3 | 2; // WriteRequest.timeseries, length-delimited

    private final SeriesValidator validator;
    private final int keptRejections;
    private final PartitionSharder sharder = new PartitionSharder();
    private int[] keptOffset = new int[256];
    private int[] keptLength = new int[256];
    private int[] keptPartition = new int[256];

    public PartitionSplitter(SeriesValidator validator) {
        this(validator, DEFAULT_KEPT_REJECTIONS);
    }

    public PartitionSplitter(SeriesValidator validator, int keptRejections) {
        if (keptRejections < 1) throw new IllegalArgumentException("keptRejections must be at least 1");
        this.validator = validator;
        this.keptRejections = keptRejections;
    }

    /**
     * Splits the request the reader points at (it is rewound first) over {@code partitions}.
     *
     * @throws RemoteWriteException if the request is malformed
     */
    public Split split(String tenant, WriteRequestReader request, int partitions) {
        if (partitions <= 0) throw new IllegalArgumentException("partitions must be positive, got " + partitions);
        byte[] tenantUtf8 = tenant.getBytes(StandardCharsets.UTF_8);
        Split out = new Split(partitions);
        int[] bytes = new int[partitions];
        int kept = 0;
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
            int partition = sharder.partitionFor(tenantUtf8, request, partitions);
            int length = request.seriesLength();
            if (kept == keptOffset.length) grow();
            keptOffset[kept] = request.seriesOffset();
            keptLength[kept] = length;
            keptPartition[kept] = partition;
            kept++;
            bytes[partition] += 1 + varintSize(length) + length;
            out.series[partition]++;
            out.samples[partition] += request.sampleCount();
        }

        byte[] source = request.buffer();
        int[] position = new int[partitions];
        for (int p = 0; p < partitions; p++) if (bytes[p] > 0) out.records[p] = new byte[bytes[p]];
        for (int k = 0; k < kept; k++) {
            int p = keptPartition[k];
            byte[] record = out.records[p];
            int at = position[p];
            record[at++] = SERIES_TAG;
            at = writeVarint(record, at, keptLength[k]);
            System.arraycopy(source, keptOffset[k], record, at, keptLength[k]);
            position[p] = at + keptLength[k];
        }
        return out;
    }

    private void grow() {
        int n = keptOffset.length * 2;
        keptOffset = Arrays.copyOf(keptOffset, n);
        keptLength = Arrays.copyOf(keptLength, n);
        keptPartition = Arrays.copyOf(keptPartition, n);
    }

    static int varintSize(int v) {
        int n = 1;
        while ((v & ~0x7F) != 0) {
            v >>>= 7;
            n++;
        }
        return n;
    }

    static int writeVarint(byte[] b, int at, int v) {
        while ((v & ~0x7F) != 0) {
            b[at++] = (byte) (v & 0x7F | 0x80);
            v >>>= 7;
        }
        b[at++] = (byte) v;
        return at;
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

        /** The Kafka record value for a partition (a WriteRequest), or null when it got no series. */
        public byte[] record(int partition) { return records[partition]; }

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
