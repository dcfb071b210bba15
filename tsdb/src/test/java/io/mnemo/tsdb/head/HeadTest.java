package io.mnemo.tsdb.head;

import io.mnemo.tsdb.LabelMatcher;
import io.mnemo.tsdb.Labels;
import io.mnemo.tsdb.Querier;
import io.mnemo.tsdb.SampleIterator;
import io.mnemo.tsdb.Series;
import io.mnemo.tsdb.SeriesSet;
import io.mnemo.tsdb.StaleNaN;
import io.mnemo.tsdb.chunkenc.ChunkMeta;
import io.mnemo.tsdb.chunkenc.XorChunk;
import io.mnemo.tsdb.chunkenc.XorIterator;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static io.mnemo.tsdb.LabelMatcher.equal;
import static io.mnemo.tsdb.LabelMatcher.regex;
import static org.junit.jupiter.api.Assertions.*;

class HeadTest {

    static List<long[]> samples(SampleIterator it) {
        List<long[]> out = new ArrayList<>();
        while (it.next()) out.add(new long[] {it.timestamp(), Double.doubleToRawLongBits(it.value())});
        return out;
    }

    static List<Long> timestamps(SampleIterator it) {
        List<Long> out = new ArrayList<>();
        while (it.next()) out.add(it.timestamp());
        return out;
    }

    static List<Series> all(SeriesSet set) {
        List<Series> out = new ArrayList<>();
        while (set.next()) out.add(set.at());
        return out;
    }

    @Test
    void seriesRefsAreStableAndLabelStringsShared() {
        Head head = new Head();
        int a = head.getOrCreateSeries(Labels.of("__name__", "up", "job", new String("api")));
        int b = head.getOrCreateSeries(Labels.of("__name__", new String("up"), "job", new String("db")));
        assertNotEquals(a, b);
        assertEquals(a, head.getOrCreateSeries(Labels.of("job", "api", "__name__", "up")));
        assertEquals(b, head.seriesRef(Labels.of("__name__", "up", "job", "db")));
        assertEquals(-1, head.seriesRef(Labels.of("__name__", "down")));
        assertEquals(2, head.numSeries());
        Labels la = head.series(a).labels();
        Labels lb = head.series(b).labels();
        assertSame(la.value(0), lb.value(0), "values interned through the symbol table");
        assertSame(la.name(1), lb.name(1), "names interned through the symbol table");
        assertThrows(IllegalArgumentException.class, () -> head.append(99, 1, 1));
    }

    @Test
    void appendRejectsOutOfOrderAndConflictingDuplicates() {
        Head head = new Head();
        int ref = head.getOrCreateSeries(Labels.of("__name__", "m"));
        assertEquals(AppendResult.OK, head.append(ref, 1000, 1.0));
        assertEquals(AppendResult.OK, head.append(ref, 2000, 2.0));
        assertEquals(AppendResult.OUT_OF_ORDER, head.append(ref, 1500, 9.0));
        assertEquals(AppendResult.DUPLICATE, head.append(ref, 2000, 3.0));
        assertEquals(AppendResult.OK, head.append(ref, 2000, 2.0), "exact repeat is accepted");
        assertEquals(AppendResult.OK, head.append(ref, 3000, Double.NaN));
        assertEquals(AppendResult.DUPLICATE, head.append(ref, 3000, StaleNaN.VALUE), "NaNs compare by bits");
        assertEquals(AppendResult.OK, head.append(ref, 4000, StaleNaN.VALUE));

        assertEquals(4, head.appended());
        assertEquals(1, head.outOfOrder());
        assertEquals(2, head.duplicates());
        assertEquals(1000, head.minTime());
        assertEquals(4000, head.maxTime());

        List<long[]> got = samples(firstSeries(head).iterator());
        assertEquals(4, got.size(), "the repeat stored nothing");
        assertEquals(2000, got.get(1)[0]);
        assertEquals(Double.doubleToRawLongBits(2.0), got.get(1)[1]);
        assertEquals(StaleNaN.BITS, got.get(3)[1], "staleness marker stored as is");
    }

    private static Series firstSeries(Head head) {
        SeriesSet set = head.querier(Long.MIN_VALUE, Long.MAX_VALUE).select(false, regex("__name__", ".+"));
        assertTrue(set.next());
        return set.at();
    }

    @Test
    void emptyHeadHasNoTimeRange() {
        Head head = new Head();
        assertEquals(Long.MAX_VALUE, head.minTime());
        assertEquals(Long.MIN_VALUE, head.maxTime());
        head.getOrCreateSeries(Labels.of("__name__", "m"));
        assertFalse(head.querier(Long.MIN_VALUE, Long.MAX_VALUE).select(false, equal("__name__", "m")).next());
    }

    @Test
    void chunksAreCutEvery120Samples() {
        Head head = new Head();
        int ref = head.getOrCreateSeries(Labels.of("__name__", "m"));
        for (int i = 0; i < 250; i++) assertEquals(AppendResult.OK, head.append(ref, 1000L * i, i));
        List<ChunkMeta> chunks = head.series(ref).chunks();
        assertEquals(3, chunks.size());
        assertEquals(120, chunks.get(0).chunk().numSamples());
        assertEquals(120, chunks.get(1).chunk().numSamples());
        assertEquals(10, chunks.get(2).chunk().numSamples());
        assertEquals(0, chunks.get(0).minTime());
        assertEquals(119_000, chunks.get(0).maxTime());
        assertEquals(120_000, chunks.get(1).minTime());
        assertEquals(249_000, chunks.get(2).maxTime());
        // Each chunk decodes to exactly its own samples.
        XorIterator it = ((XorChunk) chunks.get(1).chunk()).iterator();
        assertTrue(it.next());
        assertEquals(120_000, it.timestamp());
        assertEquals(120.0, it.value());
        assertEquals(0, head.series(ref).minTime());
        assertEquals(249_000, head.series(ref).maxTime());
    }

    @Test
    void chunksAreCutAtTheChunkRangeBoundary() {
        Head head = new Head(1000);
        int ref = head.getOrCreateSeries(Labels.of("__name__", "m"));
        for (long t : new long[] {900, 950, 999, 1000, 1500, 2100, -5, }) head.append(ref, t, 1);
        List<ChunkMeta> chunks = head.series(ref).chunks();
        assertEquals(3, chunks.size(), "900..999 | 1000..1500 | 2100");
        assertEquals(999, chunks.get(0).maxTime());
        assertEquals(1000, chunks.get(1).minTime());
        assertEquals(1500, chunks.get(1).maxTime());
        assertEquals(2100, chunks.get(2).minTime());

        Head small = new Head(Head.DEFAULT_CHUNK_RANGE_MS, 10);
        int r2 = small.getOrCreateSeries(Labels.of("__name__", "m"));
        for (int i = 0; i < 25; i++) small.append(r2, i, i);
        assertEquals(3, small.series(r2).numChunks());
    }

    @Test
    void querierRestrictsSeriesAndSamplesToItsRange() {
        Head head = new Head();
        int a = head.getOrCreateSeries(Labels.of("__name__", "m", "i", "a"));
        int b = head.getOrCreateSeries(Labels.of("__name__", "m", "i", "b"));
        int gap = head.getOrCreateSeries(Labels.of("__name__", "m", "i", "gap"));
        for (long t = 0; t < 1000; t += 10) head.append(a, t, t);
        head.append(b, 5000, 1);
        head.append(gap, 0, 1);
        head.append(gap, 10_000, 2); // same chunk, no sample inside [105, 205]

        try (Querier q = head.querier(105, 205)) {
            List<Series> got = all(q.select(true, equal("__name__", "m")));
            assertEquals(1, got.size(), "only series with a sample in range");
            assertEquals(Labels.of("__name__", "m", "i", "a"), got.get(0).labels());
            List<Long> ts = timestamps(got.get(0).iterator());
            assertEquals(110L, ts.get(0));
            assertEquals(200L, ts.get(ts.size() - 1));
            assertEquals(10, ts.size());

            SampleIterator it = got.get(0).iterator();
            assertTrue(it.seek(0), "seek clamps to the range start");
            assertEquals(110, it.timestamp());
            assertTrue(it.seek(155));
            assertEquals(160, it.timestamp());
            assertFalse(it.seek(206), "nothing past the range end");
        }
        assertEquals(3, all(head.querier(0, 10_000).select(false, equal("__name__", "m"))).size());
        assertEquals(0, all(head.querier(20_000, 30_000).select(false, equal("__name__", "m"))).size());
    }

    @Test
    void rangeRestrictionSpansManyChunks() {
        Head head = new Head();
        int ref = head.getOrCreateSeries(Labels.of("__name__", "m"));
        for (int i = 0; i < 1000; i++) head.append(ref, 1000L * i, i);
        Series s = all(head.querier(150_500, 700_000).select(false, equal("__name__", "m"))).get(0);
        List<Long> ts = timestamps(s.iterator());
        assertEquals(151_000L, ts.get(0));
        assertEquals(700_000L, ts.get(ts.size() - 1));
        assertEquals(550, ts.size());
        SampleIterator it = s.iterator();
        assertTrue(it.seek(480_000), "seek skips whole chunks");
        assertEquals(480_000, it.timestamp());
        assertEquals(480.0, it.value());
        assertTrue(it.next());
        assertEquals(481_000, it.timestamp());
    }

    @Test
    void selectedSeriesStayValidAfterLaterAppends() {
        Head head = new Head();
        int ref = head.getOrCreateSeries(Labels.of("__name__", "m"));
        for (int i = 0; i < 100; i++) head.append(ref, i, i);
        Series s = all(head.querier(0, Long.MAX_VALUE).select(false, equal("__name__", "m"))).get(0);
        for (int i = 100; i < 1000; i++) head.append(ref, i, -i); // cuts chunks, grows buffers
        List<long[]> got = samples(s.iterator());
        assertEquals(100, got.size(), "sees the samples as of select");
        for (int i = 0; i < 100; i++) assertEquals(Double.doubleToRawLongBits(i), got.get(i)[1]);
        assertEquals(100, samples(s.iterator()).size(), "each iterator is fresh");
    }

    @Test
    void selectSortsByLabelsWhenAsked() {
        Head head = new Head();
        for (String i : new String[] {"c", "a", "b"}) {
            head.append(head.getOrCreateSeries(Labels.of("__name__", "m", "i", i)), 1, 1);
        }
        head.append(head.getOrCreateSeries(Labels.of("__name__", "l")), 1, 1);
        List<Series> sorted = all(head.querier(0, 10).select(true, regex("__name__", "l|m")));
        assertEquals(List.of(Labels.of("__name__", "l"), Labels.of("__name__", "m", "i", "a"),
                Labels.of("__name__", "m", "i", "b"), Labels.of("__name__", "m", "i", "c")),
                sorted.stream().map(Series::labels).toList());
    }

    @Test
    void labelNamesAndValues() {
        Head head = new Head();
        head.append(head.getOrCreateSeries(Labels.of("__name__", "up", "job", "b", "zone", "z1")), 100, 1);
        head.append(head.getOrCreateSeries(Labels.of("__name__", "up", "job", "a")), 100, 1);
        head.append(head.getOrCreateSeries(Labels.of("__name__", "cpu", "job", "a", "core", "0")), 5000, 1);
        try (Querier q = head.querier(0, 10_000)) {
            assertEquals(List.of("__name__", "core", "job", "zone"), q.labelNames());
            assertEquals(List.of("a", "b"), q.labelValues("job"));
            assertEquals(List.of("__name__", "job", "zone"), q.labelNames(equal("__name__", "up")));
            assertEquals(List.of("a"), q.labelValues("job", equal("__name__", "cpu")));
            assertEquals(List.of("z1"), q.labelValues("zone", equal("job", "b")));
            assertEquals(List.of(), q.labelValues("nolabel"));
        }
        try (Querier q = head.querier(0, 1000)) {
            assertEquals(List.of("__name__", "job", "zone"), q.labelNames(regex("job", ".+")), "series out of range left out");
        }
        assertEquals(List.of(), head.querier(20_000, 30_000).labelNames());
    }

    @Test
    void truncateDropsOldChunksAndEmptySeries() {
        Head head = new Head();
        int old = head.getOrCreateSeries(Labels.of("__name__", "old", "only", "here"));
        int live = head.getOrCreateSeries(Labels.of("__name__", "live"));
        head.append(old, 100, 1);
        for (int i = 0; i < 300; i++) head.append(live, 1000L * i, i);
        assertEquals(1, head.truncate(130_000));
        assertEquals(1, head.numSeries());
        assertEquals(120_000, head.minTime(), "the chunk holding 130000 starts at 120000");
        assertEquals(2, head.series(live).numChunks());
        assertThrows(IllegalArgumentException.class, () -> head.series(old));
        assertEquals(List.of("__name__"), head.querier(0, Long.MAX_VALUE).labelNames());
        int again = head.getOrCreateSeries(Labels.of("__name__", "old", "only", "here"));
        assertNotEquals(old, again, "refs are never reused");
        assertEquals(AppendResult.OK, head.append(again, 50, 1));
    }
    /** Series that got no samples since the cut are collected with their postings and symbols. */
    @Test
    void truncateGivesBackPostingsAndSymbols() {
        Head head = new Head();
        List<Integer> stable = new ArrayList<>();
        List<Integer> churned = new ArrayList<>();
        for (int i = 0; i < 2_000; i++) {
            stable.add(head.getOrCreateSeries(Labels.of("__name__", "up", "pod", "stable-" + i, "job", "api")));
            churned.add(head.getOrCreateSeries(Labels.of("__name__", "up", "pod", "gone-" + i, "job", "batch", "run", "r" + i)));
        }
        int symbolsBefore = head.symbols().size();
        for (int ref : stable) for (long t = 0; t <= 200_000; t += 10_000) head.append(ref, t, t);
        for (int ref : churned) for (long t = 0; t <= 90_000; t += 10_000) head.append(ref, t, t);

        assertEquals(2_000, head.truncate(100_000));
        assertEquals(2_000, head.numSeries());
        assertEquals(symbolsBefore - 2_000 * 2 - 2, head.symbols().size(), "gone-*, r*, batch and run symbols freed");
        assertEquals(-1, head.symbols().id("gone-7"));
        assertEquals(-1, head.symbols().id("run"));
        assertEquals(List.of("__name__", "job", "pod"), head.postings().labelNames());
        assertEquals(List.of("api"), head.postings().labelValues("job"));
        assertEquals(2_000, head.postings().allPostings().length);
        assertArrayEquals(new int[0], head.postings().postings("pod", "gone-7"));
        for (int i = 0; i < 2_000; i += 97) {
            assertEquals(-1, head.seriesRef(Labels.of("__name__", "up", "pod", "gone-" + i, "job", "batch", "run", "r" + i)));
            assertEquals((int) stable.get(i), head.seriesRef(Labels.of("__name__", "up", "pod", "stable-" + i, "job", "api")));
            int finalI = i;
            assertThrows(IllegalArgumentException.class, () -> head.series(churned.get(finalI)));
        }
        // Truncating everything leaves an empty head that takes new series.
        assertEquals(2_000, head.truncate(Long.MAX_VALUE));
        assertEquals(0, head.numSeries());
        assertEquals(0, head.symbols().size());
        assertEquals(List.of(), head.postings().labelNames());
        int again = head.getOrCreateSeries(Labels.of("__name__", "up", "pod", "gone-7", "job", "batch", "run", "r7"));
        assertTrue(again > churned.get(churned.size() - 1), "a new ref, never a reused one");
        assertEquals(AppendResult.OK, head.append(again, 1, 1));
    }

    /**
     * A select's series are built as its set is read, which may be after the head moved on: a
     * truncation that frees symbols whose ids new series then take, and appends that fill and
     * cut head chunks. What the set gives is still the head as it was at the select.
     */
    @Test
    void aSelectReadLaterSeesTheHeadAsItWasSelected() {
        Head head = new Head(1_000_000, 120);
        List<Integer> stable = new ArrayList<>();
        List<Labels> want = new ArrayList<>();
        for (int i = 0; i < 2_500; i++) {
            Labels st = Labels.of("__name__", "up", "pod", "stable-" + i, "job", "api");
            Labels gone = Labels.of("__name__", "up", "pod", "gone-" + i, "job", "batch", "run", "r" + i);
            int s = head.getOrCreateSeries(st);
            int g = head.getOrCreateSeries(gone);
            stable.add(s);
            for (long t = 0; t <= 200_000; t += 1_000) head.append(s, t, t); // closed chunks and an open one
            for (long t = 0; t <= 90_000; t += 1_000) head.append(g, t, -t);
            want.add(st);
            want.add(gone);
        }
        want.sort(null);
        SeriesSet set;
        try (Querier q = head.querier(0, Long.MAX_VALUE)) {
            set = q.select(true, equal("__name__", "up"));
        }
        assertEquals(2_500, head.truncate(100_000)); // more than a selection first has room for
        for (int i = 0; i < 1_000; i++) {
            head.append(head.getOrCreateSeries(Labels.of("__name__", "new", "x" + i, "y" + i)), 300_000, 1);
        }
        for (int ref : stable) for (long t = 201_000; t <= 400_000; t += 1_000) head.append(ref, t, t);

        List<Series> got = all(set);
        assertEquals(want, got.stream().map(Series::labels).toList());
        for (Series s : got) {
            boolean gone = s.labels().get("job").equals("batch");
            long t = 0;
            SampleIterator it = s.iterator();
            while (it.next()) {
                assertEquals(t, it.timestamp(), s.labels().toString());
                assertEquals(gone ? -t : t, it.value(), s.labels().toString());
                t += 1_000;
            }
            assertEquals(gone ? 91_000 : 201_000, t, "samples of " + s.labels() + " as selected, none appended later");
        }
    }

    /** Many series, churned in waves: lookups by labels and by ref stay right. */
    @Test
    void lookupsStayRightThroughChurn() {
        Head head = new Head();
        java.util.Map<Labels, Integer> live = new java.util.HashMap<>();
        int created = 0;
        for (int wave = 0; wave < 6; wave++) {
            long t = wave * 1_000L;
            for (int i = 0; i < 5_000; i++) {
                Labels l = Labels.of("__name__", "m" + (i % 7), "i", Integer.toString(created + i), "w", "w" + wave);
                int ref = head.getOrCreateSeries(l);
                assertNull(live.put(l, ref));
            }
            created += 5_000;
            // Keep every series of the last wave and every third older one alive.
            String thisWave = "w" + wave;
            java.util.function.Predicate<Labels> keep =
                    l -> l.get("w").equals(thisWave) || Integer.parseInt(l.get("i")) % 3 == 0;
            for (java.util.Map.Entry<Labels, Integer> e : live.entrySet()) {
                if (keep.test(e.getKey())) head.append(e.getValue(), t + 500, 1);
            }
            int before = live.size();
            live.keySet().removeIf(keep.negate());
            assertEquals(before - live.size(), head.truncate(t + 500));
            assertEquals(live.size(), head.numSeries());
            for (java.util.Map.Entry<Labels, Integer> e : live.entrySet()) {
                assertEquals(e.getValue(), head.seriesRef(e.getKey()));
                assertEquals(e.getKey(), head.series(e.getValue()).labels());
            }
        }
    }

    @Test
    void sortedSelectFollowsLabelOrder() {
        Head head = new Head();
        java.util.Random r = new java.util.Random(1);
        List<Labels> all = new ArrayList<>();
        for (int i = 0; i < 500; i++) {
            Labels l = Labels.of("__name__", "m", "a", "v" + r.nextInt(50), "b", r.nextBoolean() ? "" : "x" + r.nextInt(9));
            if (all.contains(l)) continue;
            all.add(l);
            head.append(head.getOrCreateSeries(l), 1, 1);
        }
        all.sort(null);
        assertEquals(all, all(head.querier(0, 10).select(true, equal("__name__", "m"))).stream().map(Series::labels).toList());
    }
    /** Both ways of sorting (few series: by labels; many: by symbol ranks) match Labels'. */
    @Test
    void labelOrderAgreesWithLabelsForFewAndManySeries() {
        java.util.Random r = new java.util.Random(2);
        for (int n : new int[] {LabelOrder.RANKED_FROM - 1, 3_000}) {
            Head head = new Head();
            List<MemSeries> series = new ArrayList<>();
            while (series.size() < n) {
                Labels.Builder b = new Labels.Builder().set("__name__", "m" + r.nextInt(3));
                // Optional labels make some sets prefixes of others; values share prefixes.
                for (String name : new String[] {"a", "ab", "b", "c"}) {
                    if (r.nextInt(3) > 0) b.set(name, "v" + r.nextInt(40) + (r.nextBoolean() ? "" : "x"));
                }
                Labels l = b.build();
                if (head.seriesRef(l) >= 0) continue;
                series.add(head.series(head.getOrCreateSeries(l)));
            }
            Labels[] labels = series.stream().map(MemSeries::labels).toArray(Labels[]::new);
            byte[][] packed = series.stream().map(MemSeries::packedLabels).toArray(byte[][]::new);
            String[] strings = new String[head.symbols().idLimit()];
            for (int id = 0; id < strings.length; id++) strings[id] = head.symbols().symbol(id);
            int[] order = LabelOrder.order(packed, n, strings);
            List<Labels> want = new ArrayList<>(List.of(labels));
            want.sort(null);
            assertEquals(want, java.util.Arrays.stream(order).mapToObj(i -> labels[i]).toList(), n + " series");
            // The public comparator, with another string order (longer strings last).
            java.util.Comparator<String> byLength = java.util.Comparator.comparingInt(String::length)
                    .thenComparing(java.util.Comparator.naturalOrder());
            series.sort(head.labelOrder(byLength));
            for (int i = 1; i < series.size(); i++) {
                assertTrue(compareWith(series.get(i - 1).labels(), series.get(i).labels(), byLength) < 0);
            }
        }
    }

    /** Labels order with another string order: pair by pair, a prefix first. */
    private static int compareWith(Labels a, Labels b, java.util.Comparator<String> strings) {
        for (int i = 0; i < Math.min(a.size(), b.size()); i++) {
            int c = strings.compare(a.name(i), b.name(i));
            if (c == 0) c = strings.compare(a.value(i), b.value(i));
            if (c != 0) return c;
        }
        return Integer.compare(a.size(), b.size());
    }
}
