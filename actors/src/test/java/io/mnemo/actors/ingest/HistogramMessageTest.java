package io.mnemo.actors.ingest;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.CodedOutputStream;
import io.mnemo.actors.ingest.HistogramMessage.MalformedHistogramException;
import io.mnemo.actors.prompb.Remote;
import io.mnemo.actors.wire.ProtobufWriter;
import io.mnemo.tsdb.StaleNaN;
import io.mnemo.tsdb.histogram.FloatHistogram;
import io.mnemo.tsdb.histogram.FloatHistogram.CounterResetHint;
import io.mnemo.tsdb.histogram.Histogram;
import java.io.ByteArrayOutputStream;
import java.util.Arrays;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

class HistogramMessageTest {
    private static final long T = 1_700_000_000_123L;

    private static Remote.BucketSpan span(int offset, int length) {
        return Remote.BucketSpan.newBuilder().setOffset(offset).setLength(length).build();
    }

    /** An integer histogram as Prometheus's protobuf classes encode it. */
    private static Remote.Histogram.Builder intMessage() {
        return Remote.Histogram.newBuilder().setCountInt(19).setSum(42.5).setSchema(-2).setZeroThreshold(0.001)
                .setZeroCountInt(3).addNegativeSpans(span(-1, 2)).addNegativeDeltas(1).addNegativeDeltas(1)
                .addPositiveSpans(span(2, 2)).addPositiveSpans(span(3, 1)).addPositiveDeltas(4).addPositiveDeltas(-2)
                .addPositiveDeltas(5).setResetHint(Remote.Histogram.ResetHint.NO).setTimestamp(T);
    }

    private static Histogram intHistogram() {
        return Histogram.of(-2, 0.001, 3, 19, 42.5, new int[] {2, 2, 3, 1}, new long[] {4, -2, 5},
                new int[] {-1, 2}, new long[] {1, 1}, null, CounterResetHint.NOT_COUNTER_RESET);
    }

    @Test
    void readsAnIntegerHistogramAsPrometheusEncodesIt() {
        byte[] b = padded(intMessage().build().toByteArray());
        assertFalse(HistogramMessage.isFloat(b, 3, b.length - 6));
        assertEquals(T, HistogramMessage.timestamp(b, 3, b.length - 6));
        Histogram h = HistogramMessage.readInt(b, 3, b.length - 6, null);
        assertEquals(intHistogram(), h);
        h.validate();
    }

    @Test
    void writesWhatPrometheusReadsBack() throws Exception {
        ProtobufWriter out = new ProtobufWriter(16);
        HistogramMessage.write(out, T, intHistogram());
        assertEquals(intMessage().build(), Remote.Histogram.parseFrom(out.toByteArray()));

        FloatHistogram f = FloatHistogram.of(3, 0, 0.5, 7.25, -1, new int[] {-3, 2, 4, 1}, new double[] {1.5, 0, 5.25},
                new int[0], new double[0], null, CounterResetHint.GAUGE);
        out.reset();
        HistogramMessage.write(out, -5, f);
        Remote.Histogram m = Remote.Histogram.parseFrom(out.toByteArray());
        assertEquals(Remote.Histogram.newBuilder().setCountFloat(7.25).setSum(-1).setSchema(3).setZeroCountFloat(0.5)
                .addPositiveSpans(span(-3, 2)).addPositiveSpans(span(4, 1)).addPositiveCounts(1.5).addPositiveCounts(0)
                .addPositiveCounts(5.25).setResetHint(Remote.Histogram.ResetHint.GAUGE).setTimestamp(-5).build(), m);
    }

    @Test
    void readsAFloatHistogramWithCustomBuckets() {
        byte[] b = Remote.Histogram.newBuilder().setCountFloat(6).setSum(12).setSchema(-53).addPositiveSpans(span(0, 3))
                .addPositiveCounts(1).addPositiveCounts(2).addPositiveCounts(3).addCustomValues(1).addCustomValues(5)
                .setTimestamp(T).build().toByteArray();
        assertTrue(HistogramMessage.isFloat(b, 0, b.length));
        FloatHistogram f = HistogramMessage.readFloat(b, 0, b.length, null);
        assertEquals(-53, f.schema());
        assertEquals(6, f.count());
        assertArrayEquals(new int[] {0, 1, 2}, f.positiveIndices());
        assertArrayEquals(new double[] {1, 2, 3}, f.positiveCounts());
        assertArrayEquals(new double[] {1, 5}, f.customValues());
        f.validate();
        // An integer histogram read as float has its deltas summed, as Prometheus's ToFloat does.
        byte[] i = intMessage().build().toByteArray();
        FloatHistogram g = HistogramMessage.readFloat(i, 0, i.length, null);
        assertArrayEquals(new double[] {4, 2, 7}, g.positiveCounts());
        assertArrayEquals(new int[] {2, 3, 7}, g.positiveIndices());
        assertArrayEquals(new int[] {-1, 0}, g.negativeIndices());
        assertArrayEquals(new double[] {1, 2}, g.negativeCounts());
        assertEquals(3, g.zeroCount());
        assertEquals(CounterResetHint.NOT_COUNTER_RESET, g.counterResetHint());
        assertEquals(intHistogram().toFloat().positiveCount(2), g.positiveCount(2));
    }

    @Test
    void reusesTheCallersInstance() {
        byte[] b = intMessage().build().toByteArray();
        Histogram reuse = new Histogram();
        assertSame(reuse, HistogramMessage.readInt(b, 0, b.length, reuse));
        Histogram first = reuse.copy();
        // A smaller histogram into the same instance leaves nothing of the first behind.
        byte[] small = Remote.Histogram.newBuilder().setCountInt(1).setZeroCountInt(1).build().toByteArray();
        HistogramMessage.readInt(small, 0, small.length, reuse);
        assertEquals(Histogram.of(0, 0, 1, 1, 0, new int[0], new long[0], new int[0], new long[0], null, null), reuse);
        HistogramMessage.readInt(b, 0, b.length, reuse);
        assertEquals(first, reuse);
        FloatHistogram f = FloatHistogram.empty();
        assertSame(f, HistogramMessage.readFloat(b, 0, b.length, f));
    }

    @Test
    void readsRepeatedScalarsPackedOrNot() throws Exception {
        // Prometheus packs; protobuf parsers must take both. Field by field, unpacked.
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        CodedOutputStream c = CodedOutputStream.newInstance(bytes);
        c.writeUInt64(1, 3);
        c.writeSInt32(4, 1);
        c.writeMessage(11, span(1, 2));
        c.writeSInt64(12, 1);
        c.writeSInt64(12, 1);
        c.writeDouble(16, 9); // custom_values unpacked: read, though this schema refuses them later
        c.writeInt64(15, T);
        c.flush();
        byte[] b = bytes.toByteArray();
        Histogram h = HistogramMessage.readInt(b, 0, b.length, null);
        assertArrayEquals(new long[] {1, 1}, h.positiveBuckets());
        assertArrayEquals(new int[] {1, 2}, h.positiveSpans());
        assertArrayEquals(new double[] {9}, h.customValuesShared());
        assertEquals(1, h.schema());
    }

    @Test
    void aStaleMarkerKeepsItsNaN() throws Exception {
        byte[] b = Remote.Histogram.newBuilder().setSum(Double.longBitsToDouble(StaleNaN.BITS)).setTimestamp(T).build().toByteArray();
        Histogram h = HistogramMessage.readInt(b, 0, b.length, null);
        assertTrue(h.isStale());
        h.validate();
        ProtobufWriter out = new ProtobufWriter(8);
        HistogramMessage.write(out, T, h);
        assertArrayEquals(Remote.Histogram.newBuilder(Remote.Histogram.parseFrom(b)).setCountInt(0).setZeroCountInt(0).build()
                .toByteArray(), out.toByteArray());
    }

    @Test
    void damageNamesTheField() {
        byte[] b = intMessage().build().toByteArray();
        for (int cut = 1; cut < b.length; cut++) {
            int len = cut;
            try {
                HistogramMessage.readInt(b, 0, len, null);
            } catch (MalformedHistogramException e) {
                assertTrue(e.isWireDamage() || e.getMessage().contains("histogram"), e.getMessage());
            }
        }
        MalformedHistogramException e = assertThrows(MalformedHistogramException.class,
                () -> HistogramMessage.readInt(new byte[] {(byte) (3 << 3)}, 0, 1, null)); // sum as a varint
        assertTrue(e.isWireDamage());
        assertTrue(e.getMessage().contains("Histogram.sum (field 3)"), e.getMessage());
        e = assertThrows(MalformedHistogramException.class,
                () -> HistogramMessage.readInt(new byte[] {(byte) (12 << 3 | 2), 5, 1}, 0, 3, null));
        assertTrue(e.getMessage().contains("runs past the end"), e.getMessage());
        e = assertThrows(MalformedHistogramException.class,
                () -> HistogramMessage.readFloat(new byte[] {(byte) (13 << 3 | 2), 3, 1, 2, 3}, 0, 5, null));
        assertTrue(e.getMessage().contains("positive_counts (field 13)") && e.getMessage().contains("multiple of 8"), e.getMessage());
        e = assertThrows(MalformedHistogramException.class, () -> HistogramMessage.readInt(b, 5, b.length, null));
        assertTrue(e.isWireDamage());
        byte[] hugeSpan = Remote.Histogram.newBuilder().addPositiveSpans(span(0, -1)).build().toByteArray();
        e = assertThrows(MalformedHistogramException.class, () -> HistogramMessage.readInt(hugeSpan, 0, hugeSpan.length, null));
        assertTrue(e.getMessage().contains("positive_spans (field 11)"), e.getMessage());
        // A float histogram read as an integer one is the caller's mistake, said so.
        byte[] f = Remote.Histogram.newBuilder().setCountFloat(1).build().toByteArray();
        e = assertThrows(MalformedHistogramException.class, () -> HistogramMessage.readInt(f, 0, f.length, null));
        assertTrue(e.getMessage().contains("count_float"), e.getMessage());
    }

    @Test
    void floatBucketsThatTheSpansDoNotDescribeAreRefusedInPrometheusWords() {
        byte[] b = Remote.Histogram.newBuilder().setCountFloat(3).addPositiveSpans(span(0, 3)).addPositiveCounts(1)
                .addPositiveCounts(2).build().toByteArray();
        MalformedHistogramException e = assertThrows(MalformedHistogramException.class,
                () -> HistogramMessage.readFloat(b, 0, b.length, null));
        assertFalse(e.isWireDamage());
        assertEquals("positive side: spans need 3 buckets, have 2 buckets: histogram spans specify different number of"
                + " buckets than provided", e.getMessage());
    }

    /** Whatever bytes come, only MalformedHistogramException escapes. */
    @Property(tries = 3000)
    void garbageNeverEscapesAsAnotherException(@ForAll byte[] garbage) {
        for (boolean asFloat : new boolean[] {false, true}) {
            try {
                if (asFloat) HistogramMessage.readFloat(garbage, 0, garbage.length, null);
                else HistogramMessage.readInt(garbage, 0, garbage.length, null);
                HistogramMessage.timestamp(garbage, 0, garbage.length);
            } catch (MalformedHistogramException expected) {
                // named damage
            }
        }
    }

    /** Prometheus's encoding read by us equals the histogram; ours read by Prometheus's classes equals theirs. */
    @Property(tries = 500)
    void integerHistogramsRoundTrip(@ForAll("histograms") Histogram h, @ForAll long timestamp) throws Exception {
        Remote.Histogram theirs = message(h, timestamp);
        byte[] b = theirs.toByteArray();
        assertEquals(h, HistogramMessage.readInt(b, 0, b.length, new Histogram()));
        assertEquals(timestamp, HistogramMessage.timestamp(b, 0, b.length));
        ProtobufWriter out = new ProtobufWriter(4);
        HistogramMessage.write(out, timestamp, h);
        assertEquals(theirs, Remote.Histogram.parseFrom(out.toByteArray()));
        FloatHistogram f = HistogramMessage.readFloat(b, 0, b.length, null);
        assertEquals(fields(h.toFloat()), fields(f));
        out.reset();
        HistogramMessage.write(out, timestamp, f);
        byte[] fb = out.toByteArray();
        assertEquals(fields(f), fields(HistogramMessage.readFloat(fb, 0, fb.length, null)));
        assertTrue(HistogramMessage.isFloat(fb, 0, fb.length));
    }

    @Provide
    Arbitrary<Histogram> histograms() {
        Arbitrary<int[]> spans = Arbitraries.integers().between(0, 6).flatMap(n -> Combinators.combine(
                Arbitraries.integers().between(-20, 20).array(int[].class).ofSize(n),
                Arbitraries.integers().between(1, 5).array(int[].class).ofSize(n)).as((o, l) -> {
                    int[] s = new int[2 * n];
                    for (int i = 0; i < n; i++) {
                        s[2 * i] = i == 0 ? o[i] : Math.abs(o[i]);
                        s[2 * i + 1] = l[i];
                    }
                    return s;
                }));
        Arbitrary<CounterResetHint> hints = Arbitraries.of(CounterResetHint.class);
        return Combinators.combine(Arbitraries.integers().between(-4, 8), spans, spans, hints,
                Arbitraries.longs().between(0, 1_000_000), Arbitraries.doubles(), Arbitraries.longs().between(-50, 50))
                .as((schema, pos, neg, hint, zeroCount, sum, delta) -> {
                    long[] pb = deltas(pos, delta);
                    long[] nb = deltas(neg, -delta);
                    return Histogram.of(schema, zeroCount == 0 ? 0 : 1e-9, zeroCount, zeroCount + 7, sum, pos, pb, neg, nb, null, hint);
                });
    }

    private static long[] deltas(int[] spans, long seed) {
        int n = 0;
        for (int i = 1; i < spans.length; i += 2) n += spans[i];
        long[] d = new long[n];
        for (int i = 0; i < n; i++) d[i] = seed + i;
        return d;
    }

    private static Remote.Histogram message(Histogram h, long timestamp) {
        Remote.Histogram.Builder m = Remote.Histogram.newBuilder().setCountInt(h.count()).setSum(h.sum()).setSchema(h.schema())
                .setZeroThreshold(h.zeroThreshold()).setZeroCountInt(h.zeroCount()).setTimestamp(timestamp)
                .setResetHintValue(h.counterResetHint().ordinal());
        for (int i = 0; i < h.negativeSpanInts(); i += 2) m.addNegativeSpans(span(h.negativeSpan(i), h.negativeSpan(i + 1)));
        for (long d : h.negativeBuckets()) m.addNegativeDeltas(d);
        for (int i = 0; i < h.positiveSpanInts(); i += 2) m.addPositiveSpans(span(h.positiveSpan(i), h.positiveSpan(i + 1)));
        for (long d : h.positiveBuckets()) m.addPositiveDeltas(d);
        return m.build();
    }

    private static String fields(FloatHistogram f) {
        return f.counterResetHint() + " " + f.schema() + " " + f.zeroThreshold() + " " + f.zeroCount() + " " + f.count() + " "
                + Double.doubleToRawLongBits(f.sum()) + Arrays.toString(f.positiveIndices()) + Arrays.toString(f.positiveCounts())
                + Arrays.toString(f.negativeIndices()) + Arrays.toString(f.negativeCounts()) + Arrays.toString(f.customValues());
    }

    private static byte[] padded(byte[] b) {
        byte[] out = new byte[b.length + 6];
        Arrays.fill(out, (byte) 0xFF);
        System.arraycopy(b, 0, out, 3, b.length);
        return out;
    }

    @Test
    void readsNothingFromAnEmptyMessage() {
        Histogram h = HistogramMessage.readInt(new byte[0], 0, 0, null);
        assertEquals(0, h.count());
        assertNull(h.customValuesShared());
        assertEquals(0, HistogramMessage.timestamp(new byte[0], 0, 0));
    }
}
