package io.mnemo.tsdb;

import io.mnemo.tsdb.SeriesSetCodecTest.ListSeries;
import io.mnemo.tsdb.head.Head;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static io.mnemo.tsdb.LabelMatcher.equal;
import static io.mnemo.tsdb.LabelMatcher.regex;
import static org.junit.jupiter.api.Assertions.*;

class MergeQuerierTest {

    private static List<long[]> drain(SampleIterator it) {
        List<long[]> out = new ArrayList<>();
        while (it.next()) out.add(new long[] {it.timestamp(), (long) it.value()});
        return out;
    }

    @Test
    void sampleIteratorMergesInOrderAndDropsDuplicateTimestamps() {
        SampleIterator a = new ListSeries(Labels.EMPTY, new long[] {1, 3, 5, 7}, new double[] {10, 30, 50, 70}).iterator();
        SampleIterator b = new ListSeries(Labels.EMPTY, new long[] {2, 3, 6, 7, 9}, new double[] {20, 99, 60, 99, 90}).iterator();
        SampleIterator c = new ListSeries(Labels.EMPTY, new long[0], new double[0]).iterator();
        List<long[]> got = drain(new MergeSampleIterator(a, b, c));
        assertEquals(List.of("1=10", "2=20", "3=30", "5=50", "6=60", "7=70", "9=90"),
                got.stream().map(s -> s[0] + "=" + s[1]).toList(), "first source wins on equal timestamps");
    }

    @Test
    void sampleIteratorSeek() {
        SampleIterator m = new MergeSampleIterator(
                new ListSeries(Labels.EMPTY, new long[] {1, 3, 5}, new double[] {1, 3, 5}).iterator(),
                new ListSeries(Labels.EMPTY, new long[] {2, 4, 6}, new double[] {2, 4, 6}).iterator());
        assertTrue(m.seek(3));
        assertEquals(3, m.timestamp());
        assertTrue(m.seek(2), "never moves back");
        assertEquals(3, m.timestamp());
        assertTrue(m.next());
        assertEquals(4, m.timestamp());
        assertTrue(m.seek(6));
        assertEquals(6.0, m.value());
        assertFalse(m.next());
        assertFalse(m.seek(0));
    }

    @Test
    void mergesSeriesOfSeveralHeadsAndUnionsLabels() {
        Head p0 = new Head();
        Head p1 = new Head();
        int a0 = p0.getOrCreateSeries(Labels.of("__name__", "m", "i", "a"));
        int c0 = p0.getOrCreateSeries(Labels.of("__name__", "m", "i", "c", "only", "p0"));
        int a1 = p1.getOrCreateSeries(Labels.of("__name__", "m", "i", "a"));
        int b1 = p1.getOrCreateSeries(Labels.of("__name__", "m", "i", "b"));
        for (int t = 0; t < 300; t += 2) p0.append(a0, t, t);      // even timestamps
        for (int t = 0; t < 300; t += 3) p1.append(a1, t, t);      // multiples of 3 overlap on multiples of 6
        p0.append(c0, 10, 1);
        p1.append(b1, 10, 1);

        Queryable merged = MergeQuerier.of(List.of(p0, p1));
        try (Querier q = merged.querier(0, 299)) {
            SeriesSet set = q.select(false, equal("__name__", "m"));
            List<Series> got = new ArrayList<>();
            while (set.next()) got.add(set.at());
            assertEquals(List.of(Labels.of("__name__", "m", "i", "a"), Labels.of("__name__", "m", "i", "b"),
                    Labels.of("__name__", "m", "i", "c", "only", "p0")), got.stream().map(Series::labels).toList());
            List<long[]> samples = drain(got.get(0).iterator());
            long expected = 0;
            for (int t = 0; t < 300; t++) if (t % 2 == 0 || t % 3 == 0) expected++;
            assertEquals(expected, samples.size(), "union of timestamps, duplicates removed");
            for (int i = 1; i < samples.size(); i++) assertTrue(samples.get(i)[0] > samples.get(i - 1)[0]);

            assertEquals(List.of("__name__", "i", "only"), q.labelNames());
            assertEquals(List.of("a", "b", "c"), q.labelValues("i"));
            assertEquals(List.of("a", "b"), q.labelValues("i", regex("i", "a|b")));
        }

        // Merging a payload shipped from another node with a local head: the usual querier path.
        byte[] shipped = SeriesSetCodec.encode(p1.querier(0, 299).select(true, equal("__name__", "m")));
        SeriesSet mixed = MergeSeriesSet.merge(List.of(p0.querier(0, 299).select(true, equal("__name__", "m")),
                SeriesSetCodec.decode(shipped)));
        int n = 0;
        while (mixed.next()) n++;
        assertEquals(3, n);
    }

    @Test
    void singleOrNoQuerier() {
        Head h = new Head();
        h.append(h.getOrCreateSeries(Labels.of("__name__", "x")), 1, 1);
        try (Querier q = new MergeQuerier(List.of(h.querier(0, 10)))) {
            assertTrue(q.select(true, equal("__name__", "x")).next());
        }
        try (Querier none = new MergeQuerier(List.of())) {
            assertFalse(none.select(true, equal("__name__", "x")).next());
            assertEquals(List.of(), none.labelNames());
        }
    }

    private static ChunkSeries chunked(Labels labels, long from, long to, long step, long mint, long maxt) {
        io.mnemo.tsdb.chunkenc.XorChunk c = new io.mnemo.tsdb.chunkenc.XorChunk();
        io.mnemo.tsdb.chunkenc.XorAppender app = c.appender();
        for (long t = from; t <= to; t += step) app.append(t, t);
        return new ChunkSeries(labels, new io.mnemo.tsdb.chunkenc.ChunkMeta[] {
                new io.mnemo.tsdb.chunkenc.ChunkMeta(c, from, to)}, mint, maxt);
    }

    private static SeriesSet setOf(Series s) {
        return new SeriesSet() {
            boolean done;

            public boolean next() { return !done && (done = true); }

            public Series at() { return s; }
        };
    }

    @Test
    void chunkSeriesOfConsecutiveBlocksJoinTheirChunksWithoutDecoding() {
        Labels l = Labels.of("__name__", "m");
        SeriesSet merged = MergeSeriesSet.merge(List.of(setOf(chunked(l, 200, 290, 10, 0, 1000)),
                setOf(chunked(l, 0, 90, 10, 0, 1000)), setOf(chunked(l, 100, 190, 10, 0, 1000))));
        assertTrue(merged.next());
        ChunkSeries joined = assertInstanceOf(ChunkSeries.class, merged.at(), "chunks concatenated, not a sample merge");
        assertEquals(3, joined.chunks().length);
        List<long[]> got = drain(joined.iterator());
        assertEquals(30, got.size());
        for (int i = 0; i < 30; i++) assertEquals(i * 10L, got.get(i)[0]);
        assertFalse(merged.next());
    }

    @Test
    void overlappingChunkSeriesAreMergedSampleBySampleOnce() {
        Labels l = Labels.of("__name__", "m");
        SeriesSet merged = MergeSeriesSet.merge(List.of(setOf(chunked(l, 0, 90, 10, 0, 1000)),
                setOf(chunked(l, 0, 90, 10, 0, 1000)))); // two zones' copies of one block
        assertTrue(merged.next());
        assertFalse(merged.at() instanceof ChunkSeries);
        assertEquals(10, drain(merged.at().iterator()).size(), "each sample once");
    }
}
