package io.mnemo.actors.ingest;

import io.mnemo.actors.wire.ProtobufCursor;
import io.mnemo.actors.wire.ProtobufWriter;
import io.mnemo.tsdb.histogram.FloatHistogram;
import io.mnemo.tsdb.histogram.FloatHistogram.CounterResetHint;
import io.mnemo.tsdb.histogram.Histogram;
import java.util.Arrays;

/**
 * The codec of remote write's {@code Histogram} message, the same in 1.0 ({@code prompb/types.proto})
 * and 2.0 ({@code io.prometheus.write.v2}), which ingest records carry as it arrived (field 3 of a
 * series): count_int 1 or count_float 2 (a oneof: which one says whether the histogram has integer
 * or float counts), sum 3, schema 4 (sint32), zero_threshold 5, zero_count_int 6 or
 * zero_count_float 7, negative_spans 8 ({@code BucketSpan}: sint32 offset 1, uint32 length 2),
 * negative_deltas 9 (sint64), negative_counts 10 (double), positive_spans 11, positive_deltas 12,
 * positive_counts 13, reset_hint 14, timestamp 15 (ms), custom_values 16 (double). Repeated scalars
 * are read packed or not, as protobuf requires of a parser.
 *
 * <p>As Prometheus converts the message: an integer histogram takes the deltas and zero_count_int,
 * a float one the counts and zero_count_float; the other variant's fields are ignored.
 *
 * <p>Reading decodes into a per-thread scratch and then fills the caller's instance, reusing its
 * arrays where the histogram classes allow, so a reader that passes the same instance allocates
 * nothing per sample once warmed up (custom bounds excepted: they are shared by reference, so a
 * float histogram's are a new array). Damage throws {@link MalformedHistogramException} naming the
 * field; nothing else escapes.
 */
public final class HistogramMessage {
    private HistogramMessage() {}

    /**
     * A histogram message that does not decode, or whose buckets a float histogram cannot hold. An
     * IllegalArgumentException, as the histogram classes' own refusals are, so a caller that skips
     * undecodable samples catches both.
     */
    public static final class MalformedHistogramException extends IllegalArgumentException {
        private final boolean wire;

        MalformedHistogramException(String message, boolean wire) {
            super(message);
            this.wire = wire;
        }

        /**
         * True for damaged protobuf (a truncated field, a wrong wire type); false for a well-formed
         * message that breaks a histogram rule in a way {@link FloatHistogram} cannot represent (its
         * spans describe another number of buckets than it carries): then the message is
         * Prometheus's validation text.
         */
        public boolean isWireDamage() { return wire; }
    }

    private static final ThreadLocal<Reader> READER = ThreadLocal.withInitial(Reader::new);

    /** Whether the histogram has float counts (count_float is set), else integer ones. */
    public static boolean isFloat(byte[] b, int off, int len) {
        return READER.get().scan(b, off, len).isFloat;
    }

    /** The sample's timestamp in ms (field 15; 0 when absent). */
    public static long timestamp(byte[] b, int off, int len) {
        return READER.get().scan(b, off, len).timestamp;
    }

    /**
     * An integer histogram message as a {@link Histogram}, filled into {@code reuse} when given.
     *
     * @throws MalformedHistogramException on damage, or when the message is a float histogram
     */
    public static Histogram readInt(byte[] b, int off, int len, Histogram reuse) {
        Reader r = READER.get().parse(b, off, len);
        if (r.isFloat) throw new MalformedHistogramException("Histogram.count_float (field 2) is set: a float histogram, read it with readFloat", false);
        Histogram h = reuse != null ? reuse : new Histogram();
        h.set(r.hint, r.schema, r.zeroThreshold, r.zeroCountInt, r.countInt, r.sum);
        h.setPositive(r.pos.spans, r.pos.spanInts, r.pos.deltas, r.pos.deltaCount);
        h.setNegative(r.neg.spans, r.neg.spanInts, r.neg.deltas, r.neg.deltaCount);
        double[] shared = h.customValuesShared();
        if (r.customCount == 0) {
            h.setCustomValues(null);
        } else if (shared == null || !Arrays.equals(shared, 0, shared.length, r.custom, 0, r.customCount)) {
            h.setCustomValues(Arrays.copyOf(r.custom, r.customCount));
        }
        return h;
    }

    /**
     * A histogram message, float or integer (its counts converted), as a {@link FloatHistogram},
     * filled into {@code reuse} when given.
     *
     * @throws MalformedHistogramException on damage, or when a side's spans describe another number
     *                                     of buckets than it carries
     */
    public static FloatHistogram readFloat(byte[] b, int off, int len, FloatHistogram reuse) {
        Reader r = READER.get().parse(b, off, len);
        FloatHistogram f = reuse != null ? reuse : FloatHistogram.empty();
        double[] custom = r.customCount == 0 ? null : Arrays.copyOf(r.custom, r.customCount);
        if (custom != null && r.schema != Histogram.CUSTOM_BUCKETS_SCHEMA) {
            // FloatHistogram keeps custom bounds for schema -53 only; Prometheus refuses them elsewhere.
            throw new MalformedHistogramException("histogram with exponential schema must not have custom bounds", false);
        }
        if (r.isFloat) {
            f.reset(r.hint, r.schema, r.zeroThreshold, r.zeroCountFloat, r.countFloat, r.sum, custom);
        } else {
            f.reset(r.hint, r.schema, r.zeroThreshold, r.zeroCountInt, r.countInt, r.sum, custom);
        }
        r.side(r.pos, r.isFloat, "positive side: ");
        f.resetBuckets(true, r.index, r.counts, r.pos.bucketCount(r.isFloat));
        r.side(r.neg, r.isFloat, "negative side: ");
        f.resetBuckets(false, r.index, r.counts, r.neg.bucketCount(r.isFloat));
        return f;
    }

    /** Writes an integer histogram sample as the body of a {@code Histogram} message (no tag or length). */
    public static void write(ProtobufWriter out, long timestamp, Histogram h) {
        out.uint64Field(1, h.count()); // a oneof member: written even when 0, it says "integer"
        nonZeroDouble(out, 3, h.sum());
        if (h.schema() != 0) out.uint64Field(4, zigzag32(h.schema()));
        nonZeroDouble(out, 5, h.zeroThreshold());
        out.uint64Field(6, h.zeroCount());
        for (int i = 0; i + 1 < h.negativeSpanInts(); i += 2) span(out, 8, h.negativeSpan(i), h.negativeSpan(i + 1));
        if (h.negativeBucketCount() > 0) {
            int m = out.beginMessage(9);
            for (int i = 0; i < h.negativeBucketCount(); i++) out.varint(zigzag64(h.negativeBucket(i)));
            out.endMessage(m);
        }
        for (int i = 0; i + 1 < h.positiveSpanInts(); i += 2) span(out, 11, h.positiveSpan(i), h.positiveSpan(i + 1));
        if (h.positiveBucketCount() > 0) {
            int m = out.beginMessage(12);
            for (int i = 0; i < h.positiveBucketCount(); i++) out.varint(zigzag64(h.positiveBucket(i)));
            out.endMessage(m);
        }
        tail(out, h.counterResetHint(), timestamp, h.customValueCount(), h::customValue);
    }

    /** Writes a float histogram sample as the body of a {@code Histogram} message (no tag or length). */
    public static void write(ProtobufWriter out, long timestamp, FloatHistogram h) {
        out.doubleField(2, h.count()); // a oneof member: written even when 0, it says "float"
        nonZeroDouble(out, 3, h.sum());
        if (h.schema() != 0) out.uint64Field(4, zigzag32(h.schema()));
        nonZeroDouble(out, 5, h.zeroThreshold());
        out.doubleField(7, h.zeroCount());
        int n = h.negativeBucketCount();
        spans(out, 8, n, h::negativeIndex);
        if (n > 0) {
            int m = out.beginMessage(10);
            for (int i = 0; i < n; i++) out.fixed64(Double.doubleToRawLongBits(h.negativeCount(i)));
            out.endMessage(m);
        }
        n = h.positiveBucketCount();
        spans(out, 11, n, h::positiveIndex);
        if (n > 0) {
            int m = out.beginMessage(13);
            for (int i = 0; i < n; i++) out.fixed64(Double.doubleToRawLongBits(h.positiveCount(i)));
            out.endMessage(m);
        }
        tail(out, h.counterResetHint(), timestamp, h.customValueCount(), h::customValue);
    }

    private interface IntAt { int at(int i); }

    private interface DoubleAt { double at(int i); }

    /** Sorted bucket indices as spans: each run of consecutive indices one span, as Prometheus writes them. */
    private static void spans(ProtobufWriter out, int field, int n, IntAt index) {
        int i = 0;
        int previousEnd = 0;
        while (i < n) {
            int first = index.at(i);
            int j = i + 1;
            while (j < n && index.at(j) == index.at(j - 1) + 1) j++;
            span(out, field, i == 0 ? first : first - previousEnd, j - i);
            previousEnd = index.at(j - 1) + 1;
            i = j;
        }
    }

    private static void span(ProtobufWriter out, int field, int offset, int length) {
        int m = out.beginMessage(field);
        if (offset != 0) out.uint64Field(1, zigzag32(offset));
        if (length != 0) out.uint64Field(2, length & 0xFFFFFFFFL);
        out.endMessage(m);
    }

    private static void tail(ProtobufWriter out, CounterResetHint hint, long timestamp, int customCount, DoubleAt custom) {
        int hintNumber = switch (hint) {
            case UNKNOWN -> 0;
            case COUNTER_RESET -> 1;
            case NOT_COUNTER_RESET -> 2;
            case GAUGE -> 3;
        };
        if (hintNumber != 0) out.uint64Field(14, hintNumber);
        if (timestamp != 0) out.int64Field(15, timestamp);
        if (customCount > 0) {
            int m = out.beginMessage(16);
            for (int i = 0; i < customCount; i++) out.fixed64(Double.doubleToRawLongBits(custom.at(i)));
            out.endMessage(m);
        }
    }

    private static void nonZeroDouble(ProtobufWriter out, int field, double v) {
        long bits = Double.doubleToRawLongBits(v);
        if (bits != 0) out.fixed64Field(field, bits);
    }

    private static long zigzag32(int v) {
        return ((v << 1) ^ (v >> 31)) & 0xFFFFFFFFL;
    }

    private static long zigzag64(long v) {
        return (v << 1) ^ (v >> 63);
    }

    /** One side's buckets as read: spans (offset, length interleaved), deltas and counts. */
    private static final class Side {
        int[] spans = new int[8];
        int spanInts;
        long[] deltas = new long[16];
        int deltaCount;
        double[] counts = new double[16];
        int countCount;

        void clear() {
            spanInts = deltaCount = countCount = 0;
        }

        int bucketCount(boolean isFloat) {
            return isFloat ? countCount : deltaCount;
        }

        void addSpan(int offset, int length) {
            if (spanInts + 2 > spans.length) spans = Arrays.copyOf(spans, spans.length * 2);
            spans[spanInts++] = offset;
            spans[spanInts++] = length;
        }

        void addDelta(long d) {
            if (deltaCount == deltas.length) deltas = Arrays.copyOf(deltas, deltas.length * 2);
            deltas[deltaCount++] = d;
        }

        void addCount(double c) {
            if (countCount == counts.length) counts = Arrays.copyOf(counts, counts.length * 2);
            counts[countCount++] = c;
        }
    }

    /** Walks one message; its fields stay until the next walk. One per thread. */
    private static final class Reader extends ProtobufCursor {
        final Side pos = new Side();
        final Side neg = new Side();
        double[] custom = new double[8];
        int customCount;
        boolean isFloat;
        long countInt, zeroCountInt, timestamp;
        double countFloat, zeroCountFloat, sum, zeroThreshold;
        int schema;
        CounterResetHint hint;
        /** A side's buckets as indices and counts, for {@link #readFloat}. */
        int[] index = new int[16];
        double[] counts = new double[16];

        @Override
        protected RuntimeException malformed(String what, int at) {
            return new MalformedHistogramException("malformed native histogram: " + what + " at byte " + (at - start)
                    + " of the Histogram message", true);
        }

        private void begin(byte[] b, int off, int len) {
            if (off < 0 || len < 0 || off > b.length - len) {
                throw new MalformedHistogramException("malformed native histogram: range " + off + "+" + len
                        + " outside a buffer of " + b.length + " bytes", true);
            }
            buf = b;
            start = p = off;
        }

        /** Reads only what {@link #isFloat} and {@link #timestamp} need. */
        Reader scan(byte[] b, int off, int len) {
            begin(b, off, len);
            int to = off + len;
            isFloat = false;
            timestamp = 0;
            while (p < to) {
                int tag = readTag(to);
                int field = tag >>> 3, wire = tag & 7;
                switch (field) {
                    case 1 -> { expectWire(wire, WIRE_VARINT, "Histogram.count_int (field 1)"); readVarint(to); isFloat = false; }
                    case 2 -> { expectWire(wire, WIRE_FIXED64, "Histogram.count_float (field 2)"); readFixed64(to, "Histogram.count_float"); isFloat = true; }
                    case 15 -> { expectWire(wire, WIRE_VARINT, "Histogram.timestamp (field 15)"); timestamp = readVarint(to); }
                    default -> skipField(field, wire, to);
                }
            }
            return this;
        }

        Reader parse(byte[] b, int off, int len) {
            begin(b, off, len);
            int to = off + len;
            pos.clear();
            neg.clear();
            customCount = 0;
            isFloat = false;
            countInt = zeroCountInt = timestamp = 0;
            countFloat = zeroCountFloat = sum = zeroThreshold = 0;
            schema = 0;
            hint = CounterResetHint.UNKNOWN;
            while (p < to) {
                int tag = readTag(to);
                int field = tag >>> 3, wire = tag & 7;
                switch (field) {
                    case 1 -> { countInt = varint(wire, to, "Histogram.count_int (field 1)"); isFloat = false; }
                    case 2 -> { countFloat = fixed64(wire, to, "Histogram.count_float (field 2)"); isFloat = true; }
                    case 3 -> sum = fixed64(wire, to, "Histogram.sum (field 3)");
                    case 4 -> {
                        int z = (int) varint(wire, to, "Histogram.schema (field 4)"); // sint32: the low 32 bits, zigzag
                        schema = (z >>> 1) ^ -(z & 1);
                    }
                    case 5 -> zeroThreshold = fixed64(wire, to, "Histogram.zero_threshold (field 5)");
                    case 6 -> zeroCountInt = varint(wire, to, "Histogram.zero_count_int (field 6)");
                    case 7 -> zeroCountFloat = fixed64(wire, to, "Histogram.zero_count_float (field 7)");
                    case 8 -> span(wire, to, neg, "Histogram.negative_spans (field 8)");
                    case 9 -> deltas(wire, to, neg, "Histogram.negative_deltas (field 9)");
                    case 10 -> counts(wire, to, neg, "Histogram.negative_counts (field 10)");
                    case 11 -> span(wire, to, pos, "Histogram.positive_spans (field 11)");
                    case 12 -> deltas(wire, to, pos, "Histogram.positive_deltas (field 12)");
                    case 13 -> counts(wire, to, pos, "Histogram.positive_counts (field 13)");
                    case 14 -> hint = switch ((int) varint(wire, to, "Histogram.reset_hint (field 14)")) {
                        case 1 -> CounterResetHint.COUNTER_RESET;
                        case 2 -> CounterResetHint.NOT_COUNTER_RESET;
                        case 3 -> CounterResetHint.GAUGE;
                        default -> CounterResetHint.UNKNOWN; // proto3 enums are open: unknown numbers read as the default
                    };
                    case 15 -> timestamp = varint(wire, to, "Histogram.timestamp (field 15)");
                    case 16 -> customValues(wire, to);
                    default -> skipField(field, wire, to);
                }
            }
            return this;
        }

        private long varint(int wire, int to, String field) {
            expectWire(wire, WIRE_VARINT, field);
            return readVarint(to);
        }

        private double fixed64(int wire, int to, String field) {
            expectWire(wire, WIRE_FIXED64, field);
            return Double.longBitsToDouble(readFixed64(to, field));
        }

        private void span(int wire, int to, Side side, String field) {
            expectWire(wire, WIRE_LEN, field);
            int end = readLength(to) + p;
            int offset = 0;
            long length = 0;
            while (p < end) {
                int tag = readTag(end);
                int f = tag >>> 3, w = tag & 7;
                if (f == 1) {
                    if (w != WIRE_VARINT) expectWire(w, WIRE_VARINT, field + " BucketSpan.offset"); // built only when wrong
                    int z = (int) readVarint(end);
                    offset = (z >>> 1) ^ -(z & 1);
                } else if (f == 2) {
                    if (w != WIRE_VARINT) expectWire(w, WIRE_VARINT, field + " BucketSpan.length");
                    length = readVarint(end) & 0xFFFFFFFFL; // uint32: the low 32 bits
                } else {
                    skipField(f, w, end);
                }
            }
            if (length > Integer.MAX_VALUE) {
                throw new MalformedHistogramException("malformed native histogram: " + field
                        + " has a span of " + length + " buckets", true);
            }
            side.addSpan(offset, (int) length);
        }

        private void deltas(int wire, int to, Side side, String field) {
            if (wire == WIRE_VARINT) {
                side.addDelta(unzigzag(readVarint(to)));
                return;
            }
            expectWire(wire, WIRE_LEN, field);
            int end = readLength(to) + p;
            while (p < end) side.addDelta(unzigzag(readVarint(end)));
        }

        private void counts(int wire, int to, Side side, String field) {
            if (wire == WIRE_FIXED64) {
                side.addCount(Double.longBitsToDouble(readFixed64(to, field)));
                return;
            }
            expectWire(wire, WIRE_LEN, field);
            int len = readLength(to);
            if (len % 8 != 0) throw malformed(field + " packed doubles of " + len + " bytes, not a multiple of 8", p);
            int end = p + len;
            while (p < end) side.addCount(Double.longBitsToDouble(readFixed64(end, field)));
        }

        private void customValues(int wire, int to) {
            String field = "Histogram.custom_values (field 16)";
            if (wire == WIRE_FIXED64) {
                addCustom(Double.longBitsToDouble(readFixed64(to, field)));
                return;
            }
            expectWire(wire, WIRE_LEN, field);
            int len = readLength(to);
            if (len % 8 != 0) throw malformed(field + " packed doubles of " + len + " bytes, not a multiple of 8", p);
            int end = p + len;
            while (p < end) addCustom(Double.longBitsToDouble(readFixed64(end, field)));
        }

        private void addCustom(double v) {
            if (customCount == custom.length) custom = Arrays.copyOf(custom, custom.length * 2);
            custom[customCount++] = v;
        }

        private static long unzigzag(long z) {
            return (z >>> 1) ^ -(z & 1);
        }

        /**
         * One side's buckets as indices and absolute counts in {@link #index} and {@link #counts}:
         * the counts as given (float) or summed from the deltas (integer). Spans that describe
         * another number of buckets are refused with Prometheus's text, as a float histogram has
         * no way to keep them.
         */
        void side(Side s, boolean isFloat, String sideName) {
            int n = s.bucketCount(isFloat);
            long spanned = 0;
            for (int i = 1; i < s.spanInts; i += 2) spanned += s.spans[i];
            if (spanned != n) {
                throw new MalformedHistogramException(sideName + "spans need " + spanned + " buckets, have " + n
                        + " buckets: histogram spans specify different number of buckets than provided", false);
            }
            if (index.length < n) {
                index = new int[Math.max(n, 2 * index.length)];
                counts = new double[index.length];
            }
            long idx = 0;
            long current = 0;
            int k = 0;
            for (int i = 0; i + 1 < s.spanInts; i += 2) {
                idx += s.spans[i];
                for (int j = 0; j < s.spans[i + 1]; j++) {
                    if (idx < Integer.MIN_VALUE || idx > Integer.MAX_VALUE) {
                        throw new MalformedHistogramException("malformed native histogram: " + sideName
                                + "bucket index " + idx + " out of range", true);
                    }
                    index[k] = (int) idx++;
                    if (isFloat) {
                        counts[k] = s.counts[k];
                    } else {
                        current += s.deltas[k];
                        counts[k] = current;
                    }
                    k++;
                }
            }
        }
    }
}
