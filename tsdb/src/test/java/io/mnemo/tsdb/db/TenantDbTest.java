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
import io.mnemo.tsdb.block.BlockReader;
import io.mnemo.tsdb.head.AppendResult;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TenantDbTest {
    static final long RANGE = 7_200_000L;
    static final long HOUR = 3_600_000L;
    static final long DAY = 24 * HOUR;
    static final long T0 = 1_700_006_400_000L; // 24 h aligned

    @TempDir
    Path dir;

    private TenantDb db() {
        return new TenantDb(dir, RANGE, new MappedBlocks(64));
    }

    /** Appends a sample to series {@code m{s="<s>"}} (value = timestamp in hours). */
    private static AppendResult append(TenantDb db, String s, long t) {
        return db.head().append(db.head().getOrCreateSeries(Labels.of("__name__", "m", "s", s)), t, t / (double) HOUR);
    }

    /** Every sample over the whole time range: series → "t t t ...", merged from head and blocks. */
    private static Map<String, String> contents(TenantDb db, long mint, long maxt) {
        Map<String, String> out = new TreeMap<>();
        try (Querier q = db.querier(mint, maxt)) {
            SeriesSet set = q.select(true, LabelMatcher.equal("__name__", "m"));
            while (set.next()) {
                StringBuilder b = new StringBuilder();
                SampleIterator it = set.at().iterator();
                while (it.next()) b.append(it.timestamp() - T0).append(' ');
                out.put(set.at().labels().get("s"), b.toString().trim());
            }
        }
        return out;
    }

    /** Records what a hook is told, and gives each cut's blocks an origin naming the cut. */
    private static final class Recorder implements CutHook {
        final List<String> events = new ArrayList<>();

        @Override
        public Map<String, String> origin(Cut cut) {
            events.add("origin " + cut);
            return Map.of("cut", (cut.outOfOrder() ? "ooo-" : "") + (cut.maxt() - T0) / HOUR);
        }

        @Override
        public void written(Cut cut) {
            events.add("written " + cut);
        }

        @Override
        public void cut(Cut cut, List<BlockMeta> blocks) {
            events.add("cut " + cut + " " + blocks.size());
        }
    }

    @Test
    void aHeadIsCutOnceItSpansOneAndAHalfRangesBeyondARange() {
        TenantDb db = db();
        Recorder hook = new Recorder();
        for (long m = 0; m < 3 * 60; m += 10) append(db, "a", T0 + m * 60_000);
        assertTrue(db.compactIfDue(hook).isEmpty(), "newest at 2:50: not 1.5 ranges past [0, 2 h)");
        assertEquals(List.of(), hook.events);
        append(db, "a", T0 + 3 * HOUR);
        List<BlockMeta> cut = db.compactIfDue(hook);
        assertEquals(1, cut.size());
        assertEquals(T0, cut.get(0).minTime());
        assertEquals(T0 + RANGE, cut.get(0).maxTime());
        assertEquals(T0 + RANGE, db.minValidTime(), "samples before the block's end are refused from now on");
        assertEquals(T0 + RANGE, db.head().minValidTime(), "the head refuses them");
        assertEquals(T0 + RANGE, db.head().minTime(), "the head let go of them");
        Cut c = new Cut(T0, T0 + RANGE, false);
        assertEquals(List.of("origin " + c, "written " + c, "cut " + c + " 1"), hook.events);
        assertEquals(AppendResult.OUT_OF_BOUNDS, append(db, "a", T0 + RANGE - 1));
        assertEquals(List.of(cut.get(0).ulid()), db.blocks().stream().map(b -> b.meta().ulid()).toList());
        db.close();
    }

    @Test
    void steadyTrafficIsCutOneRangeAtATime() {
        TenantDb db = db();
        int blocks = 0;
        for (int m = 0; m < 36 * 60; m += 5) {
            append(db, "a", T0 + m * 60_000L);
            for (BlockMeta b : db.compactIfDue(CutHook.NONE)) {
                blocks++;
                assertTrue(b.maxTime() - b.minTime() <= RANGE, "one range: " + b);
            }
        }
        assertEquals(17, blocks, "newest at 35:55: the ranges ending by 34 h, one by one");
        assertEquals(36 * 12, contents(db, Long.MIN_VALUE, Long.MAX_VALUE).get("a").split(" ").length);
        db.close();
    }

    @Test
    void daysOfSparseOldSamplesBecomeABlockPerDay() {
        TenantDb db = db();
        long end = T0 + 30 * DAY + 17 * 60_000; // not aligned to anything
        for (int i = 0; i < 300; i++) append(db, "a", end - (299 - i) * 2 * HOUR);
        List<BlockMeta> cut = db.compactIfDue(CutHook.NONE);
        assertTrue(cut.size() <= 5 + 1 + 24 + 1 + 5 && cut.size() >= 24, cut.size() + " blocks");
        for (BlockMeta b : cut) {
            long size = b.maxTime() % DAY == 0 ? DAY : b.maxTime() % (12 * HOUR) == 0 ? 12 * HOUR : RANGE;
            assertEquals(0, b.maxTime() % RANGE, "aligned: " + b);
            assertEquals(Math.floorDiv(b.minTime(), size), Math.floorDiv(b.maxTime() - 1, size), "inside one level: " + b);
        }
        assertTrue(cut.stream().filter(b -> b.maxTime() - b.minTime() > 12 * HOUR).count() >= 23, "days");
        assertEquals(Math.floorDiv(end - HOUR, RANGE) * RANGE, cut.get(cut.size() - 1).maxTime(), "all that is due, in one pass");
        assertEquals(300, contents(db, Long.MIN_VALUE, Long.MAX_VALUE).get("a").split(" ").length);
        db.close();
    }

    @Test
    void blockLevelsEndAtTheLargestAlignedLevelThatFits() {
        assertEquals(T0 + DAY, BlockLevels.end(T0 + HOUR, T0 + DAY, RANGE), "a day fits");
        assertEquals(T0 + 12 * HOUR, BlockLevels.end(T0 + HOUR, T0 + 13 * HOUR, RANGE), "half a day");
        assertEquals(T0 + RANGE, BlockLevels.end(T0 + HOUR, T0 + 11 * HOUR, RANGE), "one range");
        assertEquals(T0 + HOUR, BlockLevels.end(T0 + HOUR, T0 + HOUR, RANGE), "not even a range: the limit");
        assertEquals(Long.MIN_VALUE, BlockLevels.alignDown(Long.MIN_VALUE + 5, RANGE), "held, not wrapped");
        assertEquals(-RANGE, BlockLevels.alignDown(-1, RANGE));
    }

    @Test
    void outOfOrderSamplesOfRangesCutAlreadyBecomeOverlappingBlocks() throws IOException {
        TenantDb db = db();
        db.head().setOutOfOrderTimeWindow(DAY);
        for (long m = 0; m <= 4 * 60; m += 30) append(db, "a", T0 + m * 60_000);
        assertEquals(1, db.compactIfDue(CutHook.NONE).size(), "[0, 2 h)");
        assertEquals(AppendResult.OK_OUT_OF_ORDER, append(db, "b", T0 + 15 * 60_000), "before the block's end: out of order");
        assertEquals(AppendResult.OK_OUT_OF_ORDER, append(db, "a", T0 + 45 * 60_000));
        Map<String, String> before = contents(db, Long.MIN_VALUE, Long.MAX_VALUE);

        Recorder hook = new Recorder();
        for (long m = 4 * 60 + 30; m <= 6 * 60; m += 30) append(db, "a", T0 + m * 60_000);
        List<BlockMeta> cut = db.compactIfDue(hook);
        assertEquals(2, cut.size(), "the out-of-order block first, then [2 h, 4 h)");
        assertEquals(new Cut(T0, T0 + RANGE, true).toString(), hook.events.get(0).substring("origin ".length()));
        assertEquals(T0 + 15 * 60_000, cut.get(0).minTime());
        assertEquals(T0 + RANGE, cut.get(0).maxTime(), "overlaps the first block");
        assertEquals(2, cut.get(0).numSamples());
        assertFalse(hook.events.contains("written " + new Cut(T0, T0 + RANGE, true)), "only in-order cuts pause after writing");
        BlockReader ooo = db.blocks().stream().filter(b -> b.meta().ulid().equals(cut.get(0).ulid())).findFirst().orElseThrow();
        assertEquals(new BlockSidecar(Map.of("cut", "ooo-2"), true), BlockSidecar.read(ooo.dir()).orElseThrow());
        assertEquals(new BlockSidecar(Map.of("cut", "4"), false),
                BlockSidecar.read(db.blocks().get(2).dir()).orElseThrow());

        Map<String, String> after = contents(db, Long.MIN_VALUE, Long.MAX_VALUE);
        assertEquals(before.get("b"), after.get("b"));
        assertTrue(after.get("a").startsWith(before.get("a")), "every sample once, the late ones in time order");
        assertEquals("0 1800000 2700000 3600000", contents(db, T0, T0 + HOUR).get("a"));
        db.close();
    }

    @Test
    void flushCutsEverythingAndTheQuerierMergesHeadAndBlocks() {
        TenantDb db = db();
        for (long m = 0; m <= 5 * 60; m += 60) append(db, "a", T0 + m * 60_000);
        append(db, "b", T0 + HOUR);
        assertEquals(2, db.compactIfDue(CutHook.NONE).size(), "newest at 5 h: [0, 2 h) and [2 h, 4 h)");
        append(db, "b", T0 + 5 * HOUR + 1);
        assertEquals(Map.of("a", "0 3600000 7200000 10800000 14400000 18000000", "b", "3600000 18000001"),
                contents(db, Long.MIN_VALUE, Long.MAX_VALUE), "one series from block and head");
        assertEquals(Map.of("a", "18000000", "b", "18000001"), contents(db, T0 + RANGE + 3 * HOUR, Long.MAX_VALUE),
                "the head alone");
        assertEquals(Map.of("a", "3600000", "b", "3600000"), contents(db, T0 + HOUR, T0 + HOUR), "a block alone");

        List<BlockMeta> flushed = db.flush(CutHook.NONE);
        assertEquals(1, flushed.size());
        assertEquals(T0 + 5 * HOUR + 2, flushed.get(0).maxTime(), "up to the newest sample");
        assertEquals(0, db.head().numSeries(), "the head is empty");
        assertEquals(Map.of("a", "0 3600000 7200000 10800000 14400000 18000000", "b", "3600000 18000001"),
                contents(db, Long.MIN_VALUE, Long.MAX_VALUE));
        assertTrue(db.flush(CutHook.NONE).isEmpty(), "nothing left");
        db.close();
    }

    @Test
    void openingTakesTheOwnersBlocksAndStartsWhereTheyEnd() throws IOException {
        TenantDb db = db();
        for (long m = 0; m <= 7 * 60; m += 60) append(db, "a", T0 + m * 60_000);
        Recorder hook = new Recorder();
        assertEquals(3, db.compactIfDue(hook).size(), "newest at 7 h: up to 6 h");
        Map<String, String> want = contents(db, Long.MIN_VALUE, T0 + 6 * HOUR - 1);
        db.close();

        TenantDb reopened = TenantDb.open(dir, RANGE, new MappedBlocks(64),
                blockDir -> origin(blockDir).equals("2"));
        assertEquals(1, reopened.blocks().size(), "only the blocks the owner takes");
        assertEquals(T0 + RANGE, reopened.minValidTime());
        assertEquals(T0 + RANGE - 1, reopened.head().highWaterMark(), "as if the head had taken the blocks' newest sample");
        reopened.close();

        TenantDb all = TenantDb.open(dir, RANGE, new MappedBlocks(64), blockDir -> true);
        assertEquals(List.of(T0, T0 + RANGE, T0 + 2 * RANGE), all.blocks().stream().map(b -> b.meta().minTime()).toList(),
                "in time order");
        assertEquals(T0 + 3 * RANGE, all.minValidTime());
        assertEquals(T0 + 3 * RANGE, all.head().minValidTime());
        assertEquals(want, contents(all, Long.MIN_VALUE, Long.MAX_VALUE));
        all.close();

        TenantDb none = TenantDb.open(dir.resolve("missing"), RANGE, new MappedBlocks(64), blockDir -> true);
        assertEquals(Long.MIN_VALUE, none.minValidTime());
        assertEquals(Long.MIN_VALUE, none.head().highWaterMark());
    }

    private static String origin(Path blockDir) {
        try {
            return BlockSidecar.read(blockDir).orElseThrow().origin().get("cut");
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void idleBlocksBeyondTheSharedCapAreUnmapped() {
        MappedBlocks cap = new MappedBlocks(3);
        TenantDb a = new TenantDb(dir.resolve("a"), RANGE, cap);
        TenantDb b = new TenantDb(dir.resolve("b"), RANGE, cap);
        for (int i = 0; i < 4; i++) {
            for (TenantDb db : List.of(a, b)) {
                append(db, "x", T0 + i * RANGE);
                db.flush(CutHook.NONE);
            }
        }
        assertEquals(3, mapped(a) + mapped(b), "the cap holds over both databases");
        try (Querier q = a.querier(Long.MIN_VALUE, Long.MAX_VALUE)) {
            SeriesSet set = q.select(true, LabelMatcher.equal("__name__", "m"));
            assertTrue(set.next());
            int samples = 0;
            for (SampleIterator it = set.at().iterator(); it.next(); ) samples++;
            assertEquals(4, samples);
            assertEquals(4, mapped(a), "a read maps what it reads, beyond the cap, until it closes");
        }
        assertEquals(3, mapped(a) + mapped(b), "and unmaps the least recently read once closed");
        a.close();
        b.close();
    }

    private static long mapped(TenantDb db) {
        return db.blocks().stream().filter(BlockReader::isMapped).count();
    }

    @Test
    void deletedBlocksLeaveReadsAndDiskWhileReadsThatTookThemFinish() throws IOException {
        MappedBlocks cap = new MappedBlocks(64);
        TenantDb db = new TenantDb(dir, RANGE, cap);
        for (long m = 0; m <= 7 * 60; m += 60) append(db, "a", T0 + m * 60_000);
        assertEquals(3, db.compactIfDue(CutHook.NONE).size());
        BlockMeta oldest = db.blocks().get(0).meta();
        Path oldestDir = db.blocks().get(0).dir();

        // A read that took every block before the deletion, and reads its series after it.
        Querier before = db.querier(Long.MIN_VALUE, Long.MAX_VALUE);
        SeriesSet running = before.select(true, LabelMatcher.equal("__name__", "m"));

        List<BlockMeta> deleted = db.deleteBlocks(m -> m.maxTime() <= T0 + RANGE);
        assertEquals(List.of(oldest), deleted);
        assertEquals(List.of(T0 + RANGE, T0 + 2 * RANGE), db.blocks().stream().map(b -> b.meta().minTime()).toList());
        assertFalse(java.nio.file.Files.exists(oldestDir), "the directory is gone");
        assertFalse(java.nio.file.Files.exists(dir.resolve(oldest.ulid() + TenantDb.DELETING_SUFFIX)));

        assertTrue(running.next());
        int samples = 0;
        for (SampleIterator it = running.at().iterator(); it.next(); ) samples++;
        assertEquals(8, samples, "the running read still reads the deleted block's samples (0 h to 7 h)");
        before.close();

        assertEquals(Map.of("a", "7200000 10800000 14400000 18000000 21600000 25200000"),
                contents(db, Long.MIN_VALUE, Long.MAX_VALUE), "2 h to 7 h: blocks and head without the deleted block");
        assertEquals(T0 + 3 * RANGE, db.minValidTime(), "the head still refuses what the deleted block held");
        assertEquals(List.of(), db.deleteBlocks(m -> m.ulid().equals(oldest.ulid())), "deleted once");
        db.close();

        // A deletion a crash interrupted: the renamed directory is removed when the tenant opens.
        java.nio.file.Files.createDirectories(dir.resolve(oldest.ulid() + TenantDb.DELETING_SUFFIX).resolve("chunks"));
        TenantDb reopened = TenantDb.open(dir, RANGE, cap, blockDir -> true);
        assertEquals(2, reopened.blocks().size());
        assertFalse(java.nio.file.Files.exists(dir.resolve(oldest.ulid() + TenantDb.DELETING_SUFFIX)));
        reopened.close();
    }

    @Test
    void aHeadOnlyDatabaseReadsButCutsNothing() {
        TenantDb db = new TenantDb(RANGE);
        append(db, "a", T0);
        assertEquals(Map.of("a", "0"), contents(db, Long.MIN_VALUE, Long.MAX_VALUE));
        assertThrows(IllegalStateException.class, () -> db.flush(CutHook.NONE));
        db.raiseMinValidTime(T0 + 1);
        db.raiseMinValidTime(T0);
        assertEquals(T0 + 1, db.minValidTime(), "only raised");
        assertEquals(T0 + 1, db.head().minValidTime());
    }
}
