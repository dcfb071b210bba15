package io.mnemo.tsdb.chunkenc;

import io.mnemo.tsdb.StaleNaN;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;

class XorChunkTest {

    private static XorChunk encode(long[] ts, double[] vs) {
        XorChunk c = new XorChunk();
        XorAppender app = c.appender();
        for (int i = 0; i < ts.length; i++) app.append(ts[i], vs[i]);
        return c;
    }

    private static void assertDecodes(XorChunk c, long[] ts, double[] vs) {
        XorIterator it = c.iterator();
        for (int i = 0; i < ts.length; i++) {
            assertTrue(it.next(), "sample " + i);
            assertEquals(ts[i], it.timestamp(), "timestamp " + i);
            assertEquals(Double.doubleToRawLongBits(vs[i]), Double.doubleToRawLongBits(it.value()), "value bits " + i);
        }
        assertFalse(it.next());
        assertFalse(it.next());
    }

    private static byte[] bytes(int... b) {
        byte[] out = new byte[b.length];
        for (int i = 0; i < b.length; i++) out[i] = (byte) b[i];
        return out;
    }

    /**
     * Bytes derived by hand from Prometheus's format (xor.go + bstream.go):
     * <pre>
     * header          00 04                      4 samples, big-endian
     * s1 t=1000       D0 0F                      varint(1000) = uvarint(zigzag 2000): 0x50|0x80, 0x0F
     *    v=1.0        3F F0 00 00 00 00 00 00    raw bits, written as 8 whole bytes; bstream leaves
     *                                            an empty byte after them (count stays 8)
     * s2 t=2000       E8 07                      uvarint(delta 1000) = 0x68|0x80, 0x07: fills that
     *                                            empty byte, leaves another one
     *    v=1.0        bit 0                      XOR = 0
     * s3 t=3000       bit 0, bit 0               delta-of-delta 0; XOR = 0
     * s4 t=4500 v=2.0 '10' + 14 bits of 500      dod = 1500 - 1000 = 500
     *                 '1' '1' 00001 001011 + 11 ones
     *                                            XOR 0x3FF0.. ^ 0x4000.. = 0x7FF0000000000000:
     *                                            1 leading, 52 trailing zeros, 11 significant bits,
     *                                            no previous window so it is written in full
     * bits from byte 14: 000 10 00000111110100 11 00001 001011 11111111111
     *                  = 00010000 00111110 10011000 01001011 11111111 111(00000)
     *                  = 10 3E 98 4B FF E0
     * </pre>
     */
    @Test
    void bytesMatchPrometheusForAKnownInput() {
        XorChunk c = encode(new long[] {1000, 2000, 3000, 4500}, new double[] {1.0, 1.0, 1.0, 2.0});
        byte[] expected = bytes(0x00, 0x04, 0xD0, 0x0F, 0x3F, 0xF0, 0, 0, 0, 0, 0, 0,
                0xE8, 0x07, 0x10, 0x3E, 0x98, 0x4B, 0xFF, 0xE0);
        assertArrayEquals(expected, c.toByteArray());
        assertEquals(4, c.numSamples());
    }

    /** One sample: Prometheus's stream ends with the empty byte its whole-byte writes leave. */
    @Test
    void singleSampleKeepsPrometheusTrailingByte() {
        XorChunk c = encode(new long[] {1000}, new double[] {1.0});
        assertArrayEquals(bytes(0x00, 0x01, 0xD0, 0x0F, 0x3F, 0xF0, 0, 0, 0, 0, 0, 0, 0x00), c.toByteArray());
        assertArrayEquals(bytes(0x00, 0x00), new XorChunk().toByteArray());
    }

    @Test
    void specialValuesRoundTripBitForBit() {
        double otherNaN = Double.longBitsToDouble(0x7ff8000000000123L);
        double[] vs = {Double.NaN, StaleNaN.VALUE, 1.5, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY,
                -0.0, 0.0, otherNaN, Double.MIN_VALUE, Double.MAX_VALUE, -Double.MAX_VALUE, StaleNaN.VALUE,
                StaleNaN.VALUE, 42, Double.NaN};
        long[] ts = new long[vs.length];
        for (int i = 0; i < ts.length; i++) ts[i] = 1_700_000_000_000L + i * 15_000L;
        XorChunk c = encode(ts, vs);
        assertDecodes(c, ts, vs);
        XorIterator it = c.iterator();
        it.next();
        it.next();
        assertTrue(StaleNaN.is(it.value()), "stale marker keeps its bit pattern");
    }

    @Test
    void everyDeltaOfDeltaBucketAndNegativeDeltasRoundTrip() {
        long[] deltas = {15_000, 15_000, 15_000 + 8192, 15_000, 15_000 - 8191, 15_000 + 8192, 15_000 - 8192 + 1,
                15_000, 15_000 + 65_536, 15_000, 15_000 + (1 << 19), 15_000, 15_000 - (1 << 19) + 1, 15_000,
                15_000 + (1 << 19) + 1, 15_000, 1L << 40, -(1L << 41), -1, 0, 0, 7, -3_000_000_000L};
        long[] ts = new long[deltas.length + 1];
        ts[0] = -1_000_000_000_000L;
        for (int i = 0; i < deltas.length; i++) ts[i + 1] = ts[i] + deltas[i];
        double[] vs = new double[ts.length];
        for (int i = 0; i < vs.length; i++) vs[i] = i * 0.1;
        assertDecodes(encode(ts, vs), ts, vs);
        // Extremes: the arithmetic wraps on both sides exactly as Go's does.
        long[] extreme = {Long.MIN_VALUE, Long.MAX_VALUE, 0, Long.MIN_VALUE, -1};
        assertDecodes(encode(extreme, new double[] {1, 2, 3, 4, 5}), extreme, new double[] {1, 2, 3, 4, 5});
    }

    @Test
    void bucketBoundariesFollowPrometheus() {
        // Prometheus's ranges are -(2^(n-1)-1) .. 2^(n-1): 8192 fits 14 bits, -8192 does not.
        assertTrue(XorAppender.fits(8192, 14));
        assertFalse(XorAppender.fits(8193, 14));
        assertTrue(XorAppender.fits(-8191, 14));
        assertFalse(XorAppender.fits(-8192, 14));
    }

    @Test
    void randomSeriesRoundTripAndMatchTheBstreamModel() {
        Random r = new Random(42);
        for (int round = 0; round < 300; round++) {
            int n = 1 + r.nextInt(200);
            long[] ts = new long[n];
            double[] vs = new double[n];
            long t = r.nextLong() >> r.nextInt(64);
            double v = r.nextInt(1000);
            for (int i = 0; i < n; i++) {
                ts[i] = t;
                vs[i] = v;
                t += switch (r.nextInt(5)) {
                    case 0 -> 15_000;
                    case 1 -> 15_000 + r.nextInt(200) - 100;
                    case 2 -> r.nextInt(1 << 21);
                    case 3 -> r.nextLong() >> r.nextInt(64);
                    default -> 1;
                };
                v = switch (r.nextInt(6)) {
                    case 0 -> v;
                    case 1 -> v + 1;
                    case 2 -> r.nextDouble() * 1e6;
                    case 3 -> Double.longBitsToDouble(r.nextLong());
                    case 4 -> StaleNaN.VALUE;
                    default -> Math.floor(r.nextGaussian() * 100);
                };
            }
            XorChunk c = encode(ts, vs);
            assertDecodes(c, ts, vs);
            assertArrayEquals(GoBstreamModel.encode(ts, vs), c.toByteArray(), "round " + round);
        }
    }

    @Test
    void regularSeriesCompressesToAboutTwoBitsPerSample() {
        long[] ts = new long[120];
        double[] vs = new double[120];
        for (int i = 0; i < 120; i++) ts[i] = 1_700_000_000_000L + i * 15_000L;
        Arrays.fill(vs, 3.0);
        XorChunk c = encode(ts, vs);
        // header 2 + first sample 6+8 + second 3 bytes + 118 * 2 bits (30 bytes)
        assertTrue(c.length() <= 2 + 6 + 8 + 3 + 30 + 1, "length " + c.length());
        assertDecodes(c, ts, vs);
    }

    @Test
    void seekFollowsTheIteratorContract() {
        long[] ts = {100, 200, 300, 400};
        double[] vs = {1, 2, 3, 4};
        XorChunk c = encode(ts, vs);

        XorIterator it = c.iterator();
        assertTrue(it.seek(50), "seek before the first sample lands on it");
        assertEquals(100, it.timestamp());
        assertTrue(it.seek(250));
        assertEquals(300, it.timestamp());
        assertEquals(3.0, it.value());
        assertTrue(it.seek(300), "current sample at t stays");
        assertEquals(300, it.timestamp());
        assertTrue(it.seek(100), "never moves back");
        assertEquals(300, it.timestamp());
        assertTrue(it.next());
        assertEquals(400, it.timestamp());
        assertFalse(it.seek(401));
        assertFalse(it.seek(0), "exhausted stays exhausted");

        XorIterator fresh = c.iterator();
        assertTrue(fresh.seek(400));
        assertEquals(4.0, fresh.value());
        assertFalse(fresh.next());
        assertFalse(new XorChunk().iterator().seek(0));
    }

    @Test
    void snapshotAndEarlierIteratorsIgnoreLaterAppends() {
        XorChunk c = new XorChunk();
        XorAppender app = c.appender();
        for (int i = 0; i < 10; i++) app.append(i * 1000L, i);
        XorChunk snap = c.snapshot();
        XorIterator before = c.iterator();
        byte[] snapBytes = snap.toByteArray();
        for (int i = 10; i < 500; i++) app.append(i * 1000L, i * 1.5); // grows and reallocates the buffer

        assertEquals(10, snap.numSamples());
        int n = 0;
        while (before.next()) n++;
        assertEquals(10, n);
        XorIterator it = snap.iterator();
        for (int i = 0; i < 10; i++) {
            assertTrue(it.next());
            assertEquals(i * 1000L, it.timestamp());
            assertEquals(i, it.value());
        }
        assertFalse(it.next());
        assertEquals(500, c.numSamples());
        int stable = snapBytes.length - 1; // the last byte may gain bits; the header changes
        assertArrayEquals(Arrays.copyOfRange(snapBytes, 2, stable), Arrays.copyOfRange(c.toByteArray(), 2, stable),
                "appends only add bits after the snapshot's");
    }

    @Test
    void wrappedBytesDecodeAndCanBeContinuedWithoutTouchingThem() {
        long[] ts = new long[50];
        double[] vs = new double[50];
        for (int i = 0; i < 50; i++) {
            ts[i] = 1000L * i + (i % 3);
            vs[i] = i < 20 ? 7 : i * 0.25;
        }
        byte[] full = encode(ts, vs).toByteArray();
        for (int split : new int[] {1, 2, 3, 10, 30}) {
            byte[] first = encode(Arrays.copyOf(ts, split), Arrays.copyOf(vs, split)).toByteArray();
            byte[] framed = new byte[first.length + 7];
            System.arraycopy(first, 0, framed, 3, first.length);
            byte[] framedCopy = framed.clone();

            XorChunk wrapped = XorChunk.wrap(framed, 3, first.length);
            assertEquals(split, wrapped.numSamples());
            assertDecodes(wrapped, Arrays.copyOf(ts, split), Arrays.copyOf(vs, split));

            XorAppender app = wrapped.appender();
            for (int i = split; i < 50; i++) app.append(ts[i], vs[i]);
            assertDecodes(wrapped, ts, vs);
            assertArrayEquals(framedCopy, framed, "wrapped bytes are never modified");
            // The recovered encoder state is exactly that of an uninterrupted encode.
            assertArrayEquals(full, wrapped.toByteArray(), "split " + split);
        }
    }

    @Test
    void truncatedChunkFailsLoudly() {
        long[] ts = {1, 2, 3, 4, 5};
        double[] vs = {1, 2, 3, 4, 5.5};
        byte[] b = encode(ts, vs).toByteArray();
        XorIterator it = XorChunk.wrap(Arrays.copyOf(b, b.length - 3)).iterator();
        assertThrows(IllegalStateException.class, () -> { while (it.next()) { } });
        assertThrows(IllegalArgumentException.class, () -> XorChunk.wrap(new byte[1]));
    }

    /**
     * A literal model of Prometheus's bstream (writeBit/writeByte/writeBits on a growing byte
     * slice with a free-bit count) and of xorAppender.Append, as an oracle for the byte layout,
     * in particular for when the stream gains a byte.
     */
    static final class GoBstreamModel {
        private final List<Byte> stream = new ArrayList<>(List.of((byte) 0, (byte) 0));
        private int count;

        void writeBit(boolean bit) {
            if (count == 0) { stream.add((byte) 0); count = 8; }
            int i = stream.size() - 1;
            if (bit) stream.set(i, (byte) (stream.get(i) | (1 << (count - 1))));
            count--;
        }

        void writeByte(int byt) {
            byt &= 0xFF;
            if (count == 0) { stream.add((byte) 0); count = 8; }
            int i = stream.size() - 1;
            stream.set(i, (byte) (stream.get(i) | (byt >>> (8 - count))));
            stream.add((byte) (byt << count));
        }

        void writeBits(long u, int nbits) {
            u <<= 64 - nbits;
            while (nbits >= 8) {
                writeByte((int) (u >>> 56));
                u <<= 8;
                nbits -= 8;
            }
            while (nbits > 0) {
                writeBit((u >>> 63) == 1);
                u <<= 1;
                nbits--;
            }
        }

        static byte[] encode(long[] ts, double[] vs) {
            GoBstreamModel b = new GoBstreamModel();
            long t = 0, tDelta = 0, prev = 0;
            int leading = 0xff, trailing = 0;
            for (int num = 0; num < ts.length; num++) {
                long bits = Double.doubleToRawLongBits(vs[num]);
                long delta = 0;
                if (num == 0) {
                    b.uvarint((ts[0] << 1) ^ (ts[0] >> 63));
                    b.writeBits(bits, 64);
                } else {
                    delta = ts[num] - t;
                    if (num == 1) {
                        b.uvarint(delta);
                    } else {
                        long dod = delta - tDelta;
                        if (dod == 0) b.writeBit(false);
                        else if (-8191 <= dod && dod <= 8192) { b.writeBits(0b10, 2); b.writeBits(dod, 14); }
                        else if (-65535 <= dod && dod <= 65536) { b.writeBits(0b110, 3); b.writeBits(dod, 17); }
                        else if (-524287 <= dod && dod <= 524288) { b.writeBits(0b1110, 4); b.writeBits(dod, 20); }
                        else { b.writeBits(0b1111, 4); b.writeBits(dod, 64); }
                    }
                    long xor = bits ^ prev;
                    if (xor == 0) {
                        b.writeBit(false);
                    } else {
                        b.writeBit(true);
                        int l = Math.min(31, Long.numberOfLeadingZeros(xor));
                        int tr = Long.numberOfTrailingZeros(xor);
                        if (leading != 0xff && l >= leading && tr >= trailing) {
                            b.writeBit(false);
                            b.writeBits(xor >>> trailing, 64 - leading - trailing);
                        } else {
                            leading = l;
                            trailing = tr;
                            b.writeBit(true);
                            b.writeBits(l, 5);
                            b.writeBits(64 - l - tr, 6);
                            b.writeBits(xor >>> tr, 64 - l - tr);
                        }
                    }
                }
                t = ts[num];
                prev = bits;
                tDelta = delta;
            }
            byte[] out = new byte[b.stream.size()];
            for (int i = 0; i < out.length; i++) out[i] = b.stream.get(i);
            out[0] = (byte) (ts.length >>> 8);
            out[1] = (byte) ts.length;
            return out;
        }

        private void uvarint(long x) {
            while ((x & ~0x7FL) != 0) {
                writeByte((int) ((x & 0x7F) | 0x80));
                x >>>= 7;
            }
            writeByte((int) x);
        }
    }
}
