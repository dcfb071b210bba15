package io.mnemo.tsdb.chunkenc;

import io.mnemo.tsdb.histogram.Histogram;

/**
 * The bucket layout every sample of a histogram chunk shares, written once before the first
 * sample as Prometheus's {@code writeHistogramChunkLayout} does: the zero threshold (one byte
 * for 0 and for powers of two from 2^-243 to 2^10, else 255 and the 8 bytes), the schema as a
 * varbit int, each side's spans (count, then length and offset per span), and for schema -53
 * the custom bounds (multiples of 0.001 up to 33554.43 as a varbit uint of bound*1000+1, others
 * as a 0 bit and the 8 bytes).
 *
 * <p>Spans are kept as written; the bucket indices they describe are derived once, for
 * comparing layouts without walking spans per sample.
 */
final class HistogramLayout {
    static final HistogramLayout EMPTY = new HistogramLayout(0, 0, new int[0], new int[0], null);

    final int schema;
    final double zeroThreshold;
    final int[] positiveSpans;
    final int[] negativeSpans;
    /** Custom upper bounds for schema -53, else null; shared with decoded samples, never changed. */
    final double[] customValues;
    final int[] positiveIndices;
    final int[] negativeIndices;

    HistogramLayout(int schema, double zeroThreshold, int[] positiveSpans, int[] negativeSpans, double[] customValues) {
        this.schema = schema;
        this.zeroThreshold = zeroThreshold;
        this.positiveSpans = positiveSpans;
        this.negativeSpans = negativeSpans;
        this.customValues = schema == Histogram.CUSTOM_BUCKETS_SCHEMA ? (customValues == null ? new double[0] : customValues) : null;
        this.positiveIndices = indices(positiveSpans);
        this.negativeIndices = indices(negativeSpans);
    }

    /** The layout of an integer histogram, spans copied. */
    static HistogramLayout of(Histogram h) {
        int[] p = new int[h.positiveSpanInts()];
        for (int i = 0; i < p.length; i++) p[i] = h.positiveSpan(i);
        int[] n = new int[h.negativeSpanInts()];
        for (int i = 0; i < n.length; i++) n[i] = h.negativeSpan(i);
        return new HistogramLayout(h.schema(), h.zeroThreshold(), p, n, h.customValuesShared());
    }

    /** This layout with other spans. */
    HistogramLayout withSpans(int[] positiveSpans, int[] negativeSpans) {
        return new HistogramLayout(schema, zeroThreshold, positiveSpans, negativeSpans, customValues);
    }

    /** The bucket indices spans describe, spans of length 0 included (they only move the index). */
    static int[] indices(int[] spans) {
        int n = 0;
        for (int s = 1; s < spans.length; s += 2) n += spans[s];
        int[] idx = new int[n];
        int k = 0;
        int index = 0;
        for (int s = 0; s + 1 < spans.length; s += 2) {
            index += spans[s];
            for (int j = 0; j < spans[s + 1]; j++) idx[k++] = index++;
        }
        return idx;
    }

    boolean customBoundsMatch(double[] other, int otherCount) {
        int n = customValues == null ? 0 : customValues.length;
        if (n != otherCount) return false;
        for (int i = 0; i < n; i++) if (customValues[i] != other[i]) return false;
        return true;
    }

    // ---- encoding ----

    void write(BitBuffer b) {
        writeZeroThreshold(b, zeroThreshold);
        b.writeVarbitInt(schema);
        writeSpans(b, positiveSpans);
        writeSpans(b, negativeSpans);
        if (schema == Histogram.CUSTOM_BUCKETS_SCHEMA) {
            b.writeVarbitUint(customValues.length);
            for (double bound : customValues) writeCustomBound(b, bound);
        }
    }

    static HistogramLayout read(BitReader r) {
        double zeroThreshold = readZeroThreshold(r);
        int schema = (int) r.readVarbitInt();
        int[] positive = readSpans(r);
        int[] negative = readSpans(r);
        double[] custom = null;
        if (schema == Histogram.CUSTOM_BUCKETS_SCHEMA) {
            long n = r.readVarbitUint();
            if (n < 0 || n > Integer.MAX_VALUE / 8) throw new IllegalStateException("custom bound count " + n);
            custom = new double[(int) n];
            for (int i = 0; i < custom.length; i++) custom[i] = readCustomBound(r);
        } else if (schema < -9 || schema > 52) {
            // Prometheus's reserved range; beyond it a chunk is not one we can read.
            throw new IllegalStateException("unknown histogram schema " + schema);
        }
        return new HistogramLayout(schema, zeroThreshold, positive, negative, custom);
    }

    private static void writeSpans(BitBuffer b, int[] spans) {
        b.writeVarbitUint(spans.length / 2);
        for (int s = 0; s + 1 < spans.length; s += 2) {
            b.writeVarbitUint(Integer.toUnsignedLong(spans[s + 1]));
            b.writeVarbitInt(spans[s]);
        }
    }

    private static int[] readSpans(BitReader r) {
        long n = r.readVarbitUint();
        if (n < 0 || n > 1 << 20) throw new IllegalStateException("span count " + n);
        int[] spans = new int[2 * (int) n];
        for (int s = 0; s < spans.length; s += 2) {
            spans[s + 1] = (int) r.readVarbitUint();
            spans[s] = (int) r.readVarbitInt();
        }
        return spans;
    }

    /** One byte for 0 and for the powers of two 2^-243..2^10 (the exponent + 243 of 0.5*2^e), else 255 and 8 bytes. */
    static void writeZeroThreshold(BitBuffer b, double threshold) {
        if (threshold == 0) {
            b.writeBits(0, 8);
            return;
        }
        long bits = Double.doubleToRawLongBits(threshold);
        boolean powerOfTwo = threshold > 0 && (bits & 0x000F_FFFF_FFFF_FFFFL) == 0 && Math.getExponent(threshold) >= Double.MIN_EXPONENT
                && !Double.isInfinite(threshold);
        int exp = Math.getExponent(threshold) + 1; // Go's Frexp: threshold = 0.5 * 2^exp
        if (!powerOfTwo || exp < -242 || exp > 11) {
            b.writeBits(255, 8);
            b.writeBits(bits, 64);
            return;
        }
        b.writeBits(exp + 243, 8);
    }

    static double readZeroThreshold(BitReader r) {
        int v = (int) r.readBits(8);
        if (v == 0) return 0;
        if (v == 255) return Double.longBitsToDouble(r.readBits(64));
        return Math.scalb(0.5, v - 243);
    }

    static void writeCustomBound(BitBuffer b, double bound) {
        double scaled = bound * 1000;
        if (scaled < 0 || scaled > 33554430 || !wholeWhenMultiplied(bound)) {
            b.writeBits(0, 1);
            b.writeBits(Double.doubleToRawLongBits(bound), 64);
            return;
        }
        b.writeVarbitUint(Math.round(scaled) + 1);
    }

    /** Whether bound * 1000, rounded, divided by 1000 gives the bound back (Prometheus's isWholeWhenMultiplied). */
    private static boolean wholeWhenMultiplied(double bound) {
        long i = Math.round(bound * 1000);
        return bound == (double) i / 1000;
    }

    static double readCustomBound(BitReader r) {
        long v = r.readVarbitUint();
        if (v == 0) return Double.longBitsToDouble(r.readBits(64));
        return (double) (v - 1) / 1000;
    }
}
