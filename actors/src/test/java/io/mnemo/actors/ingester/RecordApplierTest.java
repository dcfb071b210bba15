package io.mnemo.actors.ingester;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mnemo.actors.ingest.IngestRecordReader;
import io.mnemo.actors.ingest.IngestRecordWriter;
import io.mnemo.actors.ingest.MalformedRecordException;
import io.mnemo.tsdb.Labels;
import io.mnemo.tsdb.LabelMatcher;
import io.mnemo.tsdb.Querier;
import io.mnemo.tsdb.SampleIterator;
import io.mnemo.tsdb.SeriesSet;
import io.mnemo.tsdb.head.Head;
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
}
