package io.mnemo.tsdb.exemplar;

import static org.junit.jupiter.api.Assertions.*;

import io.mnemo.tsdb.LabelMatcher;
import io.mnemo.tsdb.Labels;
import io.mnemo.tsdb.head.SnapshotIn;
import io.mnemo.tsdb.head.SnapshotOut;
import java.util.List;
import org.junit.jupiter.api.Test;

class ExemplarStoreTest {
    static final Labels A = Labels.of("__name__", "req", "job", "a");
    static final Labels B = Labels.of("__name__", "req", "job", "b");
    static final List<LabelMatcher[]> ALL = List.<LabelMatcher[]>of(new LabelMatcher[] {LabelMatcher.equal("__name__", "req")});

    static Labels trace(String id) {
        return Labels.of("trace_id", id);
    }

    static List<Long> timestamps(ExemplarStore s, Labels series) {
        return s.select(Long.MIN_VALUE, Long.MAX_VALUE, ALL).stream().filter(e -> e.seriesLabels().equals(series))
                .flatMap(e -> e.exemplars().stream()).map(Exemplar::timestamp).toList();
    }

    @Test
    void theNewestEvictsTheOldestAcrossSeries() {
        ExemplarStore s = new ExemplarStore(3);
        s.add(A, trace("1"), 1, 10);
        s.add(B, trace("2"), 2, 20);
        s.add(A, trace("3"), 3, 30);
        assertEquals(3, s.size());
        s.add(B, trace("4"), 4, 40); // evicts A@10, the oldest of all
        assertEquals(List.of(30L), timestamps(s, A));
        assertEquals(List.of(20L, 40L), timestamps(s, B));
        s.add(B, trace("5"), 5, 50); // evicts B@20
        s.add(B, trace("6"), 6, 60); // evicts A@30: A has none left and leaves the index
        assertEquals(List.of(), timestamps(s, A));
        assertEquals(List.of(40L, 50L, 60L), timestamps(s, B));
        assertEquals(1, s.seriesCount());
        assertEquals(3, s.size());
    }

    @Test
    void aStoreOfOneKeepsTheNewest() {
        ExemplarStore s = new ExemplarStore(1);
        assertEquals(ExemplarStore.AddResult.ADDED, s.add(A, trace("1"), 1, 10));
        assertEquals(ExemplarStore.AddResult.ADDED, s.add(A, trace("2"), 2, 20));
        assertEquals(List.of(20L), timestamps(s, A));
        assertEquals(1, s.seriesCount());
    }

    @Test
    void duplicatesOfTheNewestAreSkippedAndOlderOnesAreOutOfOrder() {
        ExemplarStore s = new ExemplarStore(10);
        assertEquals(ExemplarStore.AddResult.ADDED, s.add(A, trace("1"), 1.5, 10));
        assertEquals(ExemplarStore.AddResult.DUPLICATE, s.add(A, trace("1"), 1.5, 10));
        assertEquals(ExemplarStore.AddResult.OUT_OF_ORDER, s.add(A, trace("0"), 1, 9));
        // At the newest's timestamp: a higher value is in order (a native histogram's next bucket), a lower one is not.
        assertEquals(ExemplarStore.AddResult.ADDED, s.add(A, trace("2"), 2.5, 10));
        assertEquals(ExemplarStore.AddResult.OUT_OF_ORDER, s.add(A, trace("3"), 0.5, 10));
        // Another series has its own order.
        assertEquals(ExemplarStore.AddResult.ADDED, s.add(B, trace("4"), 1, 5));
        assertEquals(List.of(10L, 10L), timestamps(s, A));
        assertEquals(3, s.size());
        assertEquals(2, s.outOfOrder());
        assertEquals(3, s.appended());
    }

    @Test
    void selectFiltersByTimeAndMatchersAndSortsSeries() {
        ExemplarStore s = new ExemplarStore(10);
        s.add(B, trace("b1"), 1, 100);
        s.add(A, trace("a1"), 2, 100);
        s.add(A, trace("a2"), 3, 200);
        s.add(Labels.of("__name__", "other"), trace("o"), 4, 150);
        List<SeriesExemplars> all = s.select(0, 1000, ALL);
        assertEquals(List.of(A, B), all.stream().map(SeriesExemplars::seriesLabels).toList());
        assertEquals(List.of(new Exemplar(trace("a1"), 2, 100), new Exemplar(trace("a2"), 3, 200)), all.get(0).exemplars());
        assertEquals(List.of(new Exemplar(trace("a2"), 3, 200)),
                s.select(150, 1000, ALL).get(0).exemplars());
        assertEquals(List.of(), s.select(201, 1000, ALL));
        List<LabelMatcher[]> jobB = List.<LabelMatcher[]>of(new LabelMatcher[] {LabelMatcher.equal("job", "b")},
                new LabelMatcher[] {LabelMatcher.equal("__name__", "other")});
        assertEquals(2, s.select(0, 1000, jobB).size());
    }

    @Test
    void snapshotRoundTripKeepsTheRingOrder() {
        ExemplarStore s = new ExemplarStore(3);
        for (int i = 1; i <= 5; i++) s.add(i % 2 == 0 ? A : B, trace("t" + i), i, i * 10L); // wraps: holds 30, 40, 50
        SnapshotOut out = new SnapshotOut(64);
        s.write(out);
        ExemplarStore r = new ExemplarStore(3);
        r.read(new SnapshotIn(out.pages()));
        assertEquals(s.select(0, 1000, ALL), r.select(0, 1000, ALL));
        r.add(A, trace("t6"), 6, 60); // evicts 30, the oldest, as the original would
        assertEquals(List.of(40L, 60L), timestamps(r, A));
        assertEquals(List.of(50L), timestamps(r, B));

        ExemplarStore smaller = new ExemplarStore(1);
        smaller.read(new SnapshotIn(out.pages()));
        assertEquals(List.of(50L), timestamps(smaller, B));
        assertEquals(1, smaller.size());

        SnapshotIn skipped = new SnapshotIn(out.pages());
        ExemplarStore.skip(skipped);
        assertFalse(skipped.hasRemaining());
    }

    @Test
    void labelsEncodingRoundTrips() {
        Labels l = Labels.of("span_id", "ü-1", "trace_id", "a".repeat(300));
        assertEquals(l, ExemplarLabels.decode(ExemplarLabels.encode(l)));
        assertEquals(Labels.EMPTY, ExemplarLabels.decode(new byte[0]));
    }
}
