package io.mnemo.tsdb.head;

import static io.mnemo.tsdb.LabelMatcher.equal;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mnemo.tsdb.Labels;
import io.mnemo.tsdb.MergeQuerier;
import io.mnemo.tsdb.Querier;
import io.mnemo.tsdb.Queryable;
import io.mnemo.tsdb.SampleIterator;
import io.mnemo.tsdb.Series;
import io.mnemo.tsdb.SeriesSet;
import io.mnemo.tsdb.block.BlockMeta;
import io.mnemo.tsdb.block.BlockReader;
import io.mnemo.tsdb.block.BlockWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The head's out-of-order part: routing by window, duplicates, reads, truncation and blocks. */
class OutOfOrderHeadTest {
    static final long STEP = 15_000;
    static final long T0 = 1_699_999_200_000L; // 2h aligned
    static final long HOUR = 3_600_000L;

    @TempDir
    Path dir;

    /** Series s has value s * 1e6 + i at T0 + i * STEP for every i in [0, n). */
    static double value(int s, int i) {
        return s * 1_000_000.0 + i;
    }

    static Labels labels(int s) {
        return Labels.of("__name__", "ooo", "series", Integer.toString(s));
    }

    /** Appends samples [0, n) of `series` series in a shuffled order; every one must be accepted. */
    static void appendShuffled(Head head, int series, int n, long seed) {
        List<long[]> all = new ArrayList<>();
        for (int s = 0; s < series; s++) for (int i = 0; i < n; i++) all.add(new long[] {s, i});
        Collections.shuffle(all, new Random(seed));
        for (long[] si : all) {
            int s = (int) si[0], i = (int) si[1];
            AppendResult r = head.append(head.getOrCreateSeries(labels(s)), T0 + i * STEP, value(s, i));
            assertTrue(r == AppendResult.OK || r == AppendResult.OK_OUT_OF_ORDER, "sample " + s + "/" + i + ": " + r);
        }
    }

    /** Every series' samples in [mint, maxt], as "t=v" strings. */
    static TreeMap<Labels, List<String>> read(Queryable q, long mint, long maxt) {
        TreeMap<Labels, List<String>> out = new TreeMap<>();
        try (Querier querier = q.querier(mint, maxt)) {
            SeriesSet set = querier.select(true, equal("__name__", "ooo"));
            while (set.next()) {
                Series s = set.at();
                List<String> samples = new ArrayList<>();
                SampleIterator it = s.iterator();
                while (it.next()) samples.add(it.timestamp() + "=" + it.value());
                out.put(s.labels(), samples);
            }
        }
        return out;
    }

    static TreeMap<Labels, List<String>> expected(int series, int from, int to) {
        TreeMap<Labels, List<String>> out = new TreeMap<>();
        for (int s = 0; s < series; s++) {
            List<String> samples = new ArrayList<>();
            for (int i = from; i < to; i++) samples.add((T0 + i * STEP) + "=" + value(s, i));
            out.put(labels(s), samples);
        }
        return out;
    }

    @Test
    void shuffledSamplesWithinTheWindowReadBackSorted() {
        Head head = new Head();
        head.setOutOfOrderTimeWindow(HOUR);
        int n = 200; // 50 minutes at 15 s: all within the window; enough to merge the buffer many times
        appendShuffled(head, 20, n, 42);
        assertEquals(20L * n, head.appended());
        assertTrue(head.outOfOrderAppended() > 0, "some went out of order");
        assertEquals(0, head.tooOld() + head.duplicates() + head.outOfOrder());
        assertEquals(expected(20, 0, n), read(head, Long.MIN_VALUE, Long.MAX_VALUE));
        // A sub-range too, so that chunk and buffer trimming is exercised.
        assertEquals(expected(20, 37, 151), read(head, T0 + 37 * STEP, T0 + 150 * STEP));
        assertEquals(T0, head.minTime());
        assertEquals(T0 + (n - 1) * STEP, head.maxTime());
    }

    @Test
    void withoutAWindowOutOfOrderIsRejectedAsBefore() {
        Head head = new Head();
        int ref = head.getOrCreateSeries(labels(0));
        assertEquals(AppendResult.OK, head.append(ref, 2000, 2));
        assertEquals(AppendResult.OUT_OF_ORDER, head.append(ref, 1000, 1));
        head.setMinValidTime(1500);
        int other = head.getOrCreateSeries(labels(1));
        assertEquals(AppendResult.OUT_OF_BOUNDS, head.append(other, 1400, 1), "in blocks already");
        assertEquals(1, head.outOfOrder());
        assertEquals(1, head.outOfBounds());
        assertEquals(0, head.tooOld());
        assertEquals(1, head.appended());
    }

    @Test
    void samplesOlderThanTheWindowAreTooOld() {
        Head head = new Head();
        head.setOutOfOrderTimeWindow(10 * 60_000);
        int a = head.getOrCreateSeries(labels(0));
        int b = head.getOrCreateSeries(labels(1));
        assertEquals(AppendResult.OK, head.append(a, T0 + HOUR, 1));
        // The window is measured from the head's newest sample, not the series': b has none yet.
        assertEquals(AppendResult.OK, head.append(b, T0, 1), "b's first sample is in order");
        assertEquals(AppendResult.TOO_OLD, head.append(b, T0 - 1, 1), "older than b's newest and the window");
        assertEquals(AppendResult.OK_OUT_OF_ORDER, head.append(a, T0 + HOUR - 10 * 60_000, 2), "at the window's edge");
        assertEquals(AppendResult.TOO_OLD, head.append(a, T0 + HOUR - 10 * 60_000 - 1, 3), "just beyond it");
        assertEquals(2, head.tooOld());
        assertEquals(1, head.outOfOrderAppended());
        assertEquals(Long.MIN_VALUE, head.minAppendableTime(), "nothing in blocks: a new series takes anything");

        // Before the min valid time (in blocks): only out of order, within the window.
        head.setMinValidTime(T0 + HOUR - 5 * 60_000);
        assertEquals(T0 + HOUR - 10 * 60_000, head.minAppendableTime());
        int c = head.getOrCreateSeries(labels(2));
        assertEquals(AppendResult.OK_OUT_OF_ORDER, head.append(c, T0 + HOUR - 6 * 60_000, 1), "new series, below the floor");
        assertTrue(head.isOutOfOrder(c, T0 + HOUR - 5 * 60_000 - 1));
        assertEquals(AppendResult.OK, head.append(c, T0 + HOUR - 5 * 60_000, 1), "at the floor: in order");
        assertEquals(1, head.series(c).numChunks(), "one in-order chunk");
    }

    @Test
    void duplicatesAgainstInOrderBufferedAndMergedSamples() {
        Head head = new Head();
        head.setOutOfOrderTimeWindow(HOUR);
        int ref = head.getOrCreateSeries(labels(0));
        for (int i = 0; i < 100; i += 2) assertEquals(AppendResult.OK, head.append(ref, T0 + i * STEP, i));
        assertEquals(AppendResult.OK, head.append(ref, T0 + 99 * STEP, 99));
        // The other odd samples arrive late, newest first: 49 of them, so the buffer is merged into
        // chunks once (97 down to 35) and 33 down to 1 stay buffered.
        for (int i = 97; i > 0; i -= 2) {
            assertEquals(AppendResult.OK_OUT_OF_ORDER, head.append(ref, T0 + i * STEP, i));
        }
        assertEquals(AppendResult.OK, head.append(ref, T0 + 99 * STEP, 99), "exact repeat of the newest");
        assertEquals(AppendResult.OK, head.append(ref, T0 + 10 * STEP, 10), "exact repeat of an in-order sample");
        assertEquals(AppendResult.OK, head.append(ref, T0 + 97 * STEP, 97), "exact repeat of a merged one");
        assertEquals(AppendResult.OK, head.append(ref, T0 + 1 * STEP, 1), "exact repeat of a buffered one");
        assertEquals(AppendResult.DUPLICATE, head.append(ref, T0 + 10 * STEP, -1));
        assertEquals(AppendResult.DUPLICATE, head.append(ref, T0 + 97 * STEP, -1));
        assertEquals(AppendResult.DUPLICATE, head.append(ref, T0 + 1 * STEP, -1));
        assertEquals(3, head.duplicates());
        assertEquals(100, head.appended());
        assertEquals(49, head.outOfOrderAppended());
        List<String> want = new ArrayList<>();
        for (int i = 0; i < 100; i++) want.add((T0 + i * STEP) + "=" + (double) i);
        List<String> got = read(head, T0, T0 + 99 * STEP).get(labels(0));
        assertEquals(want, got);
    }

    @Test
    void truncateDropsOutOfOrderSamplesExactlyBeforeTheCut() {
        Head head = new Head(30 * 60_000); // in-order chunks end at the cut, as they do at block bounds
        head.setOutOfOrderTimeWindow(HOUR);
        appendShuffled(head, 3, 200, 7);
        head.truncate(T0 + 120 * STEP);
        assertEquals(expected(3, 120, 200), read(head, Long.MIN_VALUE, Long.MAX_VALUE));
        assertEquals(T0 + 120 * STEP, head.minTime());
        head.truncate(T0 + 200 * STEP);
        assertEquals(0, head.numSeries());
    }

    @Test
    void outOfOrderSamplesGoIntoBlocksAndOverlappingBlocksMergeOnce() throws Exception {
        Head head = new Head(30 * 60_000); // the cut below is at a chunk range bound, as block cuts are
        head.setOutOfOrderTimeWindow(HOUR);
        appendShuffled(head, 10, 200, 3); // [T0, T0 + 50m)
        long cut = T0 + 120 * STEP;
        BlockMeta first = new BlockWriter(dir).write(head, T0, cut).orElseThrow();
        assertEquals(10L * 120, first.numSamples(), "in-order and out-of-order samples of the range");
        try (BlockReader b = BlockReader.open(dir.resolve(first.ulid().toString()))) {
            assertEquals(expected(10, 0, 120), read(b, Long.MIN_VALUE, Long.MAX_VALUE));
        }
        head.truncate(cut);
        head.setMinValidTime(cut);

        // Late samples for the block's range, between its samples (t + 5 s), newest first.
        for (int s = 0; s < 10; s++) {
            int ref = head.getOrCreateSeries(labels(s));
            for (int i = 119; i >= 60; i--) {
                assertEquals(AppendResult.OK_OUT_OF_ORDER, head.append(ref, T0 + i * STEP + 5_000, -i));
            }
            // And one sample exactly as the block has it: stored again, merged away on read.
            assertEquals(AppendResult.OK_OUT_OF_ORDER, head.append(ref, T0 + 100 * STEP, value(s, 100)));
        }
        BlockMeta late = new BlockWriter(dir).writeOutOfOrder(head, T0, cut, Map.of()).orElseThrow();
        assertEquals(10L * 61, late.numSamples());
        head.truncate(cut);
        assertEquals(expected(10, 120, 200), read(head, Long.MIN_VALUE, Long.MAX_VALUE), "the head kept the rest");

        TreeMap<Labels, List<String>> want = expected(10, 0, 200);
        for (int s = 0; s < 10; s++) {
            List<String> w = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                w.add((T0 + i * STEP) + "=" + value(s, i));
                if (i >= 60 && i < 120) w.add((T0 + i * STEP + 5_000) + "=" + (double) -i);
            }
            want.put(labels(s), w);
        }
        try (BlockReader a = BlockReader.open(dir.resolve(first.ulid().toString()));
             BlockReader b = BlockReader.open(dir.resolve(late.ulid().toString()))) {
            assertTrue(a.meta().overlaps(b.meta().minTime(), b.meta().maxTime() - 1), "the blocks overlap");
            assertEquals(want, read(MergeQuerier.of(List.of(a, b, head)), Long.MIN_VALUE, Long.MAX_VALUE));
        }
    }
}
