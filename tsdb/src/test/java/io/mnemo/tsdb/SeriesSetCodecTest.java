package io.mnemo.tsdb;

import io.mnemo.tsdb.chunkenc.ChunkMeta;
import io.mnemo.tsdb.head.Head;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static io.mnemo.tsdb.LabelMatcher.regex;
import static org.junit.jupiter.api.Assertions.*;

class SeriesSetCodecTest {

    /** A series given as plain arrays, the oracle the decoded series are compared with. */
    record ListSeries(Labels labels, long[] ts, double[] vs) implements Series {
        @Override
        public SampleIterator iterator() {
            return new SampleIterator() {
                int i = -1;
                public boolean next() { return ++i < ts.length; }
                public boolean seek(long t) {
                    if (i < 0) i = 0;
                    while (i < ts.length && ts[i] < t) i++;
                    return i < ts.length;
                }
                public long timestamp() { return ts[i]; }
                public double value() { return vs[i]; }
            };
        }
    }

    static void assertSameSamples(Series expected, Series actual) {
        assertEquals(expected.labels(), actual.labels());
        SampleIterator e = expected.iterator();
        SampleIterator a = actual.iterator();
        int n = 0;
        while (e.next()) {
            assertTrue(a.next(), "sample " + n + " of " + expected.labels());
            assertEquals(e.timestamp(), a.timestamp());
            assertEquals(Double.doubleToRawLongBits(e.value()), Double.doubleToRawLongBits(a.value()));
            n++;
        }
        assertFalse(a.next(), "no extra samples in " + actual.labels());
    }

    @Test
    void roundTripsLabelsAndSamplesInChunksOf120() {
        List<Series> in = new ArrayList<>();
        long[] ts = new long[301];
        double[] vs = new double[301];
        for (int i = 0; i < ts.length; i++) {
            ts[i] = 1_700_000_000_000L + 15_000L * i;
            vs[i] = i % 50 == 0 ? StaleNaN.VALUE : i * 1.25;
        }
        in.add(new ListSeries(Labels.of("__name__", "a", "job", "j\u00e9b \"q\"", "zone", "z"), ts, vs));
        in.add(new ListSeries(Labels.of("__name__", "b", "job", "j\u00e9b \"q\""), new long[] {-5, 7},
                new double[] {Double.NEGATIVE_INFINITY, Double.NaN}));
        in.add(new ListSeries(Labels.of("__name__", "c"), new long[0], new double[0]));
        in.add(new ListSeries(Labels.EMPTY, new long[] {1}, new double[] {1}));

        byte[] payload = SeriesSetCodec.encode(SeriesSet.of(in));
        SeriesSet out = SeriesSetCodec.decode(payload);
        for (Series s : in) {
            assertTrue(out.next());
            assertSameSamples(s, out.at());
        }
        assertFalse(out.next());

        SeriesSet again = SeriesSetCodec.decode(payload);
        assertTrue(again.next());
        ChunkMeta[] chunks = ((ChunkSeries) again.at()).chunks();
        assertEquals(3, chunks.length, "301 samples = 120 + 120 + 61");
        assertEquals(120, chunks[0].chunk().numSamples());
        assertEquals(61, chunks[2].chunk().numSamples());
        assertEquals(ts[240], chunks[2].minTime());
        assertEquals(ts[300], chunks[2].maxTime());
        SampleIterator it = again.at().iterator();
        assertTrue(it.seek(ts[251] - 1), "seek across chunks of the payload");
        assertEquals(ts[251], it.timestamp());
        assertEquals(251 * 1.25, it.value());
        assertTrue(it.next());
        assertEquals(ts[252], it.timestamp());

        // Repeated strings are sent once: "j\u00e9b \"q\"" appears in the payload a single time.
        String text = new String(payload, StandardCharsets.ISO_8859_1);
        String once = new String("j\u00e9b \"q\"".getBytes(StandardCharsets.UTF_8), StandardCharsets.ISO_8859_1);
        assertEquals(text.indexOf(once), text.lastIndexOf(once));
    }

    @Test
    void roundTripsAHeadSelectionRestrictedToTheQueryRange() {
        Head head = new Head();
        for (int s = 0; s < 20; s++) {
            int ref = head.getOrCreateSeries(Labels.of("__name__", "m", "s", Integer.toString(s)));
            for (int i = 0; i < 500; i++) head.append(ref, 1000L * i + s, Math.sin(i + s));
        }
        List<Series> expected = new ArrayList<>();
        SeriesSet sel = head.querier(100_000, 300_000).select(true, regex("__name__", "m"));
        while (sel.next()) expected.add(sel.at());
        byte[] payload = SeriesSetCodec.encode(head.querier(100_000, 300_000).select(true, regex("__name__", "m")));
        SeriesSet decoded = SeriesSetCodec.decode(payload);
        for (Series e : expected) {
            assertTrue(decoded.next());
            assertSameSamples(e, decoded.at());
        }
        assertFalse(decoded.next());
        SeriesSet first = SeriesSetCodec.decode(payload);
        first.next();
        SampleIterator it = first.at().iterator();
        assertTrue(it.next());
        assertEquals(100_000, it.timestamp(), "the decoded series keeps the query range");
    }

    @Test
    void headChunksTravelAsTheyAreAndAsTheViewSawThem() {
        Head head = new Head();
        int ref = head.getOrCreateSeries(Labels.of("__name__", "m"));
        for (int i = 0; i < 130; i++) head.append(ref, 1000L * i, i * 0.5);
        SeriesSet view = head.querier(0, Long.MAX_VALUE).select(true, regex("__name__", "m"));
        for (int i = 130; i < 140; i++) head.append(ref, 1000L * i, i * 0.5); // after the view, into its open chunk
        byte[] payload = SeriesSetCodec.encode(view);

        SeriesSet decoded = SeriesSetCodec.decode(payload);
        assertTrue(decoded.next());
        ChunkMeta[] chunks = ((ChunkSeries) decoded.at()).chunks();
        assertEquals(2, chunks.length, "the head's chunks, not chunks of 120 made anew");
        assertEquals(10, chunks[1].chunk().numSamples(), "the open chunk as the view saw it");
        long[] ts = new long[130];
        double[] vs = new double[130];
        for (int i = 0; i < 130; i++) {
            ts[i] = 1000L * i;
            vs[i] = i * 0.5;
        }
        assertSameSamples(new ListSeries(Labels.of("__name__", "m"), ts, vs), decoded.at());
    }

    @Test
    void versionOneAndTwoPayloadsOfOlderNodesAreRead() {
        List<Series> in = List.of(new ListSeries(Labels.of("__name__", "a"), new long[] {1, 2, 3}, new double[] {1, 2, 3}));
        byte[] v3 = SeriesSetCodec.encode(SeriesSet.of(in));
        assertEquals(3, v3[0]);
        // version 2: the same without the chunk's encoding byte, after the bounds byte (0 for a
        // re-encoded series), the chunk count and the chunk's two one-byte time varints
        int boundsAt = 1 + 1 + (2 + 8) + (2 + 1); // version, #labels, "__name__" and "a" (each: new, length, bytes)
        assertEquals(0, v3[boundsAt]);
        int encodingAt = boundsAt + 4;
        assertEquals(1, v3[encodingAt], "XOR");
        byte[] v2 = new byte[v3.length - 1];
        System.arraycopy(v3, 0, v2, 0, encodingAt);
        System.arraycopy(v3, encodingAt + 1, v2, encodingAt, v3.length - encodingAt - 1);
        v2[0] = 2;
        SeriesSet out = SeriesSetCodec.decode(v2);
        assertTrue(out.next());
        assertSameSamples(in.get(0), out.at());
        assertFalse(out.next());
        // version 1: version 2 without the bounds byte
        byte[] v1 = new byte[v2.length - 1];
        System.arraycopy(v2, 0, v1, 0, boundsAt);
        System.arraycopy(v2, boundsAt + 1, v1, boundsAt, v2.length - boundsAt - 1);
        v1[0] = 1;
        out = SeriesSetCodec.decode(v1);
        assertTrue(out.next());
        assertSameSamples(in.get(0), out.at());
        assertFalse(out.next());
    }

    @Test
    void emptySetAndCorruptPayloads() {
        byte[] empty = SeriesSetCodec.encode(SeriesSet.EMPTY);
        assertFalse(SeriesSetCodec.decode(empty).next());

        List<Series> one = List.of(new ListSeries(Labels.of("a", "b"), new long[] {1, 2, 3}, new double[] {1, 2, 3}));
        byte[] payload = SeriesSetCodec.encode(SeriesSet.of(one));
        byte[] truncated = Arrays.copyOf(payload, payload.length - 6);
        assertThrows(IllegalArgumentException.class, () -> SeriesSetCodec.decode(truncated).next());
        byte[] badVersion = payload.clone();
        badVersion[0] = 9;
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SeriesSetCodec.decode(badVersion));
        assertTrue(e.getMessage().contains("version 9"), e.getMessage());
    }

    @Test
    void framesOfABoundedSizeCarryTheSameSeriesAndJoinASeriesSplitBetweenThem() {
        Head head = new Head();
        long t0 = 1_700_000_000_000L;
        // One long series (~100 chunks) among many short ones, and a series with no sample in range.
        int big = head.getOrCreateSeries(Labels.of("__name__", "big"));
        for (int i = 0; i < 12_000; i++) head.append(big, t0 + i * 1000L, Math.sin(i));
        for (int s = 0; s < 500; s++) {
            int ref = head.getOrCreateSeries(Labels.of("__name__", "small", "i", Integer.toString(s)));
            for (int i = 0; i < 10; i++) head.append(ref, t0 + i * 15_000L, s + i);
        }
        LabelMatcher[] all = {regex("__name__", ".+")};
        List<Series> expected = new ArrayList<>();
        SeriesSet whole = SeriesSetCodec.decode(SeriesSetCodec.encode(head.querier(t0, t0 + 20_000_000L).select(true, all)));
        while (whole.next()) expected.add(whole.at());

        SeriesSetCodec.FrameWriter writer = new SeriesSetCodec.FrameWriter(head.querier(t0, t0 + 20_000_000L)
                .select(true, all), 4096);
        List<byte[]> frames = new ArrayList<>();
        for (byte[] f; (f = writer.next()) != null; ) {
            assertTrue(f.length <= 4096 + 2048, "frame of " + f.length + " bytes, budget 4096 and one chunk over");
            frames.add(f);
        }
        assertTrue(frames.size() > 20, "many frames: " + frames.size());
        assertEquals(501, writer.series());
        SeriesSet joined = SeriesSetCodec.decodeFrames(frames);
        int n = 0;
        while (joined.next()) assertSameSamples(expected.get(n++), joined.at());
        assertEquals(expected.size(), n);
        assertEquals(501, n, "the split series is one series again");
        assertNull(writer.next(), "exhausted");
        assertFalse(SeriesSetCodec.decodeFrames(List.of()).next());
    }

    /** Series of every kind, chunk-backed as heads and blocks answer them, sorted by labels. */
    private static List<ChunkSeries> histogramSeries(int n, int copies, int buckets) {
        List<ChunkSeries> out = new ArrayList<>();
        for (int c = 0; c < copies; c++) {
            for (NativeHistogramSeries.Kind k : NativeHistogramSeries.Kind.values()) {
                out.add(NativeHistogramSeries.series(Labels.of("__name__", "h", "c", String.format("%03d", c), "kind", k.name()),
                        k, 1_700_000_000_000L, 15_000, n, buckets, c));
            }
        }
        out.sort((a, b) -> a.labels().compareTo(b.labels()));
        return out;
    }

    @Test
    void histogramChunksTravelInTheirEncodingsInOnePayload() {
        List<ChunkSeries> in = histogramSeries(600, 2, 40);
        long mint = 1_700_000_000_000L + 100 * 15_000 + 1, maxt = 1_700_000_000_000L + 500 * 15_000 - 1;
        List<Series> bounded = new ArrayList<>();
        for (ChunkSeries s : in) bounded.add(new ChunkSeries(s.labels(), s.chunks(), mint, maxt));
        SeriesSet decoded = SeriesSetCodec.decode(SeriesSetCodec.encode(SeriesSet.of(bounded)));
        List<ChunkSeries> got = new ArrayList<>();
        for (ChunkSeries s : in) {
            assertTrue(decoded.next());
            ChunkSeries d = (ChunkSeries) decoded.at();
            got.add(d);
            assertEquals(NativeHistogramSeries.encodings(s.chunks()), NativeHistogramSeries.encodings(d.chunks()),
                    "chunks as they were: " + s.labels());
            for (int i = 0; i < s.chunks().length; i++) {
                assertArrayEquals(s.chunks()[i].chunk().toByteArray(), d.chunks()[i].chunk().toByteArray());
            }
        }
        assertFalse(decoded.next());
        NativeHistogramSeries.assertSameSeries(in, mint, maxt, SeriesSet.of(new ArrayList<>(got)));
    }

    @Test
    void framesSplitSeriesOfBigHistogramChunksAtChunkBoundaries() {
        // Histogram chunks of about 1 KiB, thousands of them, across many 128 KiB frames (the read path's budget).
        List<ChunkSeries> in = histogramSeries(16_000, 1, 40);
        long chunks = 0, bytes = 0;
        for (ChunkSeries s : in) {
            chunks += s.chunks().length;
            for (ChunkMeta c : s.chunks()) bytes += c.chunk().length();
        }
        assertTrue(chunks > 2_000 && bytes > 2 << 20, chunks + " chunks of " + bytes + " bytes");
        int budget = 128 << 10;
        SeriesSetCodec.FrameWriter writer = new SeriesSetCodec.FrameWriter(SeriesSet.of(new ArrayList<>(in)), budget);
        List<byte[]> frames = new ArrayList<>();
        for (byte[] f; (f = writer.next()) != null; ) {
            assertTrue(f.length <= budget + 8 * 1024, "frame of " + f.length + " bytes, budget " + budget + " and one chunk over");
            frames.add(f);
        }
        assertTrue(frames.size() > 15, "many frames: " + frames.size());
        assertEquals(bytes, writer.chunkBytes());
        assertEquals(in.size(), writer.series());
        NativeHistogramSeries.assertSameSeries(in, Long.MIN_VALUE, Long.MAX_VALUE, SeriesSetCodec.decodeFrames(frames));
    }

    @Test
    void mergedSeriesAreEncodedAnewKeepingEachSamplesType() {
        // Two overlapping copies of each series (two zones): the merge is a MergedSeries, re-encoded sample by sample.
        List<ChunkSeries> a = histogramSeries(900, 1, 40);
        List<ChunkSeries> b = new ArrayList<>();
        for (ChunkSeries s : histogramSeries(900, 1, 40)) {
            // the second copy lacks the first 100 samples and has the rest: overlapping, not byte-identical series
            ChunkMeta[] cs = s.chunks();
            b.add(new ChunkSeries(s.labels(), java.util.Arrays.copyOfRange(cs, 1, cs.length), s.mint(), s.maxt()));
        }
        SeriesSet merged = MergeSeriesSet.merge(List.of(SeriesSet.of(new ArrayList<>(a)), SeriesSet.of(new ArrayList<>(b))));
        SeriesSet decoded = SeriesSetCodec.decode(SeriesSetCodec.encode(merged));
        NativeHistogramSeries.assertSameSeries(a, Long.MIN_VALUE, Long.MAX_VALUE, decoded);
        decoded = SeriesSetCodec.decode(SeriesSetCodec.encode(
                MergeSeriesSet.merge(List.of(SeriesSet.of(new ArrayList<>(a)), SeriesSet.of(new ArrayList<>(b))))));
        while (decoded.next()) {
            ChunkSeries d = (ChunkSeries) decoded.at();
            String kind = d.labels().get("kind");
            java.util.Set<io.mnemo.tsdb.chunkenc.ChunkEncoding> encodings = new java.util.HashSet<>(NativeHistogramSeries.encodings(d.chunks()));
            if (kind.equals("INTEGER_HISTOGRAMS")) assertEquals(java.util.Set.of(io.mnemo.tsdb.chunkenc.ChunkEncoding.HISTOGRAM), encodings);
            if (kind.equals("FLOAT_HISTOGRAMS")) assertEquals(java.util.Set.of(io.mnemo.tsdb.chunkenc.ChunkEncoding.FLOAT_HISTOGRAM), encodings);
            if (kind.equals("CHANGING")) assertEquals(3, encodings.size(), "floats, integer and float histograms");
        }
    }
}
