package io.mnemo.actors.distributor;

import io.mnemo.actors.ingest.IngestRecordWriter;
import io.mnemo.tsdb.SeriesHasher;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;

/**
 * Turns one decoded push, remote write 1.0 ({@link #split}) or 2.0 ({@link #splitV2}), into one
 * Kafka record value per partition: an ingest record ({@link IngestRecordWriter}) holding the
 * partition's series with their float and native histogram samples, and the push's metric metadata routed to partitions
 * by family, and the series' exemplars that pass {@link ExemplarValidator}. Labels with an empty
 * value are left out (Prometheus treats them as absent), in exemplars too.
 *
 * <p>What happens to bad input follows Mimir's distributor: a series that fails validation
 * ({@link SeriesValidator}) is left out; a sample outside the tenant's time limits
 * ({@link PushLimits}) is left out of its series, whose other samples are kept; so is a native
 * histogram sample that {@link HistogramValidator} refuses (one over the tenant's bucket limit may
 * instead be reduced in resolution and re-encoded); metadata that fails {@link MetadataValidator}
 * is left out, and a HELP over the length limit is cut to it. Everything left out is counted by
 * reason, the rest is still written, and the push is then answered 400 with the first refusal's
 * message ({@link Split#firstRejection()}); if nothing valid is left, nothing is written and the
 * answer is the same 400. Series with no labels at all (after dropping empty values) are dropped
 * silently, as Mimir does. A malformed request is rejected whole, before any record exists.
 *
 * <p>One pass: each label string is hashed once, and that hash serves both the series' partition
 * ({@link PartitionSharder}) and interning the string into the partition's symbol table. Samples
 * are checked against the limits in place and only accepted ones are copied, so nothing is
 * allocated per series or float sample (native histograms are decoded to be checked, into reused
 * instances). Reuses its writers and scratch arrays: not thread-safe, one per
 * distributor worker.
 */
public final class PartitionSplitter {
    private static final byte[] METRIC_NAME = "__name__".getBytes(StandardCharsets.US_ASCII);
    private static final long METRIC_NAME_HASH = SeriesHasher.bytes(METRIC_NAME, 0, METRIC_NAME.length);

    /** How many rejection messages a split keeps (the rest are only counted). */
    public static final int DEFAULT_KEPT_REJECTIONS = 10;

    private final SeriesValidator validator;
    private final int keptRejections;
    private final SeriesMetadata seriesMetadata = new SeriesMetadata();
    private final FamilySet families = new FamilySet();
    private IngestRecordWriter[] writers = new IngestRecordWriter[0];
    private long[] nameHash = new long[32];
    private long[] valueHash = new long[32];
    private int[] labelIndex = new int[32];
    private int[] refs = new int[64];
    private boolean[] exemplarAccepted = new boolean[16]; // of the current series
    private int[] exemplarRefs = new int[16];
    private final HistogramValidator histogramValidator = new HistogramValidator();
    // Of the current series' native histograms: accepted ones, and where a re-encoded one is (-1: as sent).
    private boolean[] histogramAccepted = new boolean[4];
    private int[] histogramReencodedOffset = new int[4];
    private int[] histogramReencodedLength = new int[4];
    private long oldestHistogram; // of the current series' histograms, Long.MAX_VALUE: none

    public PartitionSplitter(SeriesValidator validator) {
        this(validator, DEFAULT_KEPT_REJECTIONS);
    }

    public PartitionSplitter(SeriesValidator validator, int keptRejections) {
        if (keptRejections < 1) throw new IllegalArgumentException("keptRejections must be at least 1");
        this.validator = validator;
        this.keptRejections = keptRejections;
    }

    /** {@link #split(String, WriteRequestReader, MetadataReader, int, PushLimits)} without a tenant's limits. */
    public Split split(String tenant, WriteRequestReader request, MetadataReader metadata, int partitions) {
        return split(tenant, request, metadata, partitions, PushLimits.NONE);
    }

    /**
     * Splits the request the reader points at (it is rewound first) over {@code partitions}, with
     * the metric metadata the other reader finds in the same request (null: none), under the
     * tenant's limits for this push.
     *
     * @throws RemoteWriteException if the request is malformed
     */
    public Split split(String tenant, WriteRequestReader request, MetadataReader metadata, int partitions, PushLimits limits) {
        resetWriters(partitions);
        long tenantSeed = PartitionSharder.tenantSeed(tenant);
        Split out = new Split(partitions);
        request.rewind();
        while (request.nextSeries()) {
            if (SeriesValidator.hasNoLabels(request)) {
                out.droppedEmptySeries++;
                continue;
            }
            if (!validate(request, out)) continue;
            int accepted = checkSamples(request, limits, out);
            int histograms = checkHistograms(request, limits, out);
            int exemplars = checkExemplars(request, limits, out);
            if (accepted == 0 && histograms == 0 && exemplars == 0 && request.sampleCount() + request.histogramCount() > 0) {
                continue; // all refused
            }
            int partition = write(tenantSeed, request, partitions, limits, 0);
            out.series[partition]++;
            out.samples[partition] += accepted;
            out.histograms[partition] += histograms;
            out.exemplars[partition] += exemplars;
        }
        if (metadata != null) {
            while (metadata.next()) addMetadata(tenant, metadata, partitions, limits, out);
        }
        return finish(out, partitions);
    }

    /**
     * Splits the remote write 2.0 request the reader points at (it is rewound first) over
     * {@code partitions}, under the tenant's limits for this push: the same rules as
     * {@link #split(String, WriteRequestReader, MetadataReader, int, PushLimits) 1.0's}, with what
     * 2.0 changes. A series without any label is refused (400, {@code missing_metric_name}) rather
     * than dropped, as Prometheus 3 refuses it. A series' metadata (type, help, unit) becomes its
     * family's metadata, once per family and push: the family is the metric name, without the
     * {@code _bucket}, {@code _sum} and {@code _count} suffixes of a histogram's or summary's
     * series; it is kept for series whose labels are valid, is checked by {@link MetadataValidator}
     * and travels as 1.0's does. A series' {@code created_timestamp} is kept in its record. A
     * series left with no sample (float or histogram) nor exemplar is not written (its metadata still is).
     *
     * @throws RemoteWriteException if the request is malformed
     */
    public Split splitV2(String tenant, RequestV2Reader request, int partitions, PushLimits limits) {
        resetWriters(partitions);
        families.clear();
        long tenantSeed = PartitionSharder.tenantSeed(tenant);
        Split out = new Split(partitions);
        request.rewind();
        while (request.nextSeries()) {
            if (!validate(request, out)) continue;
            if (request.hasMetadata() && seriesMetadata.of(request) && families.add(seriesMetadata)) {
                addMetadata(tenant, seriesMetadata, partitions, limits, out);
            }
            int accepted = checkSamples(request, limits, out);
            int histograms = checkHistograms(request, limits, out);
            int exemplars = checkExemplars(request, limits, out);
            if (accepted == 0 && histograms == 0 && exemplars == 0) continue;
            int partition = write(tenantSeed, request, partitions, limits, request.createdTimestamp());
            out.series[partition]++;
            out.samples[partition] += accepted;
            out.histograms[partition] += histograms;
            out.exemplars[partition] += exemplars;
        }
        return finish(out, partitions);
    }

    private void resetWriters(int partitions) {
        if (partitions <= 0) throw new IllegalArgumentException("partitions must be positive, got " + partitions);
        if (writers.length < partitions) {
            int old = writers.length;
            writers = Arrays.copyOf(writers, partitions);
            for (int p = old; p < partitions; p++) writers[p] = new IngestRecordWriter();
        }
        for (int p = 0; p < partitions; p++) writers[p].reset();
    }

    private Split finish(Split out, int partitions) {
        for (int p = 0; p < partitions; p++) {
            if (writers[p].seriesCount() > 0) out.records[p] = writers[p].toByteArray();
        }
        return out;
    }

    /** Validates the current series' labels; counts and keeps the refusal if they are not valid. */
    private boolean validate(RemoteWriteSeries request, Split out) {
        DiscardReason reason = validator.validate(request);
        if (reason == null) return true;
        out.rejectedSeriesByReason[reason.ordinal()]++;
        out.discard(reason, request.sampleCount() + request.histogramCount());
        if (out.keepsMore(keptRejections)) out.rejections.add(validator.rejection(request));
        return false;
    }

    /** Validates a metadata entry and writes it to its family's partition, or counts its refusal. */
    private void addMetadata(String tenant, MetadataEntry md, int partitions, PushLimits limits, Split out) {
        DiscardReason reason = MetadataValidator.validate(md, limits.maxMetadataLength());
        if (reason != null) {
            out.discard(reason, 1);
            if (out.keepsMore(keptRejections)) out.rejections.add(MetadataValidator.rejection(md, reason, limits.maxMetadataLength()));
            return;
        }
        writeMetadata(tenant, md, partitions, MetadataValidator.helpLength(md, limits.maxMetadataLength()));
    }

    /**
     * Counts the current series' float samples the limits refuse, keeping messages for the first
     * few; returns how many are accepted.
     */
    private int checkSamples(RemoteWriteSeries r, PushLimits limits, Split out) {
        int accepted = 0;
        for (int s = 0; s < r.sampleCount(); s++) {
            DiscardReason reason = limits.check(r.sampleTimestamp(s));
            if (reason == null) {
                accepted++;
                continue;
            }
            out.discard(reason, 1);
            if (out.keepsMore(keptRejections)) out.rejections.add(sampleRejection(r, reason, r.sampleTimestamp(s)));
        }
        return accepted;
    }

    /**
     * Checks the current series' native histogram samples ({@link HistogramValidator}), marking
     * the accepted ones for {@link #write} (with where a reduced one was re-encoded) and counting
     * and keeping the refusals; returns how many are accepted.
     *
     * @throws RemoteWriteException if a histogram message is damaged
     */
    private int checkHistograms(RemoteWriteSeries r, PushLimits limits, Split out) {
        int n = r.histogramCount();
        oldestHistogram = Long.MAX_VALUE;
        if (n == 0) return 0;
        if (histogramAccepted.length < n) {
            int size = Math.max(n, 2 * histogramAccepted.length);
            histogramAccepted = new boolean[size];
            histogramReencodedOffset = new int[size];
            histogramReencodedLength = new int[size];
        }
        histogramValidator.beginSeries();
        int accepted = 0;
        for (int h = 0; h < n; h++) {
            DiscardReason reason = histogramValidator.check(r, h, limits, out.keepsMore(keptRejections));
            histogramAccepted[h] = reason == null;
            if (reason == null) {
                histogramReencodedOffset[h] = histogramValidator.reencodedOffset();
                histogramReencodedLength[h] = histogramValidator.reencodedLength();
                oldestHistogram = Math.min(oldestHistogram, histogramValidator.timestamp());
                accepted++;
                continue;
            }
            out.discard(reason, 1);
            if (out.keepsMore(keptRejections)) out.rejections.add(histogramValidator.rejection());
        }
        return accepted;
    }

    /**
     * Validates the current series' exemplars ({@link ExemplarValidator}), marking the accepted
     * ones for {@link #write} and counting and keeping the refusals; returns how many are accepted.
     */
    private int checkExemplars(RemoteWriteSeries r, PushLimits limits, Split out) {
        int n = r.exemplarCount();
        if (n == 0) return 0;
        if (exemplarAccepted.length < n) exemplarAccepted = new boolean[Math.max(n, 2 * exemplarAccepted.length)];
        long oldestSample = oldestHistogram;
        for (int s = 0; s < r.sampleCount(); s++) oldestSample = Math.min(oldestSample, r.sampleTimestamp(s));
        int accepted = 0;
        for (int e = 0; e < n; e++) {
            DiscardReason reason = ExemplarValidator.validate(r, e, limits, oldestSample);
            exemplarAccepted[e] = reason == null;
            if (reason == null) {
                accepted++;
                continue;
            }
            out.discard(reason, 1);
            if (out.keepsMore(keptRejections)) out.rejections.add(ExemplarValidator.rejection(r, e, reason));
        }
        return accepted;
    }

    /** Mimir's messages for a sample outside the tenant's time limits. */
    static Rejection sampleRejection(RemoteWriteSeries r, DiscardReason reason, long timestamp) {
        boolean future = reason == DiscardReason.TOO_FAR_IN_FUTURE;
        return new Rejection(reason, "received a sample whose timestamp is too far in the " + (future ? "future" : "past")
                + ", timestamp: " + timestamp + " series: '" + r.seriesText(SeriesValidator.TEXT_CHARS) + "' ("
                + reason.errorId() + "). To accept such samples, raise "
                + (future ? PushLimits.CREATION_GRACE_PERIOD : PushLimits.PAST_GRACE_PERIOD + " (0s turns the check off)")
                + " or ask your service administrator.");
    }

    /**
     * Hashes the current series' strings, picks its partition and writes it there, with its created
     * timestamp (0: none); returns the partition.
     */
    private int write(long tenantSeed, RemoteWriteSeries r, int partitions, PushLimits limits, long createdTimestamp) {
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
        for (int s = 0; s < r.sampleCount(); s++) {
            long t = r.sampleTimestamp(s);
            if (limits.accepts(t)) w.sample(t, r.sampleValueBits(s));
        }
        for (int h = 0; h < r.histogramCount(); h++) {
            if (!histogramAccepted[h]) continue;
            if (histogramReencodedOffset[h] < 0) {
                w.histogram(b, r.histogramOffset(h), r.histogramLength(h));
            } else {
                w.histogram(histogramValidator.reencoded(), histogramReencodedOffset[h], histogramReencodedLength[h]);
            }
        }
        for (int e = 0; e < r.exemplarCount(); e++) {
            if (exemplarAccepted[e]) writeExemplar(w, r, e);
        }
        if (createdTimestamp != 0) w.createdTimestamp(createdTimestamp);
        w.endSeries();
        return partition;
    }

    /** An accepted exemplar of the current series, its labels with an empty name or value left out. */
    private void writeExemplar(IngestRecordWriter w, RemoteWriteSeries r, int e) {
        byte[] b = r.buffer();
        int n = r.exemplarLabelCount(e);
        if (exemplarRefs.length < 2 * n) exemplarRefs = new int[2 * n];
        int k = 0;
        for (int i = 0; i < n; i++) {
            int nl = r.exemplarLabelNameLength(e, i);
            int vl = r.exemplarLabelValueLength(e, i);
            if (nl == 0 || vl == 0) continue;
            exemplarRefs[k++] = symbol(w, b, r.exemplarLabelNameOffset(e, i), nl);
            exemplarRefs[k++] = symbol(w, b, r.exemplarLabelValueOffset(e, i), vl);
        }
        w.exemplar(exemplarRefs, k, r.exemplarTimestamp(e), r.exemplarValueBits(e));
    }

    /**
     * A metadata entry as a series without samples, {@code {__name__="<family>"}} with the metadata
     * and the first {@code helpLength} bytes of its HELP, in the partition of the tenant and family,
     * so a family's metadata always lands on the same partition.
     */
    private void writeMetadata(String tenant, MetadataEntry md, int partitions, int helpLength) {
        String family = md.family();
        int p = Math.floorMod((tenant + '\u0000' + family).hashCode(), partitions);
        IngestRecordWriter w = writers[p];
        byte[] b = md.buffer();
        refs[0] = w.symbol(METRIC_NAME, 0, METRIC_NAME.length, METRIC_NAME_HASH);
        refs[1] = symbol(w, b, md.familyOffset(), md.familyLength());
        int help = helpLength == 0 ? 0 : symbol(w, b, md.helpOffset(), helpLength);
        int unit = md.unitLength() == 0 ? 0 : symbol(w, b, md.unitOffset(), md.unitLength());
        w.beginSeries();
        w.labels(refs, 2);
        w.metadata(md.typeNumber(), help, unit);
        w.endSeries();
    }

    private static int symbol(IngestRecordWriter w, byte[] b, int off, int len) {
        return w.symbol(b, off, len, SeriesHasher.bytes(b, off, len));
    }

    /**
     * A remote write 2.0 series' metadata as a {@link MetadataEntry}: the family is a prefix of the
     * series' metric name (a byte range of the request), so nothing is allocated. Reused.
     */
    private static final class SeriesMetadata implements MetadataEntry {
        private static final byte[][] HISTOGRAM_SUFFIXES = suffixes("_bucket", "_sum", "_count");
        private static final byte[][] SUMMARY_SUFFIXES = suffixes("_sum", "_count");
        private static final int HISTOGRAM = 3, GAUGE_HISTOGRAM = 4, SUMMARY = 5;

        private byte[] buf;
        private int type, familyOffset, familyLength, helpOffset, helpLength, unitOffset, unitLength;

        /**
         * Takes the metadata of the reader's current series, whose labels are valid; false when it
         * says nothing (no type, help or unit), which Mimir does not keep either.
         */
        boolean of(RequestV2Reader r) {
            buf = r.buffer();
            type = r.metadataType();
            helpOffset = r.metadataHelpOffset();
            helpLength = r.metadataHelpLength();
            unitOffset = r.metadataUnitOffset();
            unitLength = r.metadataUnitLength();
            if (type == 0 && helpLength == 0 && unitLength == 0) return false;
            for (int i = 0; i < r.labelCount(); i++) {
                if (r.labelValueLength(i) > 0 && r.labelNameLength(i) == METRIC_NAME.length
                        && Arrays.equals(buf, r.labelNameOffset(i), r.labelNameOffset(i) + METRIC_NAME.length,
                                METRIC_NAME, 0, METRIC_NAME.length)) {
                    familyOffset = r.labelValueOffset(i);
                    familyLength = familyLength(buf, familyOffset, r.labelValueLength(i), type);
                    return true;
                }
            }
            return false;
        }

        /** The family of a series: a histogram's or summary's series names end in their part's suffix. */
        private static int familyLength(byte[] b, int off, int len, int type) {
            byte[][] suffixes = type == HISTOGRAM || type == GAUGE_HISTOGRAM ? HISTOGRAM_SUFFIXES
                    : type == SUMMARY ? SUMMARY_SUFFIXES : null;
            if (suffixes == null) return len;
            for (byte[] s : suffixes) {
                if (len > s.length && Arrays.equals(b, off + len - s.length, off + len, s, 0, s.length)) return len - s.length;
            }
            return len;
        }

        private static byte[][] suffixes(String... s) {
            byte[][] out = new byte[s.length][];
            for (int i = 0; i < s.length; i++) out[i] = s[i].getBytes(StandardCharsets.US_ASCII);
            return out;
        }

        @Override public byte[] buffer() { return buf; }
        @Override public int typeNumber() { return type; }
        @Override public int familyOffset() { return familyOffset; }
        @Override public int familyLength() { return familyLength; }
        @Override public int helpOffset() { return helpOffset; }
        @Override public int helpLength() { return helpLength; }
        @Override public int unitOffset() { return unitOffset; }
        @Override public int unitLength() { return unitLength; }
    }

    /**
     * The families whose metadata a push already carried, as byte ranges of its buffer: Prometheus
     * sends a family's metadata with each of its series, and one copy per push is enough. Open
     * addressing over (hash, offset, length); reused, allocation-free once grown.
     */
    private static final class FamilySet {
        private long[] hashes = new long[64];
        private int[] offsets = new int[64];
        private int[] lengths = new int[64];
        private boolean[] used = new boolean[64];
        private int size;

        void clear() {
            if (size > 0) Arrays.fill(used, false);
            size = 0;
        }

        /** Adds the entry's family; false when the push already had it. */
        boolean add(MetadataEntry md) {
            byte[] b = md.buffer();
            int off = md.familyOffset();
            int len = md.familyLength();
            long h = SeriesHasher.bytes(b, off, len);
            int mask = used.length - 1;
            for (int i = (int) (h ^ h >>> 32) & mask; ; i = (i + 1) & mask) {
                if (!used[i]) {
                    used[i] = true;
                    hashes[i] = h;
                    offsets[i] = off;
                    lengths[i] = len;
                    if (++size > used.length / 2) grow();
                    return true;
                }
                if (hashes[i] == h && lengths[i] == len && Arrays.equals(b, offsets[i], offsets[i] + len, b, off, off + len)) {
                    return false;
                }
            }
        }

        private void grow() {
            long[] oh = hashes;
            int[] oo = offsets, ol = lengths;
            boolean[] ou = used;
            int n = ou.length * 2;
            hashes = new long[n];
            offsets = new int[n];
            lengths = new int[n];
            used = new boolean[n];
            int mask = n - 1;
            for (int j = 0; j < ou.length; j++) {
                if (!ou[j]) continue;
                int i = (int) (oh[j] ^ oh[j] >>> 32) & mask;
                while (used[i]) i = (i + 1) & mask;
                used[i] = true;
                hashes[i] = oh[j];
                offsets[i] = oo[j];
                lengths[i] = ol[j];
            }
        }
    }

    /** The outcome of splitting one push. */
    public static final class Split {
        private static final int REASONS = DiscardReason.values().length;

        private final byte[][] records;
        private final int[] series;
        private final int[] samples;
        private final int[] histograms;
        private final int[] exemplars;
        private final int[] rejectedSeriesByReason = new int[REASONS];
        private final int[] discardedByReason = new int[REASONS];
        private final List<Rejection> rejections = new ArrayList<>();
        private int discarded;
        private int droppedEmptySeries;

        private Split(int partitions) {
            records = new byte[partitions][];
            series = new int[partitions];
            samples = new int[partitions];
            histograms = new int[partitions];
            exemplars = new int[partitions];
        }

        private void discard(DiscardReason reason, int count) {
            discardedByReason[reason.ordinal()] += count;
            discarded += count;
        }

        private boolean keepsMore(int kept) {
            return rejections.size() < kept;
        }

        public int partitions() { return records.length; }

        /** The Kafka record value for a partition (an ingest record), or null when it got nothing. */
        public byte[] record(int partition) { return records[partition]; }

        /** Series written to a partition (metadata entries not counted). */
        public int seriesCount(int partition) { return series[partition]; }

        public int sampleCount(int partition) { return samples[partition]; }

        public int acceptedSeries() { return Arrays.stream(series).sum(); }

        /** Float samples written to the partitions' records. */
        public int acceptedSamples() { return Arrays.stream(samples).sum(); }

        /** Native histogram samples written to the partitions' records. */
        public int acceptedHistograms() { return Arrays.stream(histograms).sum(); }

        /** Exemplars written to the partitions' records. */
        public int acceptedExemplars() { return Arrays.stream(exemplars).sum(); }

        /** True when anything of the push was refused: the push is then answered 400. */
        public boolean hasRejections() { return !rejections.isEmpty(); }

        /** Series refused whole. */
        public int rejectedSeries() { return Arrays.stream(rejectedSeriesByReason).sum(); }

        public int rejectedSeries(DiscardReason reason) { return rejectedSeriesByReason[reason.ordinal()]; }

        /**
         * Samples (float and native histogram) left out for a reason, those of refused series
         * included, metadata entries for a {@link DiscardReason#isMetadata() metadata} reason, or
         * exemplars for an {@link DiscardReason#isExemplar() exemplar} reason: the
         * discarded-samples, -metadata and -exemplars metrics.
         */
        public int discarded(DiscardReason reason) { return discardedByReason[reason.ordinal()]; }

        /** Samples, metadata entries and exemplars left out, all reasons. */
        public int discarded() { return discarded; }

        /** The first few refusals, in request order (see {@link #DEFAULT_KEPT_REJECTIONS}). */
        public List<Rejection> rejections() { return Collections.unmodifiableList(rejections); }

        /** What the push is answered with (HTTP 400) after the valid data was written, or null. */
        public Rejection firstRejection() { return rejections.isEmpty() ? null : rejections.get(0); }

        /** Series without any label, dropped without an error as Mimir does. */
        public int droppedEmptySeries() { return droppedEmptySeries; }
    }
}
