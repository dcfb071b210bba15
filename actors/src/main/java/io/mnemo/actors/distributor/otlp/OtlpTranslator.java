package io.mnemo.actors.distributor.otlp;

import io.mnemo.actors.OtelTranslationStrategy;
import io.mnemo.actors.distributor.RemoteWriteException;
import io.mnemo.actors.distributor.otlp.OtlpNames.Kind;
import io.mnemo.actors.wire.ProtobufCursor;
import io.mnemo.actors.wire.ProtobufWriter;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;

/**
 * Translates an OTLP {@code ExportMetricsServiceRequest} (protobuf, walked in place) into a
 * Prometheus remote write 1.0 {@code WriteRequest}, as Prometheus 3's OTLP receiver does, for the
 * distributor to validate, split and count like any remote-write push:
 * <ul>
 * <li>gauges and non-monotonic sums become gauges, cumulative monotonic sums counters;</li>
 * <li>explicit-bucket histograms become classic ones ({@code _bucket{le}} cumulative, {@code _sum},
 *     {@code _count}), summaries {@code {quantile}}, {@code _sum}, {@code _count};</li>
 * <li>exponential histograms become native histograms (scale above 8 merged down to 8; below -4
 *     refused), which the distributor refuses naming the series until the heads store them;</li>
 * <li>a data point flagged no-recorded-value becomes a staleness marker;</li>
 * <li>exemplars go into the series' exemplars, with {@code trace_id}/{@code span_id} labels (a
 *     histogram's to the first bucket that holds their value);</li>
 * <li>a metric's type, description and unit into the request's metadata;</li>
 * <li>a resource's {@code service.namespace}/{@code service.name} become {@code job},
 *     {@code service.instance.id} {@code instance}, the listed resource attributes are promoted to
 *     labels of every series, and the other resource attributes go to a {@code target_info} series
 *     at the resource's newest timestamp;</li>
 * <li>sums and histograms of delta (or unspecified) temporality are refused, as Prometheus and
 *     Mimir refuse them by default: the metric is left out and named in {@link #errors()}.</li>
 * </ul>
 * Names follow the tenant's {@link OtelTranslationStrategy} ({@link OtlpNames}). Malformed
 * protobuf throws {@link RemoteWriteException} naming the problem and the byte offset. The output
 * buffer is reused by the next call. Not thread-safe.
 */
public final class OtlpTranslator extends ProtobufCursor {
    /** A tenant's translation options (its limits). */
    public record Options(OtelTranslationStrategy strategy, List<String> promoteResourceAttributes,
                          boolean keepIdentifyingResourceAttributes) {
        public static final Options DEFAULT = new Options(OtelTranslationStrategy.UNDERSCORE_ESCAPING_WITH_SUFFIXES, List.of(), false);
    }

    static final long STALE_NAN_BITS = 0x7ff0000000000002L;
    private static final int FLAG_NO_RECORDED_VALUE = 1;
    private static final int CUMULATIVE = 2;
    private static final String SERVICE_NAME = "service.name";
    private static final String SERVICE_NAMESPACE = "service.namespace";
    private static final String SERVICE_INSTANCE_ID = "service.instance.id";
    private static final byte[] NAME = bytes("__name__"), JOB = bytes("job"), INSTANCE = bytes("instance"),
            LE = bytes("le"), QUANTILE = bytes("quantile"), PLUS_INF = bytes("+Inf"), TARGET_INFO = bytes("target_info");
    private static final int NAME_CACHE = 1024;
    /** Prometheus's metric types in remote write 1.0 metadata. */
    private static final int TYPE_COUNTER = 1, TYPE_GAUGE = 2, TYPE_HISTOGRAM = 3, TYPE_SUMMARY = 5;

    private final ProtobufWriter out = new ProtobufWriter(64 << 10);
    private final List<String> errors = new ArrayList<>();
    private int droppedPoints;
    private Options options = Options.DEFAULT;
    private int end;

    // The resource being translated.
    private final List<String> resourceKeys = new ArrayList<>();
    private final List<String> resourceValues = new ArrayList<>();
    private final OtlpLabels resourceLabels = new OtlpLabels(); // promoted attributes, job, instance
    private long newestMillis;

    // The metric being translated: its series' names, bucket bounds and quantiles as label values.
    private byte[] nameSum = NO_BYTES, nameCount = NO_BYTES, nameBucket = NO_BYTES;
    private final FormattedFloats leValues = new FormattedFloats();
    private final FormattedFloats quantileValues = new FormattedFloats();
    /**
     * Attribute names (UTF-8) and their label names, for this request: their few distinct names
     * repeat on every point, and are looked up by their bytes, without making a string.
     */
    private final byte[][] cachedAttributes = new byte[NAME_CACHE][];
    private final byte[][] cachedLabelNames = new byte[NAME_CACHE][];

    // The data point being translated.
    private final OtlpLabels labels = new OtlpLabels();
    // Its attributes: keys and string values are ranges of the request, other values arrays of their own.
    private int attrCount;
    private byte[][] attrKeyArr = new byte[16][], attrValueArr = new byte[16][];
    private int[] attrKeyOff = new int[16], attrKeyLen = new int[16], attrValueOff = new int[16], attrValueLen = new int[16];
    private int[] attrOrder = new int[16];
    private int[] exemplars = new int[8]; // start, end pairs
    private int exemplarCount;
    private long[] counts = new long[16];
    private int countsSize;
    private double[] bounds = new double[16];
    private int boundsSize;
    private double[] quantiles = new double[16];
    private int quantilesSize;

    /**
     * Translates {@code buf[offset, offset+length)}; the WriteRequest is then
     * {@link #output()}{@code [0, }{@link #outputSize()}{@code )}.
     */
    public void translate(byte[] buf, int offset, int length, Options options) {
        this.buf = buf;
        this.start = offset;
        this.end = offset + length;
        this.options = options;
        out.reset();
        Arrays.fill(cachedAttributes, null); // the names depend on the tenant's strategy
        errors.clear();
        droppedPoints = 0;
        p = start;
        while (p < end) {
            int tag = readTag(end);
            if (tag >>> 3 == 1 && (tag & 7) == WIRE_LEN) {
                int len = readLength(end);
                int from = p;
                resourceMetrics(from, from + len);
                p = from + len;
            } else {
                skipField(tag >>> 3, tag & 7, end);
            }
        }
    }

    public byte[] output() { return out.buffer(); }

    public int outputSize() { return out.size(); }

    /** What was left out and why, one message per metric or data point, in request order. */
    public List<String> errors() { return errors; }

    /** Data points left out (each error's). */
    public int droppedPoints() { return droppedPoints; }

    // ---- resources -----------------------------------------------------------------------------

    private void resourceMetrics(int from, int to) {
        resourceKeys.clear();
        resourceValues.clear();
        newestMillis = 0;
        p = from;
        while (p < to) { // the resource first: it may come after its metrics on the wire
            int tag = readTag(to);
            if (tag >>> 3 == 1 && (tag & 7) == WIRE_LEN) {
                int len = readLength(to);
                int at = p;
                resource(at, at + len);
                p = at + len;
            } else {
                skipField(tag >>> 3, tag & 7, to);
            }
        }
        resourceLabels();
        p = from;
        while (p < to) {
            int tag = readTag(to);
            if (tag >>> 3 == 2 && (tag & 7) == WIRE_LEN) {
                int len = readLength(to);
                int at = p;
                scopeMetrics(at, at + len);
                p = at + len;
            } else {
                skipField(tag >>> 3, tag & 7, to);
            }
        }
        targetInfo();
    }

    private void resource(int from, int to) {
        p = from;
        while (p < to) {
            int tag = readTag(to);
            if (tag >>> 3 == 1 && (tag & 7) == WIRE_LEN) {
                int len = readLength(to);
                int at = p;
                keyValue(at, at + len, resourceKeys, resourceValues);
                p = at + len;
            } else {
                skipField(tag >>> 3, tag & 7, to);
            }
        }
    }

    /** The labels every series of the resource gets: promoted attributes, then job and instance over them. */
    private void resourceLabels() {
        resourceLabels.clear();
        OtelTranslationStrategy strategy = options.strategy();
        for (int i = 0; i < resourceKeys.size(); i++) {
            if (options.promoteResourceAttributes().contains(resourceKeys.get(i))) {
                resourceLabels.putIfAbsent(bytes(OtlpNames.labelName(resourceKeys.get(i), strategy)), bytes(resourceValues.get(i)));
            }
        }
        String service = resourceAttribute(SERVICE_NAME);
        if (service != null) {
            String namespace = resourceAttribute(SERVICE_NAMESPACE);
            resourceLabels.put(JOB, bytes(namespace != null ? namespace + "/" + service : service));
        }
        String instance = resourceAttribute(SERVICE_INSTANCE_ID);
        if (instance != null) resourceLabels.put(INSTANCE, bytes(instance));
    }

    private String resourceAttribute(String key) {
        int i = resourceKeys.indexOf(key);
        return i < 0 ? null : resourceValues.get(i);
    }

    /**
     * {@code target_info}: the resource's attributes other than the identifying ones, with job and
     * instance, at its newest timestamp; not written when there are no others, or neither job nor
     * instance (Prometheus's rule).
     */
    private void targetInfo() {
        if (newestMillis == 0) return;
        int others = 0;
        for (String k : resourceKeys) if (!isIdentifying(k)) others++;
        if (others == 0) return;
        attrCount = 0;
        for (int i = 0; i < resourceKeys.size(); i++) {
            if (options.keepIdentifyingResourceAttributes() || !isIdentifying(resourceKeys.get(i))) {
                byte[] k = bytes(resourceKeys.get(i)), v = bytes(resourceValues.get(i));
                addAttribute(k, 0, k.length, v, 0, v.length);
            }
        }
        if (!resourceLabels.has(JOB) && !resourceLabels.has(INSTANCE)) return;
        labels.clear();
        mergeAttributes();
        for (int i = 0; i < resourceLabels.size(); i++) {
            if (resourceLabels.nameIs(i, JOB) || resourceLabels.nameIs(i, INSTANCE)) labels.copy(resourceLabels, i, true);
        }
        labels.put(NAME, TARGET_INFO);
        sampleSeries(1, newestMillis, null);
        metadata(TYPE_GAUGE, "target_info", "Target metadata", "");
    }

    private static boolean isIdentifying(String key) {
        return key.equals(SERVICE_NAME) || key.equals(SERVICE_NAMESPACE) || key.equals(SERVICE_INSTANCE_ID);
    }

    // ---- metrics -------------------------------------------------------------------------------

    private void scopeMetrics(int from, int to) {
        p = from;
        while (p < to) {
            int tag = readTag(to);
            if (tag >>> 3 == 2 && (tag & 7) == WIRE_LEN) {
                int len = readLength(to);
                int at = p;
                metric(at, at + len);
                p = at + len;
            } else {
                skipField(tag >>> 3, tag & 7, to);
            }
        }
    }

    private void metric(int from, int to) {
        String name = "", description = "", unit = "";
        int dataField = 0, dataFrom = 0, dataTo = 0;
        p = from;
        while (p < to) {
            int tag = readTag(to);
            int field = tag >>> 3, wire = tag & 7;
            switch (field) {
                case 1 -> name = string(to, wire, "Metric.name");
                case 2 -> description = string(to, wire, "Metric.description");
                case 3 -> unit = string(to, wire, "Metric.unit");
                case 5, 7, 9, 10, 11 -> {
                    expectWire(wire, WIRE_LEN, "Metric data (field " + field + ")");
                    int len = readLength(to);
                    dataField = field;
                    dataFrom = p;
                    dataTo = p + len;
                    p += len;
                }
                default -> skipField(field, wire, to);
            }
        }
        if (dataField == 0) {
            errors.add("metric \"" + name + "\" has no data (none of gauge, sum, histogram, exponential_histogram, summary)");
            return;
        }
        // Sums and histograms: temporality and monotonicity before their points.
        int temporality = 0;
        boolean monotonic = false;
        p = dataFrom;
        while (p < dataTo) {
            int tag = readTag(dataTo);
            int field = tag >>> 3, wire = tag & 7;
            if (field == 2 && wire == WIRE_VARINT) temporality = (int) readVarint(dataTo);
            else if (field == 3 && wire == WIRE_VARINT && dataField == 7) monotonic = readVarint(dataTo) != 0;
            else skipField(field, wire, dataTo);
        }
        Kind kind = switch (dataField) {
            case 5 -> Kind.GAUGE;
            case 7 -> monotonic ? Kind.COUNTER : Kind.NON_MONOTONIC_SUM;
            case 9 -> Kind.HISTOGRAM;
            case 10 -> Kind.EXPONENTIAL_HISTOGRAM;
            default -> Kind.SUMMARY;
        };
        if (dataField != 5 && dataField != 11 && temporality != CUMULATIVE) {
            errors.add("invalid temporality and type combination for metric \"" + name + "\": "
                    + (temporality == 1 ? "delta" : "unspecified") + " " + kindWord(kind)
                    + " (only cumulative temporality is accepted; convert delta to cumulative in the sender or collector)");
            droppedPoints += countPoints(dataFrom, dataTo);
            return;
        }
        String promName = OtlpNames.metricName(name, unit, kind, options.strategy());
        byte[] nameBytes = bytes(promName); // made once per metric, not per point
        if (kind == Kind.HISTOGRAM || kind == Kind.SUMMARY) {
            nameSum = bytes(promName + "_sum");
            nameCount = bytes(promName + "_count");
            nameBucket = bytes(promName + "_bucket");
        }
        p = dataFrom;
        while (p < dataTo) {
            int tag = readTag(dataTo);
            if (tag >>> 3 == 1 && (tag & 7) == WIRE_LEN) {
                int len = readLength(dataTo);
                int at = p;
                switch (kind) {
                    case GAUGE, NON_MONOTONIC_SUM, COUNTER -> numberPoint(nameBytes, at, at + len);
                    case HISTOGRAM -> histogramPoint(at, at + len);
                    case EXPONENTIAL_HISTOGRAM -> exponentialPoint(nameBytes, name, at, at + len);
                    case SUMMARY -> summaryPoint(nameBytes, at, at + len);
                }
                p = at + len;
            } else {
                skipField(tag >>> 3, tag & 7, dataTo);
            }
        }
        int type = switch (kind) {
            case COUNTER -> TYPE_COUNTER;
            case GAUGE, NON_MONOTONIC_SUM -> TYPE_GAUGE;
            case HISTOGRAM, EXPONENTIAL_HISTOGRAM -> TYPE_HISTOGRAM;
            case SUMMARY -> TYPE_SUMMARY;
        };
        metadata(type, promName, description, OtlpNames.unit(unit));
    }

    private static String kindWord(Kind kind) {
        return switch (kind) {
            case COUNTER -> "monotonic sum";
            case NON_MONOTONIC_SUM -> "non-monotonic sum";
            case HISTOGRAM -> "histogram";
            case EXPONENTIAL_HISTOGRAM -> "exponential histogram";
            default -> kind.name().toLowerCase();
        };
    }

    private int countPoints(int from, int to) {
        int n = 0;
        p = from;
        while (p < to) {
            int tag = readTag(to);
            if (tag >>> 3 == 1) n++;
            skipField(tag >>> 3, tag & 7, to);
        }
        return n;
    }

    // ---- data points ---------------------------------------------------------------------------

    /** NumberDataPoint: attributes 7, time 3, as_double 4, as_int 6, exemplars 5, flags 8. */
    private void numberPoint(byte[] name, int from, int to) {
        beginPoint();
        long time = 0;
        double value = 0;
        int flags = 0;
        p = from;
        while (p < to) {
            int tag = readTag(to);
            int field = tag >>> 3, wire = tag & 7;
            switch (field) {
                case 7 -> attribute(to, wire);
                case 3 -> time = fixed64(to, wire, "NumberDataPoint.time_unix_nano");
                case 4 -> value = Double.longBitsToDouble(fixed64(to, wire, "NumberDataPoint.as_double"));
                case 6 -> value = fixed64(to, wire, "NumberDataPoint.as_int");
                case 5 -> exemplar(to, wire);
                case 8 -> flags = (int) varint(to, wire, "NumberDataPoint.flags");
                default -> skipField(field, wire, to);
            }
        }
        long millis = millis(time);
        pointLabels(name);
        sampleSeries(stale(flags) ? Double.longBitsToDouble(STALE_NAN_BITS) : value, millis, ALL_EXEMPLARS);
    }

    /** HistogramDataPoint: attributes 9, time 3, count 4, sum 5, bucket_counts 6, explicit_bounds 7, exemplars 8, flags 10. */
    private void histogramPoint(int from, int to) {
        beginPoint();
        long time = 0, count = 0;
        double sum = 0;
        boolean hasSum = false;
        int flags = 0;
        countsSize = boundsSize = 0;
        p = from;
        while (p < to) {
            int tag = readTag(to);
            int field = tag >>> 3, wire = tag & 7;
            switch (field) {
                case 9 -> attribute(to, wire);
                case 3 -> time = fixed64(to, wire, "HistogramDataPoint.time_unix_nano");
                case 4 -> count = fixed64(to, wire, "HistogramDataPoint.count");
                case 5 -> {
                    sum = Double.longBitsToDouble(fixed64(to, wire, "HistogramDataPoint.sum"));
                    hasSum = true;
                }
                case 6 -> repeatedFixed64(to, wire, false);
                case 7 -> repeatedFixed64(to, wire, true);
                case 8 -> exemplar(to, wire);
                case 10 -> flags = (int) varint(to, wire, "HistogramDataPoint.flags");
                default -> skipField(field, wire, to);
            }
        }
        long millis = millis(time);
        boolean stale = stale(flags);
        double staleNaN = Double.longBitsToDouble(STALE_NAN_BITS);
        if (hasSum) {
            pointLabels(nameSum);
            sampleSeries(stale ? staleNaN : sum, millis, null);
        }
        pointLabels(nameCount);
        sampleSeries(stale ? staleNaN : count, millis, null);
        // Each exemplar goes to the first bucket that holds its value.
        boolean[] placed = exemplarCount > 0 ? new boolean[exemplarCount] : null;
        long cumulative = 0;
        for (int i = 0; i <= boundsSize; i++) {
            boolean inf = i == boundsSize;
            double bound = inf ? Double.POSITIVE_INFINITY : bounds[i];
            if (!inf && i < countsSize) cumulative += counts[i];
            pointLabels(nameBucket);
            labels.put(LE, inf ? PLUS_INF : leValues.format(i, bound));
            sampleSeries(stale ? staleNaN : (inf ? count : cumulative), millis, placed == null ? null : new BucketExemplars(bound, placed));
        }
    }

    /** Exemplars of a histogram not yet placed whose value is at most the bucket's bound. */
    private record BucketExemplars(double bound, boolean[] placed) {}

    /** All of the point's exemplars go with the series (a number point's). */
    private static final BucketExemplars ALL_EXEMPLARS = new BucketExemplars(Double.NaN, null);

    /** SummaryDataPoint: attributes 7, time 3, count 4, sum 5, quantile_values 6, flags 8. */
    private void summaryPoint(byte[] name, int from, int to) {
        beginPoint();
        long time = 0, count = 0;
        double sum = 0;
        int flags = 0;
        quantilesSize = 0;
        p = from;
        while (p < to) {
            int tag = readTag(to);
            int field = tag >>> 3, wire = tag & 7;
            switch (field) {
                case 7 -> attribute(to, wire);
                case 3 -> time = fixed64(to, wire, "SummaryDataPoint.time_unix_nano");
                case 4 -> count = fixed64(to, wire, "SummaryDataPoint.count");
                case 5 -> sum = Double.longBitsToDouble(fixed64(to, wire, "SummaryDataPoint.sum"));
                case 6 -> {
                    expectWire(wire, WIRE_LEN, "SummaryDataPoint.quantile_values (field 6)");
                    int len = readLength(to);
                    quantile(p, p + len);
                }
                case 8 -> flags = (int) varint(to, wire, "SummaryDataPoint.flags");
                default -> skipField(field, wire, to);
            }
        }
        long millis = millis(time);
        boolean stale = stale(flags);
        double staleNaN = Double.longBitsToDouble(STALE_NAN_BITS);
        pointLabels(nameSum);
        sampleSeries(stale ? staleNaN : sum, millis, null);
        pointLabels(nameCount);
        sampleSeries(stale ? staleNaN : count, millis, null);
        for (int i = 0; i < quantilesSize; i += 2) {
            pointLabels(name);
            labels.put(QUANTILE, quantileValues.format(i / 2, quantiles[i]));
            sampleSeries(stale ? staleNaN : quantiles[i + 1], millis, null);
        }
    }

    private void quantile(int from, int to) {
        double q = 0, v = 0;
        p = from;
        while (p < to) {
            int tag = readTag(to);
            int field = tag >>> 3, wire = tag & 7;
            if (field == 1) q = Double.longBitsToDouble(fixed64(to, wire, "ValueAtQuantile.quantile"));
            else if (field == 2) v = Double.longBitsToDouble(fixed64(to, wire, "ValueAtQuantile.value"));
            else skipField(field, wire, to);
        }
        if (quantilesSize + 2 > quantiles.length) quantiles = Arrays.copyOf(quantiles, quantiles.length * 2);
        quantiles[quantilesSize++] = q;
        quantiles[quantilesSize++] = v;
    }

    /**
     * ExponentialHistogramDataPoint: attributes 1, time 3, count 4, sum 5, scale 6, zero_count 7,
     * positive 8, negative 9, flags 10, exemplars 11, zero_threshold 14. A native histogram whose
     * bucket i is OTLP's bucket i - 1 (OTLP's buckets are upper-inclusive at base^(i+1)).
     */
    private void exponentialPoint(byte[] name, String otlpName, int from, int to) {
        beginPoint();
        long time = 0, count = 0, zeroCount = 0;
        double sum = 0, zeroThreshold = 0;
        int scale = 0, flags = 0;
        int posFrom = -1, posTo = -1, negFrom = -1, negTo = -1;
        p = from;
        while (p < to) {
            int tag = readTag(to);
            int field = tag >>> 3, wire = tag & 7;
            switch (field) {
                case 1 -> attribute(to, wire);
                case 3 -> time = fixed64(to, wire, "ExponentialHistogramDataPoint.time_unix_nano");
                case 4 -> count = fixed64(to, wire, "ExponentialHistogramDataPoint.count");
                case 5 -> sum = Double.longBitsToDouble(fixed64(to, wire, "ExponentialHistogramDataPoint.sum"));
                case 6 -> {
                    long z = varint(to, wire, "ExponentialHistogramDataPoint.scale");
                    scale = (int) ((z >>> 1) ^ -(z & 1));
                }
                case 7 -> zeroCount = fixed64(to, wire, "ExponentialHistogramDataPoint.zero_count");
                case 8, 9 -> {
                    expectWire(wire, WIRE_LEN, "ExponentialHistogramDataPoint buckets (field " + field + ")");
                    int len = readLength(to);
                    if (field == 8) { posFrom = p; posTo = p + len; } else { negFrom = p; negTo = p + len; }
                    p += len;
                }
                case 10 -> flags = (int) varint(to, wire, "ExponentialHistogramDataPoint.flags");
                case 11 -> exemplar(to, wire);
                case 14 -> zeroThreshold = Double.longBitsToDouble(fixed64(to, wire, "ExponentialHistogramDataPoint.zero_threshold"));
                default -> skipField(field, wire, to);
            }
        }
        if (scale < -4) {
            errors.add("cannot convert exponential to native histogram for metric \"" + otlpName
                    + "\": scale must be >= -4, was " + scale);
            droppedPoints++;
            return;
        }
        int scaleDown = Math.max(0, scale - 8);
        long millis = millis(time);
        pointLabels(name);
        int series = out.beginMessage(1);
        labels.write(out);
        int h = out.beginMessage(4);
        if (stale(flags)) {
            out.doubleField(3, Double.longBitsToDouble(STALE_NAN_BITS));
        } else {
            out.uint64Field(1, count);
            out.doubleField(3, sum);
            out.sint64Field(4, scale - scaleDown);
            out.doubleField(5, zeroThreshold);
            out.uint64Field(6, zeroCount);
            if (negFrom >= 0) buckets(negFrom, negTo, scaleDown, 8, 9);
            if (posFrom >= 0) buckets(posFrom, posTo, scaleDown, 11, 12);
        }
        out.int64Field(15, millis);
        out.endMessage(h);
        writeExemplars(ALL_EXEMPLARS);
        out.endMessage(series);
    }

    /**
     * Buckets (offset 1, bucket_counts 2) as native histogram spans and deltas: OTLP index i is
     * native index i + 1 (after merging 2^scaleDown buckets into one); runs of up to two empty
     * buckets stay inside a span, longer ones start a new span.
     */
    private void buckets(int from, int to, int scaleDown, int spansField, int deltasField) {
        int offset = 0;
        countsSize = 0;
        p = from;
        while (p < to) {
            int tag = readTag(to);
            int field = tag >>> 3, wire = tag & 7;
            if (field == 1) {
                long z = varint(to, wire, "Buckets.offset");
                offset = (int) ((z >>> 1) ^ -(z & 1));
            } else if (field == 2) {
                if (wire == WIRE_LEN) {
                    int len = readLength(to);
                    int packedEnd = p + len;
                    while (p < packedEnd) addCount(readVarint(packedEnd));
                } else {
                    addCount(varint(to, wire, "Buckets.bucket_counts"));
                }
            } else {
                skipField(field, wire, to);
            }
        }
        if (scaleDown > 0) countsSize = mergeBuckets(offset, scaleDown);
        int first = (scaleDown > 0 ? offset >> scaleDown : offset) + 1; // native index of counts[0]
        spansSize = 0;
        int spanStart = 0, spanEnd = 0; // native indexes, end exclusive; no span while equal
        for (int i = 0; i < countsSize; i++) {
            if (counts[i] == 0) continue;
            int index = first + i;
            if (spanEnd > spanStart && index - spanEnd <= 2) {
                spanEnd = index + 1;
            } else {
                if (spanEnd > spanStart) addSpan(spanStart, spanEnd);
                spanStart = index;
                spanEnd = index + 1;
            }
        }
        if (spanEnd > spanStart) addSpan(spanStart, spanEnd);
        if (spansSize == 0) return;
        int previousEnd = 0;
        for (int s = 0; s < spansSize; s += 2) {
            int m = out.beginMessage(spansField);
            out.sint64Field(1, s == 0 ? spans[0] : spans[s] - previousEnd);
            out.uint64Field(2, spans[s + 1] - spans[s]);
            out.endMessage(m);
            previousEnd = spans[s + 1];
        }
        int deltas = out.beginMessage(deltasField);
        long previous = 0;
        for (int s = 0; s < spansSize; s += 2) {
            for (int index = spans[s]; index < spans[s + 1]; index++) {
                long c = counts[index - first];
                long d = c - previous;
                out.varint((d << 1) ^ (d >> 63));
                previous = c;
            }
        }
        out.endMessage(deltas);
    }

    private int[] spans = new int[16]; // start, end pairs of native bucket indexes
    private int spansSize;

    private void addSpan(int start, int end) {
        if (spansSize + 2 > spans.length) spans = Arrays.copyOf(spans, spans.length * 2);
        spans[spansSize++] = start;
        spans[spansSize++] = end;
    }

    /** Merges counts[0, countsSize) starting at OTLP index {@code offset} into buckets 2^scaleDown wide. */
    private int mergeBuckets(int offset, int scaleDown) {
        int first = offset >> scaleDown;
        int n = 0;
        for (int i = 0; i < countsSize; i++) {
            int target = ((offset + i) >> scaleDown) - first;
            if (target >= n) {
                counts[target] = counts[i];
                n = target + 1;
            } else {
                counts[target] += counts[i];
            }
        }
        return n;
    }

    private void addCount(long c) {
        if (countsSize == counts.length) counts = Arrays.copyOf(counts, countsSize * 2);
        counts[countsSize++] = c;
    }

    // ---- series and metadata -------------------------------------------------------------------

    private void beginPoint() {
        attrCount = 0;
        exemplarCount = 0;
    }

    /** The labels of the current point's series of that name: attributes, promoted, job and instance. */
    private void pointLabels(byte[] name) {
        labels.clear();
        mergeAttributes();
        for (int i = 0; i < resourceLabels.size(); i++) {
            labels.copy(resourceLabels, i, resourceLabels.nameIs(i, JOB) || resourceLabels.nameIs(i, INSTANCE));
        }
        labels.put(NAME, name);
    }

    /** The label name of the attribute name {@code key[off, off+len)}, from the request's cache. */
    private byte[] labelName(byte[] key, int off, int len) {
        int h = 0;
        for (int i = off; i < off + len; i++) h = 31 * h + key[i];
        int slot = (h ^ (h >>> 16)) & (NAME_CACHE - 1);
        for (int probe = 0; probe < 8; probe++) {
            int at = (slot + probe) & (NAME_CACHE - 1);
            byte[] cached = cachedAttributes[at];
            if (cached == null) return cacheLabelName(at, key, off, len);
            if (cached.length == len && Arrays.equals(cached, 0, len, key, off, off + len)) return cachedLabelNames[at];
        }
        return cacheLabelName(slot, key, off, len); // a full neighbourhood: the first slot is reused
    }

    private byte[] cacheLabelName(int at, byte[] key, int off, int len) {
        byte[] attribute = Arrays.copyOfRange(key, off, off + len);
        cachedAttributes[at] = attribute;
        return cachedLabelNames[at] = bytes(OtlpNames.labelName(new String(attribute, StandardCharsets.UTF_8), options.strategy()));
    }

    /**
     * Floats as label values, remembered by position: the points of a histogram share their
     * bounds, so each {@code le} string is made once per metric, not once per point.
     */
    private static final class FormattedFloats {
        private double[] values = new double[16];
        private byte[][] strings = new byte[16][];

        byte[] format(int i, double v) {
            if (i >= values.length) {
                values = Arrays.copyOf(values, Math.max(i + 1, values.length * 2));
                strings = Arrays.copyOf(strings, values.length);
            }
            if (strings[i] == null || Double.doubleToRawLongBits(values[i]) != Double.doubleToRawLongBits(v)) {
                values[i] = v;
                strings[i] = bytes(formatFloat(v));
            }
            return strings[i];
        }
    }

    /** The point's attributes, in order of their names, translated and merged on collisions. */
    private void mergeAttributes() {
        for (int k = 0; k < attrCount; k++) { // insertion sort: a point has a few attributes
            int i = k;
            while (i > 0 && Arrays.compareUnsigned(attrKeyArr[attrOrder[i - 1]], attrKeyOff[attrOrder[i - 1]],
                    attrKeyOff[attrOrder[i - 1]] + attrKeyLen[attrOrder[i - 1]], attrKeyArr[k], attrKeyOff[k], attrKeyOff[k] + attrKeyLen[k]) > 0) {
                i--;
            }
            System.arraycopy(attrOrder, i, attrOrder, i + 1, k - i);
            attrOrder[i] = k;
        }
        for (int k = 0; k < attrCount; k++) {
            int i = attrOrder[k];
            labels.merge(labelName(attrKeyArr[i], attrKeyOff[i], attrKeyLen[i]), attrValueArr[i], attrValueOff[i], attrValueLen[i]);
        }
    }

    private void addAttribute(byte[] key, int keyOff, int keyLen, byte[] value, int valueOff, int valueLen) {
        if (attrCount == attrKeyArr.length) {
            int n = attrCount * 2;
            attrKeyArr = Arrays.copyOf(attrKeyArr, n);
            attrValueArr = Arrays.copyOf(attrValueArr, n);
            attrKeyOff = Arrays.copyOf(attrKeyOff, n);
            attrKeyLen = Arrays.copyOf(attrKeyLen, n);
            attrValueOff = Arrays.copyOf(attrValueOff, n);
            attrValueLen = Arrays.copyOf(attrValueLen, n);
            attrOrder = Arrays.copyOf(attrOrder, n);
        }
        attrKeyArr[attrCount] = key;
        attrKeyOff[attrCount] = keyOff;
        attrKeyLen[attrCount] = keyLen;
        attrValueArr[attrCount] = value;
        attrValueOff[attrCount] = valueOff;
        attrValueLen[attrCount] = valueLen;
        attrCount++;
    }

    /**
     * One TimeSeries with the current labels and one sample, and of the point's exemplars
     * {@link #ALL_EXEMPLARS}, those a histogram bucket takes, or (null) none.
     */
    private void sampleSeries(double value, long millis, BucketExemplars bucket) {
        if (millis > newestMillis) newestMillis = millis;
        int series = out.beginMessage(1);
        labels.write(out);
        int s = out.beginMessage(2);
        out.doubleField(1, value);
        out.int64Field(2, millis);
        out.endMessage(s);
        if (bucket != null) writeExemplars(bucket);
        out.endMessage(series);
    }

    private void metadata(int type, String family, String help, String unit) {
        int m = out.beginMessage(3);
        out.int64Field(1, type);
        out.stringField(2, family);
        if (!help.isEmpty()) out.stringField(4, help);
        if (!unit.isEmpty()) out.stringField(5, unit);
        out.endMessage(m);
    }

    // ---- exemplars -----------------------------------------------------------------------------

    private void exemplar(int to, int wire) {
        expectWire(wire, WIRE_LEN, "exemplars");
        int len = readLength(to);
        if (2 * exemplarCount + 2 > exemplars.length) exemplars = Arrays.copyOf(exemplars, exemplars.length * 2);
        exemplars[2 * exemplarCount] = p;
        exemplars[2 * exemplarCount + 1] = p + len;
        exemplarCount++;
        p += len;
    }

    /** Exemplar: filtered_attributes 7, time 2, as_double 3, as_int 6, span_id 4, trace_id 5; as TimeSeries.exemplars (3). */
    private void writeExemplars(BucketExemplars bucket) {
        int saved = p;
        for (int e = 0; e < exemplarCount; e++) {
            int from = exemplars[2 * e], to = exemplars[2 * e + 1];
            double value = 0;
            long time = 0;
            String traceId = "", spanId = "";
            List<String> keys = new ArrayList<>(), values = new ArrayList<>();
            p = from;
            while (p < to) {
                int tag = readTag(to);
                int field = tag >>> 3, wire = tag & 7;
                switch (field) {
                    case 7 -> {
                        expectWire(wire, WIRE_LEN, "Exemplar.filtered_attributes (field 7)");
                        int len = readLength(to);
                        int at = p;
                        keyValue(at, at + len, keys, values);
                        p = at + len;
                    }
                    case 2 -> time = fixed64(to, wire, "Exemplar.time_unix_nano");
                    case 3 -> value = Double.longBitsToDouble(fixed64(to, wire, "Exemplar.as_double"));
                    case 6 -> value = fixed64(to, wire, "Exemplar.as_int");
                    case 4 -> spanId = hex(to, wire);
                    case 5 -> traceId = hex(to, wire);
                    default -> skipField(field, wire, to);
                }
            }
            if (bucket != ALL_EXEMPLARS) {
                if (bucket.placed()[e] || value > bucket.bound()) continue;
                bucket.placed()[e] = true;
            }
            int m = out.beginMessage(3);
            if (!traceId.isEmpty()) label("trace_id", traceId);
            if (!spanId.isEmpty()) label("span_id", spanId);
            for (int i = 0; i < keys.size(); i++) label(OtlpNames.labelName(keys.get(i), options.strategy()), values.get(i));
            out.doubleField(2, value);
            out.int64Field(3, millis(time));
            out.endMessage(m);
        }
        p = saved;
    }

    private void label(String name, String value) {
        int l = out.beginMessage(1);
        out.stringField(1, name);
        out.stringField(2, value);
        out.endMessage(l);
    }

    private String hex(int to, int wire) {
        expectWire(wire, WIRE_LEN, "Exemplar id");
        int len = readLength(to);
        boolean zero = true;
        for (int i = 0; i < len; i++) zero &= buf[p + i] == 0;
        String s = zero ? "" : HexFormat.of().formatHex(buf, p, p + len);
        p += len;
        return s;
    }

    // ---- attributes ----------------------------------------------------------------------------

    /**
     * A data point's KeyValue: its key, and a string value, as ranges of the request; other values
     * (rare in metrics) as their string form.
     */
    private void attribute(int to, int wire) {
        expectWire(wire, WIRE_LEN, "attributes");
        int len = readLength(to);
        int end = p + len;
        int keyOff = p, keyLen = 0, valueOff = 0, valueLen = 0;
        byte[] value = NO_BYTES;
        while (p < end) {
            int tag = readTag(end);
            int field = tag >>> 3, wire2 = tag & 7;
            if (field == 1) {
                expectWire(wire2, WIRE_LEN, "KeyValue.key (field 1)");
                keyLen = readLength(end);
                keyOff = p;
                p += keyLen;
            } else if (field == 2) {
                expectWire(wire2, WIRE_LEN, "KeyValue.value (field 2)");
                int l = readLength(end);
                int v = p;
                boolean plain = true;
                value = NO_BYTES;
                valueOff = valueLen = 0;
                while (p < v + l) {
                    int t = readTag(v + l);
                    if (t >>> 3 == 1 && (t & 7) == WIRE_LEN) {
                        valueLen = readLength(v + l);
                        valueOff = p;
                        value = buf;
                        p += valueLen;
                    } else {
                        plain = false;
                        skipField(t >>> 3, t & 7, v + l);
                    }
                }
                if (!plain) {
                    value = bytes(anyValue(v, v + l, false));
                    valueOff = 0;
                    valueLen = value.length;
                }
                p = v + l;
            } else {
                skipField(field, wire2, end);
            }
        }
        addAttribute(buf, keyOff, keyLen, value, valueOff, valueLen);
    }

    /** KeyValue: key 1, value 2 (AnyValue), its value as a string. */
    private void keyValue(int from, int to, List<String> keys, List<String> values) {
        String key = "", value = "";
        p = from;
        while (p < to) {
            int tag = readTag(to);
            int field = tag >>> 3, wire = tag & 7;
            if (field == 1) key = string(to, wire, "KeyValue.key");
            else if (field == 2) {
                expectWire(wire, WIRE_LEN, "KeyValue.value (field 2)");
                int len = readLength(to);
                int at = p;
                value = anyValue(at, at + len, false);
                p = at + len;
            } else skipField(field, wire, to);
        }
        keys.add(key);
        values.add(value);
    }

    /**
     * AnyValue as OpenTelemetry's {@code AsString} gives it: strings as they are, booleans and
     * numbers in their usual form, bytes in base64, arrays and key-value lists as JSON.
     */
    private String anyValue(int from, int to, boolean json) {
        String s = json ? "null" : "";
        p = from;
        while (p < to) {
            int tag = readTag(to);
            int field = tag >>> 3, wire = tag & 7;
            switch (field) {
                case 1 -> {
                    String v = string(to, wire, "AnyValue.string_value");
                    s = json ? jsonString(v) : v;
                }
                case 2 -> s = varint(to, wire, "AnyValue.bool_value") != 0 ? "true" : "false";
                case 3 -> s = Long.toString(varint(to, wire, "AnyValue.int_value"));
                case 4 -> s = formatAttributeDouble(Double.longBitsToDouble(fixed64(to, wire, "AnyValue.double_value")));
                case 5, 6 -> {
                    expectWire(wire, WIRE_LEN, "AnyValue list (field " + field + ")");
                    int len = readLength(to);
                    int at = p;
                    s = field == 5 ? jsonArray(at, at + len) : jsonObject(at, at + len);
                    p = at + len;
                }
                case 7 -> {
                    expectWire(wire, WIRE_LEN, "AnyValue.bytes_value (field 7)");
                    int len = readLength(to);
                    String b = Base64.getEncoder().encodeToString(Arrays.copyOfRange(buf, p, p + len));
                    s = json ? jsonString(b) : b;
                    p += len;
                }
                default -> skipField(field, wire, to);
            }
        }
        return s;
    }

    private String jsonArray(int from, int to) {
        StringBuilder b = new StringBuilder("[");
        p = from;
        while (p < to) {
            int tag = readTag(to);
            if (tag >>> 3 == 1 && (tag & 7) == WIRE_LEN) {
                int len = readLength(to);
                int at = p;
                if (b.length() > 1) b.append(',');
                b.append(anyValue(at, at + len, true));
                p = at + len;
            } else skipField(tag >>> 3, tag & 7, to);
        }
        return b.append(']').toString();
    }

    private String jsonObject(int from, int to) {
        StringBuilder b = new StringBuilder("{");
        List<String> keys = new ArrayList<>(), values = new ArrayList<>();
        p = from;
        while (p < to) {
            int tag = readTag(to);
            if (tag >>> 3 == 1 && (tag & 7) == WIRE_LEN) {
                int len = readLength(to);
                int at = p;
                // the values of a nested list are JSON: read each KeyValue's AnyValue as such
                String key = "", value = "null";
                p = at;
                while (p < at + len) {
                    int t = readTag(at + len);
                    if (t >>> 3 == 1) key = string(at + len, t & 7, "KeyValue.key");
                    else if (t >>> 3 == 2 && (t & 7) == WIRE_LEN) {
                        int l = readLength(at + len);
                        int v = p;
                        value = anyValue(v, v + l, true);
                        p = v + l;
                    } else skipField(t >>> 3, t & 7, at + len);
                }
                keys.add(key);
                values.add(value);
                p = at + len;
            } else skipField(tag >>> 3, tag & 7, to);
        }
        for (int i = 0; i < keys.size(); i++) {
            if (i > 0) b.append(',');
            b.append(jsonString(keys.get(i))).append(':').append(values.get(i));
        }
        return b.append('}').toString();
    }

    private static String jsonString(String s) {
        StringBuilder b = new StringBuilder(s.length() + 2).append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                default -> {
                    if (c < 0x20) b.append(String.format("\\u%04x", (int) c));
                    else b.append(c);
                }
            }
        }
        return b.append('"').toString();
    }

    // ---- scalars -------------------------------------------------------------------------------

    private String string(int to, int wire, String what) {
        expectWire(wire, WIRE_LEN, what);
        int len = readLength(to);
        String s = new String(buf, p, len, StandardCharsets.UTF_8);
        p += len;
        return s;
    }

    private long fixed64(int to, int wire, String what) {
        expectWire(wire, WIRE_FIXED64, what);
        return readFixed64(to, what);
    }

    private long varint(int to, int wire, String what) {
        expectWire(wire, WIRE_VARINT, what);
        return readVarint(to);
    }

    /** A repeated fixed64 or double, packed or not, into {@link #counts} or {@link #bounds}. */
    private void repeatedFixed64(int to, int wire, boolean doubles) {
        String what = doubles ? "HistogramDataPoint.explicit_bounds" : "HistogramDataPoint.bucket_counts";
        if (wire == WIRE_LEN) {
            int len = readLength(to);
            int packedEnd = p + len;
            if (len % 8 != 0) throw malformed(what + " packed length " + len + " is not a multiple of 8", p);
            while (p < packedEnd) addFixed64(readFixed64(packedEnd, what), doubles);
        } else {
            addFixed64(fixed64(to, wire, what), doubles);
        }
    }

    private void addFixed64(long bits, boolean doubles) {
        if (doubles) {
            if (boundsSize == bounds.length) bounds = Arrays.copyOf(bounds, boundsSize * 2);
            bounds[boundsSize++] = Double.longBitsToDouble(bits);
        } else {
            addCount(bits);
        }
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static boolean stale(int flags) {
        return (flags & FLAG_NO_RECORDED_VALUE) != 0;
    }

    /** Nanoseconds since the epoch (unsigned) as milliseconds. */
    private static long millis(long nanos) {
        return Long.divideUnsigned(nanos, 1_000_000L);
    }

    /** A bucket bound or quantile as Prometheus writes it: plain decimal, shortest ({@code 0.005}, {@code 100}). */
    static String formatFloat(double v) {
        if (Double.isNaN(v)) return "NaN";
        if (Double.isInfinite(v)) return v > 0 ? "+Inf" : "-Inf";
        if (v == 0) return "0";
        return new BigDecimal(Double.toString(v)).stripTrailingZeros().toPlainString();
    }

    /** A double attribute as OpenTelemetry's AsString (ES6 number to string): plain in [1e-6, 1e21), else exponent. */
    static String formatAttributeDouble(double v) {
        if (Double.isNaN(v)) return "NaN";
        if (Double.isInfinite(v)) return v > 0 ? "+Inf" : "-Inf";
        double abs = Math.abs(v);
        if (abs == 0 || (abs >= 1e-6 && abs < 1e21)) return formatFloat(v);
        String s = Double.toString(v).replace("E", "e"); // 1.0e-7
        int e = s.indexOf('e');
        String mantissa = new BigDecimal(s.substring(0, e)).stripTrailingZeros().toPlainString();
        String exp = s.substring(e + 1);
        return mantissa + "e" + (exp.startsWith("-") ? "-" : "+") + (exp.startsWith("-") ? exp.substring(1) : exp);
    }

    @Override
    protected RemoteWriteException malformed(String what, int at) {
        return new RemoteWriteException("malformed OTLP metrics request: " + what + " at byte " + (at - start));
    }
}
