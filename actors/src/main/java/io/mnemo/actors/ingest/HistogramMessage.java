package io.mnemo.actors.ingest;

import io.mnemo.actors.wire.ProtobufCursor;
import io.mnemo.tsdb.histogram.FloatHistogram;
import io.mnemo.tsdb.histogram.FloatHistogram.CounterResetHint;
import io.mnemo.tsdb.histogram.Histogram;
import java.util.Arrays;

/**
 * Decodes a remote write {@code Histogram} message body (the fields 1.0 and 2.0 share, as an
 * ingest record carries it): count (uint64 1 | double 2), sum 3, schema (sint32) 4, zero
 * threshold 5, zero count (uint64 6 | double 7), negative spans 8 / deltas (sint64) 9 / counts
 * (double) 10, positive spans 11 / deltas 12 / counts 13 (a span: sint32 offset 1, uint32 length
 * 2), reset hint 14, timestamp 15, custom values 16. A float count makes it a float histogram.
 *
 * <p>Decoding fills the caller's instance; the scratch arrays are per thread, so decoding
 * allocates nothing once they have grown (custom bounds excepted: histograms keep them by
 * reference). Malformed bytes throw {@link IllegalArgumentException}; nothing is validated
 * beyond the wire format ({@link Histogram#validate()} is the head's).
 *
 * <p>Temporary copy in the head branch (nh-head) with the API the distributor branch defines.
 */
public final class HistogramMessage {
    private static final ThreadLocal<Decoder> DECODER = ThreadLocal.withInitial(Decoder::new);

    private HistogramMessage() {}

    /** Whether the message is a float histogram (its count is a double, field 2). */
    public static boolean isFloat(byte[] b, int off, int len) {
        return DECODER.get().parse(b, off, len).floatCount;
    }

    /** The sample's timestamp (field 15), ms. */
    public static long timestamp(byte[] b, int off, int len) {
        return DECODER.get().parse(b, off, len).timestamp;
    }

    /** The message as an integer histogram, into {@code reuse} (float counts are truncated: check {@link #isFloat} first). */
    public static Histogram readInt(byte[] b, int off, int len, Histogram reuse) {
        Decoder d = DECODER.get().parse(b, off, len);
        reuse.set(d.hint, d.schema, d.zeroThreshold, d.zeroCountInt, d.countInt, d.sum);
        reuse.setPositive(d.spans[1], d.spanInts[1], d.deltas[1], d.deltaCount[1]);
        reuse.setNegative(d.spans[0], d.spanInts[0], d.deltas[0], d.deltaCount[0]);
        reuse.setCustomValues(d.customValues());
        return reuse;
    }

    /** The message as a float histogram, into {@code reuse}; integer counts become floats. */
    public static FloatHistogram readFloat(byte[] b, int off, int len, FloatHistogram reuse) {
        Decoder d = DECODER.get().parse(b, off, len);
        double count = d.floatCount ? d.countFloat : d.countInt;
        double zeroCount = d.floatZeroCount ? d.zeroCountFloat : d.zeroCountInt;
        reuse.reset(d.hint, d.schema, d.zeroThreshold, zeroCount, count, d.sum, d.customValues());
        for (int side = 0; side < 2; side++) {
            int n = d.floatBuckets(side);
            reuse.resetBuckets(side == 1, d.indices, d.counts, n);
        }
        return reuse;
    }

    /** One thread's parse of the last message, with arrays reused from message to message. */
    private static final class Decoder extends ProtobufCursor {
        private static final CounterResetHint[] HINTS = {CounterResetHint.UNKNOWN, CounterResetHint.COUNTER_RESET,
                CounterResetHint.NOT_COUNTER_RESET, CounterResetHint.GAUGE};

        boolean floatCount;
        boolean floatZeroCount;
        long countInt;
        double countFloat;
        long zeroCountInt;
        double zeroCountFloat;
        double sum;
        int schema;
        double zeroThreshold;
        CounterResetHint hint;
        long timestamp;
        // By side: 0 negative, 1 positive.
        final int[][] spans = {new int[8], new int[8]};
        final int[] spanInts = new int[2];
        final long[][] deltas = {new long[16], new long[16]};
        final int[] deltaCount = new int[2];
        final double[][] absolute = {new double[16], new double[16]};
        final int[] absoluteCount = new int[2];
        double[] custom = new double[8];
        int customCount;
        // Output of floatBuckets.
        int[] indices = new int[16];
        double[] counts = new double[16];

        Decoder parse(byte[] b, int off, int len) {
            buf = b;
            start = off;
            p = off;
            int end = off + len;
            if (off < 0 || len < 0 || end > b.length) throw new IllegalArgumentException("histogram message out of bounds");
            floatCount = floatZeroCount = false;
            countInt = zeroCountInt = 0;
            countFloat = zeroCountFloat = sum = zeroThreshold = 0;
            schema = 0;
            hint = CounterResetHint.UNKNOWN;
            timestamp = 0;
            spanInts[0] = spanInts[1] = deltaCount[0] = deltaCount[1] = absoluteCount[0] = absoluteCount[1] = 0;
            customCount = 0;
            while (p < end) {
                int tag = readTag(end);
                int field = tag >>> 3;
                int wire = tag & 7;
                switch (field) {
                    case 1 -> { expectWire(wire, WIRE_VARINT, "count_int"); countInt = readVarint(end); floatCount = false; }
                    case 2 -> { countFloat = Double.longBitsToDouble(readFixed64(end, "count_float")); floatCount = true; }
                    case 3 -> sum = Double.longBitsToDouble(readFixed64(end, "sum"));
                    case 4 -> { expectWire(wire, WIRE_VARINT, "schema"); schema = (int) unzigzag(readVarint(end)); }
                    case 5 -> zeroThreshold = Double.longBitsToDouble(readFixed64(end, "zero_threshold"));
                    case 6 -> { expectWire(wire, WIRE_VARINT, "zero_count_int"); zeroCountInt = readVarint(end); floatZeroCount = false; }
                    case 7 -> { zeroCountFloat = Double.longBitsToDouble(readFixed64(end, "zero_count_float")); floatZeroCount = true; }
                    case 8, 11 -> { expectWire(wire, WIRE_LEN, "spans"); span(field == 11 ? 1 : 0, end); }
                    case 9, 12 -> delta(field == 12 ? 1 : 0, wire, end);
                    case 10, 13 -> absolute(field == 13 ? 1 : 0, wire, end);
                    case 14 -> {
                        expectWire(wire, WIRE_VARINT, "reset_hint");
                        long h = readVarint(end);
                        hint = h >= 0 && h < HINTS.length ? HINTS[(int) h] : CounterResetHint.UNKNOWN;
                    }
                    case 15 -> { expectWire(wire, WIRE_VARINT, "timestamp"); timestamp = readVarint(end); }
                    case 16 -> customValue(wire, end);
                    default -> skipField(field, wire, end);
                }
            }
            return this;
        }

        private void span(int side, int limit) {
            int len = readLength(limit); // before reading p: readLength moves it
            int stop = p + len;
            int offset = 0;
            int length = 0;
            while (p < stop) {
                int tag = readTag(stop);
                if (tag == (1 << 3 | WIRE_VARINT)) offset = (int) unzigzag(readVarint(stop));
                else if (tag == (2 << 3 | WIRE_VARINT)) length = (int) readVarint(stop);
                else skipField(tag >>> 3, tag & 7, stop);
            }
            int n = spanInts[side];
            if (n + 2 > spans[side].length) spans[side] = Arrays.copyOf(spans[side], 2 * (n + 2));
            spans[side][n] = offset;
            spans[side][n + 1] = length;
            spanInts[side] = n + 2;
        }

        private void delta(int side, int wire, int limit) {
            if (wire == WIRE_LEN) {
                int len = readLength(limit); // before reading p: readLength moves it
                int stop = p + len;
                while (p < stop) addDelta(side, unzigzag(readVarint(stop)));
            } else {
                expectWire(wire, WIRE_VARINT, "deltas");
                addDelta(side, unzigzag(readVarint(limit)));
            }
        }

        private void addDelta(int side, long v) {
            int n = deltaCount[side];
            if (n == deltas[side].length) deltas[side] = Arrays.copyOf(deltas[side], 2 * n);
            deltas[side][n] = v;
            deltaCount[side] = n + 1;
        }

        private void absolute(int side, int wire, int limit) {
            if (wire == WIRE_LEN) {
                int len = readLength(limit); // before reading p: readLength moves it
                int stop = p + len;
                if (((stop - p) & 7) != 0) throw malformed("packed counts not a multiple of 8 bytes", p);
                while (p < stop) addAbsolute(side, Double.longBitsToDouble(readFixed64(stop, "counts")));
            } else {
                addAbsolute(side, Double.longBitsToDouble(readFixed64(limit, "counts")));
            }
        }

        private void addAbsolute(int side, double v) {
            int n = absoluteCount[side];
            if (n == absolute[side].length) absolute[side] = Arrays.copyOf(absolute[side], 2 * n);
            absolute[side][n] = v;
            absoluteCount[side] = n + 1;
        }

        private void customValue(int wire, int limit) {
            if (wire == WIRE_LEN) {
                int len = readLength(limit); // before reading p: readLength moves it
                int stop = p + len;
                if (((stop - p) & 7) != 0) throw malformed("packed custom values not a multiple of 8 bytes", p);
                while (p < stop) addCustom(Double.longBitsToDouble(readFixed64(stop, "custom_values")));
            } else {
                addCustom(Double.longBitsToDouble(readFixed64(limit, "custom_values")));
            }
        }

        private void addCustom(double v) {
            if (customCount == custom.length) custom = Arrays.copyOf(custom, 2 * customCount);
            custom[customCount++] = v;
        }

        /** The custom bounds, a new array (histograms keep them by reference); null for exponential schemas. */
        double[] customValues() {
            if (schema != Histogram.CUSTOM_BUCKETS_SCHEMA) return null;
            return Arrays.copyOf(custom, customCount);
        }

        /**
         * One side's buckets as indices and absolute counts in {@link #indices}/{@link #counts}:
         * from float counts, or integer deltas summed; returns how many.
         */
        int floatBuckets(int side) {
            boolean fromDeltas = absoluteCount[side] == 0;
            int n = fromDeltas ? deltaCount[side] : absoluteCount[side];
            if (indices.length < n) {
                indices = new int[n];
                counts = new double[n];
            }
            int k = 0;
            int index = 0;
            int[] s = spans[side];
            for (int i = 0; i + 1 < spanInts[side]; i += 2) {
                index += s[i];
                for (int j = 0; j < s[i + 1]; j++) {
                    if (k >= n) throw new IllegalArgumentException("histogram spans describe more buckets than given");
                    indices[k++] = index++;
                }
            }
            if (k != n) throw new IllegalArgumentException("histogram spans describe " + k + " buckets, " + n + " given");
            long running = 0;
            for (int i = 0; i < n; i++) {
                if (fromDeltas) {
                    running += deltas[side][i];
                    counts[i] = running;
                } else {
                    counts[i] = absolute[side][i];
                }
            }
            return n;
        }

        private static long unzigzag(long v) {
            return (v >>> 1) ^ -(v & 1);
        }

        @Override
        protected RuntimeException malformed(String what, int at) {
            return new IllegalArgumentException("malformed histogram message: " + what + " at byte " + (at - start));
        }
    }
}
