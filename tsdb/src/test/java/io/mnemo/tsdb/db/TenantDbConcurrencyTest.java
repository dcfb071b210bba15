package io.mnemo.tsdb.db;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mnemo.tsdb.LabelMatcher;
import io.mnemo.tsdb.Labels;
import io.mnemo.tsdb.Querier;
import io.mnemo.tsdb.SampleIterator;
import io.mnemo.tsdb.SeriesSet;
import io.mnemo.tsdb.block.BlockMeta;
import io.mnemo.tsdb.head.Head;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.Lock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Reads on other threads while the owner appends and cuts: what a read sees is exact (every
 * sample appended before it began, gap-free, whether in the head or in a block cut meanwhile),
 * and a closed database lets running reads finish and refuses new ones.
 */
class TenantDbConcurrencyTest {
    static final long RANGE = 600_000L; // 10 min blocks: a cut every 40 steps
    static final long STEP = 15_000L;
    static final int SERIES = 4_000;
    static final int STEPS = 400;

    @TempDir
    Path dir;

    private static final CutHook HOOK = new CutHook() {
        public Map<String, String> origin(Cut cut) { return Map.of(); }

        public void written(Cut cut) {}

        public void cut(Cut cut, List<BlockMeta> blocks) {}
    };

    @Test
    void readsDuringAppendsAndCutsSeeEverySampleAppendedBeforeThem() throws Exception {
        TenantDb db = new TenantDb(dir, RANGE, new MappedBlocks(8));
        Head head = db.head();
        int[] refs = new int[SERIES];
        for (int s = 0; s < SERIES; s++) refs[s] = head.getOrCreateSeries(Labels.of("__name__", "m", "s", Integer.toString(s)));
        AtomicInteger appendedSteps = new AtomicInteger(); // steps wholly appended: reads must see them all
        AtomicInteger reads = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(3);
        try {
            Future<Integer> writer = pool.submit(() -> {
                int cuts = 0;
                for (int step = 0; step < STEPS; step++) {
                    Lock append = head.appendLock();
                    append.lock();
                    try {
                        head.beginAppend();
                        for (int s = 0; s < SERIES; s++) head.append(refs[s], step * STEP, step);
                    } finally {
                        append.unlock();
                    }
                    appendedSteps.set(step + 1);
                    if (step % 10 == 0) cuts += db.compactIfDue(HOOK).size();
                }
                return cuts;
            });
            List<Future<?>> readers = new ArrayList<>();
            for (int r = 0; r < 2; r++) {
                readers.add(pool.submit(() -> {
                    while (!writer.isDone()) {
                        int before = appendedSteps.get();
                        try (Querier q = db.querier(0, Long.MAX_VALUE)) {
                            boolean sorted = r(reads);
                            SeriesSet set = q.select(sorted, LabelMatcher.equal("__name__", "m"));
                            int n = 0;
                            java.util.Set<Labels> seen = new java.util.HashSet<>();
                            Labels previous = null;
                            while (set.next()) {
                                n++;
                                if (sorted && previous != null && previous.compareTo(set.at().labels()) >= 0) {
                                    throw new AssertionError(set.at().labels() + " after " + previous + " in a sorted answer");
                                }
                                if (!seen.add(set.at().labels())) {
                                    throw new AssertionError(set.at().labels() + " twice in one answer, after " + previous + ", sorted " + sorted);
                                }
                                previous = set.at().labels();
                                SampleIterator it = set.at().iterator();
                                long expected = 0;
                                while (it.next()) {
                                    if (it.timestamp() != expected * STEP) {
                                        throw new AssertionError(set.at().labels() + ": sample at step " + expected
                                                + " missing, found " + it.timestamp() / STEP + " (read after " + before + " steps)");
                                    }
                                    expected++;
                                }
                                if (expected < before) {
                                    throw new AssertionError(set.at().labels() + ": " + expected + " samples, "
                                            + before + " were appended before the read");
                                }
                            }
                            if (before > 0 && n != SERIES) throw new AssertionError(n + " series, not " + SERIES);
                            assertEquals(SERIES, before == 0 ? SERIES : q.labelValues("s").size());
                        }
                    }
                    return null;
                }));
            }
            int cuts = writer.get(5, TimeUnit.MINUTES);
            for (Future<?> f : readers) f.get(1, TimeUnit.MINUTES);
            assertTrue(cuts >= 5, "blocks were cut while reading: " + cuts);
            assertTrue(reads.get() >= 2, "reads ran alongside: " + reads.get());
        } finally {
            pool.shutdownNow();
            db.close();
        }
    }

    /** Counts a read; the sorted and unsorted select alternate. */
    private static boolean r(AtomicInteger reads) {
        return reads.incrementAndGet() % 2 == 0;
    }

    @Test
    void aClosedDatabaseLetsRunningReadsFinishAndRefusesNewOnes() {
        TenantDb db = new TenantDb(dir, RANGE, new MappedBlocks(1));
        Head head = db.head();
        for (int s = 0; s < 100; s++) {
            int ref = head.getOrCreateSeries(Labels.of("__name__", "m", "s", Integer.toString(s)));
            for (int step = 0; step < 100; step++) head.append(ref, step * STEP, step);
        }
        assertFalse(db.flush(HOOK).isEmpty());
        Querier running = db.querier(0, Long.MAX_VALUE);
        SeriesSet set = running.select(true, LabelMatcher.equal("__name__", "m"));
        db.close();
        int samples = 0;
        while (set.next()) for (SampleIterator it = set.at().iterator(); it.next(); ) samples++;
        running.close();
        assertEquals(100 * 100, samples, "the read that began before the close reads its blocks to the end");
        try (Querier late = db.querier(0, Long.MAX_VALUE)) {
            assertThrows(TenantDb.ClosedException.class, () -> late.select(true, LabelMatcher.equal("__name__", "m")));
        }
    }
}
