package io.mnemo.actors.ingester;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mnemo.actors.ingest.HistogramMessages;
import io.mnemo.actors.ingest.IngestRecordReader;
import io.mnemo.actors.ingest.IngestRecordWriter;
import io.mnemo.actors.ingest.MalformedRecordException;
import io.mnemo.tsdb.HistogramIterator;
import io.mnemo.tsdb.Labels;
import io.mnemo.tsdb.LabelMatcher;
import io.mnemo.tsdb.Querier;
import io.mnemo.tsdb.SampleIterator;
import io.mnemo.tsdb.SeriesSet;
import io.mnemo.tsdb.head.Head;
import io.mnemo.tsdb.histogram.FloatHistogram;
import io.mnemo.tsdb.histogram.FloatHistogram.CounterResetHint;
import io.mnemo.tsdb.histogram.Histogram;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class RecordApplierTest {
    private final PartitionTsdb.Tenant tenant = new PartitionTsdb.Tenant(7_200_000L);
    private final Head head = tenant.head;
    private final RecordApplier applier = new RecordApplier();

    /** A record of series given as {"name", "value", ..., "@t=v", "@t=v"}. */
    private static byte[] record(String[]... series) {
        IngestRecordWriter w = new IngestRecordWriter();
        for (String[] s : series) {
            List<Integer> refs = new ArrayList<>();
            List<long[]> samples = new ArrayList<>();
            for (int i = 0; i < s.length; i++) {
                if (s[i].startsWith("@")) {
                    String[] tv = s[i].substring(1).split("=");
                    samples.add(new long[] {Long.parseLong(tv[0]), Double.doubleToRawLongBits(Double.parseDouble(tv[1]))});
                } else {
                    refs.add(w.symbol(s[i]));
                }
            }
            w.beginSeries();
            w.labels(refs.stream().mapToInt(Integer::intValue).toArray(), refs.size());
            for (long[] tv : samples) w.sample(tv[0], tv[1]);
            w.endSeries();
        }
        return w.toByteArray();
    }

    /** The samples of the series with exactly these labels, as "t=v". */
    private List<String> samples(String... kv) {
        Labels labels = Labels.of(kv);
        List<String> out = new ArrayList<>();
        try (Querier q = head.querier(Long.MIN_VALUE, Long.MAX_VALUE)) {
            SeriesSet set = q.select(false, LabelMatcher.equal("__name__", labels.get("__name__")));
            while (set.next()) {
                if (!set.at().labels().equals(labels)) continue;
                SampleIterator it = set.at().iterator();
                while (it.next()) out.add(it.timestamp() + "=" + it.value());
            }
        }
        return out;
    }

    @Test
    void newAndKnownSeriesInOneRecordEachGetTheirSamplesOnce() {
        head.getOrCreateSeries(Labels.of("__name__", "up", "job", "known"));
        applier.apply(tenant, record(
                new String[] {"__name__", "up", "job", "new", "@10=1", "@20=2"},
                new String[] {"__name__", "up", "job", "known", "@10=5"},
                new String[] {"__name__", "up", "job", "new", "@30=3"}, // the same new series again
                new String[] {"__name__", "other", "@15=9"}), true, false);
        assertEquals(List.of("10=1.0", "20=2.0", "30=3.0"), samples("__name__", "up", "job", "new"));
        assertEquals(List.of("10=5.0"), samples("__name__", "up", "job", "known"));
        assertEquals(List.of("15=9.0"), samples("__name__", "other"));
        assertEquals(3, head.numSeries());
        assertEquals(30, applier.maxTime());
        assertEquals(5, head.appended());
    }

    @Test
    void samplesBeforeTheFloorAreDroppedAndCountedOnlyTheFirstTime() {
        byte[] r = record(new String[] {"__name__", "a", "@5=1", "@50=2"}, new String[] {"__name__", "b", "@6=1"});
        head.setMinValidTime(10);
        applier.apply(tenant, r, true, false);
        assertEquals(2, applier.belowFloor());
        assertEquals(List.of("50=2.0"), samples("__name__", "a"));
        assertEquals(-1, head.seriesRef(Labels.of("__name__", "b")), "no series for samples that were all refused");
        applier.apply(tenant, record(new String[] {"__name__", "c", "@7=1"}), false, false);
        assertEquals(0, applier.belowFloor(), "a record applied before was counted then");
    }

    @Test
    void theFirstSampleOfTheFirstRecordSeedsTheHeadAndTheBoundHoldsForTheRecord() {
        long hour = 3_600_000L;
        // Record order decides the seed: "late" comes first, so "early" is half a range (1 h) too old.
        applier.apply(tenant, record(new String[] {"__name__", "late", "@" + 10 * hour + "=1"},
                new String[] {"__name__", "early", "@" + (9 * hour - 1) + "=1", "@" + 9 * hour + "=2"}), true, false);
        assertEquals(10 * hour, head.highWaterMark());
        assertEquals(1, applier.belowFloor(), "before the bound: out of bounds");
        assertEquals(List.of(9 * hour + "=2.0"), samples("__name__", "early"));
        // The next record's bound is measured from the newest sample so far.
        applier.apply(tenant, record(new String[] {"__name__", "early", "@" + 20 * hour + "=3"},
                new String[] {"__name__", "late", "@" + (10 * hour + 1) + "=4"}), true, false);
        assertEquals(0, applier.belowFloor(), "the bound moves per record, not per sample");
        applier.apply(tenant, record(new String[] {"__name__", "late", "@" + (19 * hour - 1) + "=5"}), true, false);
        assertEquals(1, applier.belowFloor());
        assertEquals(1, head.outOfBounds() + applier.belowFloor(), "refused before touching the series");
    }

    @Test
    void newMetricFamiliesOverTheLimitAreDroppedUpdatesKept() {
        tenant.metadataLimit = 2;
        applier.apply(tenant, metadata("a_total", "A.", "b_total", "B."), true, false);
        assertEquals(0, applier.metadataRefused());
        applier.apply(tenant, metadata("c_total", "C.", "a_total", "A, updated."), true, false);
        assertEquals(1, applier.metadataRefused(), "a third family is over the limit");
        assertEquals(java.util.Set.of("a_total", "b_total"), tenant.metadata.keySet());
        assertEquals("A, updated.", tenant.metadata.get("a_total")[1], "an update of a kept family is taken");
        tenant.metadataLimit = 0;
        applier.apply(tenant, metadata("c_total", "C."), true, false);
        assertEquals(3, tenant.metadata.size(), "0: no limit");
    }

    /** A record of counter metadata only: family, help, family, help... */
    private static byte[] metadata(String... familyHelp) {
        IngestRecordWriter w = new IngestRecordWriter();
        for (int i = 0; i < familyHelp.length; i += 2) {
            w.beginSeries();
            w.labels(new int[] {w.symbol("__name__"), w.symbol(familyHelp[i])}, 2);
            w.metadata(1, w.symbol(familyHelp[i + 1]), 0);
            w.endSeries();
        }
        return w.toByteArray();
    }

    @Test
    void metadataIsKeptByFamily() {
        IngestRecordWriter w = new IngestRecordWriter();
        w.beginSeries();
        w.labels(new int[] {w.symbol("__name__"), w.symbol("http_requests_total")}, 2);
        w.metadata(1, w.symbol("Requests."), 0);
        w.endSeries();
        applier.apply(tenant, w.toByteArray(), true, false);
        assertArrayEquals(new String[] {"counter", "Requests.", ""}, tenant.metadata.get("http_requests_total"));
        assertEquals(0, head.numSeries(), "metadata makes no series");
    }

    @Test
    void aDamagedRecordKeepsWhatCameBeforeTheDamage() {
        byte[] good = record(new String[] {"__name__", "first", "@1=1"}, new String[] {"__name__", "second", "@2=2"});
        byte[] damaged = Arrays.copyOf(good, good.length - 3);
        assertThrows(MalformedRecordException.class, () -> applier.apply(tenant, damaged, true, false));
        assertEquals(List.of("1=1.0"), samples("__name__", "first"), "the new series before the damage is created");
        assertEquals(-1, head.seriesRef(Labels.of("__name__", "second")));
    }

    @Test
    void outOfOrderSamplesAreCollectedForTheWriteBehindLog() {
        head.setOutOfOrderTimeWindow(1_000);
        applier.apply(tenant, record(new String[] {"__name__", "x", "@100=1"}), true, false);
        assertFalse(applier.hasOutOfOrder());
        applier.apply(tenant, record(new String[] {"__name__", "x", "@50=5", "@200=2"}, new String[] {"__name__", "y", "@1=1"}),
                true, false);
        assertTrue(applier.hasOutOfOrder());
        assertEquals(50, applier.outOfOrderMaxTime());
        IngestRecordReader logged = new IngestRecordReader().reset(applier.outOfOrderRecord());
        assertTrue(logged.nextSeries());
        assertEquals(Labels.of("__name__", "x"), logged.labels());
        assertEquals(1, logged.sampleCount());
        assertEquals(50, logged.sampleTimestamp(0));
        assertFalse(logged.nextSeries());
        assertEquals(List.of("50=5.0", "100=1.0", "200=2.0"), samples("__name__", "x"));
    }

    /** A counter histogram with 60 buckets at step k (every count grows with k). */
    static Histogram counter(int k) {
        long[] deltas = new long[60];
        long count = 0;
        long previous = 0;
        for (int i = 0; i < 60; i++) {
            long c = (long) (k + 1) * (i % 4 + 1);
            deltas[i] = c - previous;
            previous = c;
            count += c;
        }
        return Histogram.of(2, 0, 0, count, count * 0.25, new int[] {-5, 60}, deltas, new int[0], new long[0], null,
                CounterResetHint.UNKNOWN);
    }

    static FloatHistogram gauge(int k) {
        return FloatHistogram.of(0, 0, 0, k + 1.5, k, new int[] {0, 2}, new double[] {k, 1.5}, new int[0], new double[0],
                null, CounterResetHint.GAUGE);
    }

    /** A record of series "h" with integer histograms and "g" with float histograms at these steps (15 s). */
    static byte[] histograms(int from, int to, byte[]... extraForH) {
        IngestRecordWriter w = new IngestRecordWriter();
        w.beginSeries();
        w.labels(new int[] {w.symbol("__name__"), w.symbol("h")}, 2);
        for (int k = from; k < to; k++) {
            byte[] m = HistogramMessages.encode(k * 15_000L, counter(k));
            w.histogram(m, 0, m.length);
        }
        for (byte[] m : extraForH) w.histogram(m, 0, m.length);
        w.endSeries();
        w.beginSeries();
        w.labels(new int[] {w.symbol("__name__"), w.symbol("g")}, 2);
        for (int k = from; k < to; k++) {
            byte[] m = HistogramMessages.encode(k * 15_000L, gauge(k));
            w.histogram(m, 0, m.length);
        }
        w.endSeries();
        return w.toByteArray();
    }

    /** The histogram samples of a series, as "t=histogram". */
    private List<String> histogramSamples(String name) {
        List<String> out = new ArrayList<>();
        try (Querier q = head.querier(Long.MIN_VALUE, Long.MAX_VALUE)) {
            SeriesSet set = q.select(false, LabelMatcher.equal("__name__", name));
            while (set.next()) {
                HistogramIterator it = (HistogramIterator) set.at().iterator();
                while (it.next()) out.add(it.timestamp() + "=" + it.histogram());
            }
        }
        return out;
    }

    @Test
    void nativeHistogramsAreAppliedAndAReplayAddsNoneTwice() {
        byte[] r = histograms(0, 300);
        applier.apply(tenant, r, true, false);
        assertEquals(600, head.appended());
        assertEquals(299 * 15_000L, applier.maxTime());
        List<String> h = histogramSamples("h");
        assertEquals(300, h.size());
        for (int k = 0; k < 300; k += 37) {
            assertTrue(counter(k).toFloat().equalsHistogram(parseBack(k, "h")), "h at step " + k);
            assertTrue(gauge(k).equalsHistogram(parseBack(k, "g")), "g at step " + k);
        }
        assertTrue(head.series(head.seriesRef(Labels.of("__name__", "h"))).numChunks() > 3, "chunks cut at 1 KiB");

        applier.apply(tenant, r, false, false); // the journal replays it
        assertEquals(600, head.appended());
        assertEquals(0, head.duplicates(), "none a new value: the same samples again");
        assertEquals(300, histogramSamples("h").size());
    }

    /** The histogram of series {@code name} at step k, through a select. */
    private FloatHistogram parseBack(int k, String name) {
        try (Querier q = head.querier(k * 15_000L, k * 15_000L)) {
            SeriesSet set = q.select(false, LabelMatcher.equal("__name__", name));
            assertTrue(set.next());
            HistogramIterator it = (HistogramIterator) set.at().iterator();
            assertTrue(it.next());
            return it.histogram();
        }
    }

    @Test
    void invalidAndUndecodableHistogramsAreRefusedCountedAndTheRestApplied() {
        byte[] invalid = HistogramMessages.encode(10 * 15_000L, Histogram.of(0, 0, 0, 1, 1, new int[] {0, 1},
                new long[] {5}, new int[0], new long[0], null, CounterResetHint.UNKNOWN)); // count 1 < 5
        // Well-formed protobuf, but a float histogram whose span names two buckets it does not give.
        byte[] undecodable = {2 << 3 | 1, 0, 0, 0, 0, 0, 0, (byte) 0xF0, 0x3F, (byte) (11 << 3 | 2), 4, 8, 0, 16, 2};
        applier.apply(tenant, histograms(0, 3, invalid, undecodable), true, false);
        assertEquals(1, head.invalidHistograms());
        assertEquals(1, applier.histogramsUndecodable());
        assertEquals(3, histogramSamples("h").size());
        assertEquals(3, histogramSamples("g").size());
        applier.apply(tenant, histograms(3, 4), true, false);
        assertEquals(0, applier.histogramsUndecodable());
        assertEquals(4, histogramSamples("h").size(), "later records still applied");
    }

    @Test
    void outOfOrderHistogramsAreCollectedForTheWriteBehindLog() {
        head.setOutOfOrderTimeWindow(3_600_000L);
        applier.apply(tenant, histograms(100, 110), true, false);
        assertFalse(applier.hasOutOfOrder());
        applier.apply(tenant, histograms(95, 100), true, false);
        assertTrue(applier.hasOutOfOrder());
        assertEquals(99 * 15_000L, applier.outOfOrderMaxTime());
        IngestRecordReader logged = new IngestRecordReader().reset(applier.outOfOrderRecord());
        assertTrue(logged.nextSeries());
        assertEquals(Labels.of("__name__", "h"), logged.labels());
        assertEquals(5, logged.histogramCount());
        assertEquals(95 * 15_000L, logged.histogramTimestamp(0));
        assertTrue(logged.nextSeries());
        assertEquals(5, logged.histogramCount());
        assertFalse(logged.nextSeries());
        assertEquals(15, histogramSamples("h").size());
        assertTrue(counter(95).toFloat().equalsHistogram(parseBack(95, "h")));

        // Applied again with the log restored: the out-of-order ones are skipped, not refused.
        long refused = head.duplicates() + head.outOfOrder();
        applier.apply(tenant, histograms(95, 100), false, true);
        assertEquals(refused, head.duplicates() + head.outOfOrder());
        assertFalse(applier.hasOutOfOrder());
    }
}
