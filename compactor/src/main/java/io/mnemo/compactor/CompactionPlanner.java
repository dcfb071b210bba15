package io.mnemo.compactor;

import io.mnemo.bucketstore.bucketindex.BucketIndex;
import io.mnemo.tsdb.block.Ulid;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Set;

/**
 * Which of a tenant's blocks to merge, from its bucket index: the groups one compaction pass
 * runs, each merged into one block. Blocks marked for deletion or no-compact are not candidates.
 *
 * <ol>
 *   <li><b>Vertical</b>: blocks whose time ranges overlap, chained (Thanos's
 *       {@code selectOverlappingMetas}, every such run, not only the first): both zones' copies of a
 *       partition's block, every partition's blocks of the same range (a tenant's series are spread
 *       over partitions), out-of-order blocks over in-order ones. Each run is one group.</li>
 *   <li><b>Horizontal</b>, per block range ascending (Mimir's split-and-merge planner without
 *       splitting, which the smallest range included): the candidates are split into aligned ranges
 *       of that length (a block that crosses the range's end is in none); a range with two blocks or
 *       more is a group, unless it overlaps a group planned already (vertical first, then smaller
 *       ranges: blocks are merged level by level over passes).</li>
 *   <li><b>The newest range waits until filled</b>: a horizontal group whose blocks do not span its
 *       whole range is kept only if its range ends at or before the newest block's end (Mimir's
 *       rule; Thanos's planner also holds back the newest block itself, which would keep a
 *       tenant's last day in 12 h blocks until a block of the next day arrives).</li>
 *   <li><b>First-level wait</b>: a group holding a level-1 block that is in order and was
 *       uploaded less than {@code first-level-compaction-wait-period} ago waits whole (Mimir's
 *       {@code jobWaitPeriodElapsed}): merging without the copies still being uploaded would
 *       only merge again later.</li>
 * </ol>
 *
 * Groups come out vertical first, then by range length, oldest first (Mimir's order: duplicates
 * go soonest, and older ranges are more likely complete).
 */
public final class CompactionPlanner {
    private final long[] ranges;
    private final Duration firstLevelWait;
    private final Clock clock;

    public CompactionPlanner(List<Duration> blockRanges, Duration firstLevelWait, Clock clock) {
        this.ranges = blockRanges.stream().mapToLong(Duration::toMillis).toArray();
        this.firstLevelWait = firstLevelWait;
        this.clock = clock;
    }

    public CompactionPlanner(CompactorConfig config, Clock clock) {
        this(config.blockRanges(), config.firstLevelCompactionWaitPeriod(), clock);
    }

    /** What a group merges. */
    public enum Kind { VERTICAL, HORIZONTAL }

    /**
     * Blocks to merge into one.
     *
     * @param rangeStart the aligned range's start (horizontal), or the blocks' min time (vertical)
     * @param rangeEnd   the aligned range's end (horizontal), or the blocks' max time (vertical)
     * @param blocks     by min time
     */
    public record Group(Kind kind, long rangeStart, long rangeEnd, List<BucketIndex.Block> blocks) {
        public List<Ulid> ids() {
            return blocks.stream().map(BucketIndex.Block::id).toList();
        }

        long minTime() {
            return blocks.stream().mapToLong(BucketIndex.Block::minTime).min().orElseThrow();
        }

        long maxTime() {
            return blocks.stream().mapToLong(BucketIndex.Block::maxTime).max().orElseThrow();
        }

        boolean overlaps(Group o) {
            return rangeStart < o.rangeEnd && o.rangeStart < rangeEnd;
        }
    }

    /** The groups to run now for the index's blocks, those marked for deletion and {@code noCompact} left out. */
    public List<Group> plan(BucketIndex index, Set<Ulid> noCompact) {
        Set<Ulid> marked = index.markedForDeletion();
        return plan(index.blocks().stream().filter(b -> !marked.contains(b.id()) && !noCompact.contains(b.id())).toList());
    }

    /** The groups to run now among these candidates. */
    public List<Group> plan(Collection<BucketIndex.Block> candidates) {
        List<BucketIndex.Block> blocks = new ArrayList<>(candidates);
        if (blocks.size() < 2) return List.of();
        blocks.sort(Comparator.comparingLong(BucketIndex.Block::minTime).thenComparing(BucketIndex.Block::id));

        List<Group> jobs = new ArrayList<>(vertical(blocks));
        for (long tr : ranges) {
            for (Group g : byRange(blocks, tr)) {
                if (g.blocks().size() < 2) continue;
                if (jobs.stream().noneMatch(g::overlaps)) jobs.add(g);
            }
        }

        long newest = blocks.stream().mapToLong(BucketIndex.Block::maxTime).max().orElseThrow();
        long waitSince = clock.instant().minus(firstLevelWait).getEpochSecond();
        List<Group> out = new ArrayList<>();
        for (Group g : jobs) {
            if (g.kind() == Kind.HORIZONTAL && g.rangeEnd() > newest && g.maxTime() - g.minTime() != g.rangeEnd() - g.rangeStart()) {
                continue; // the newest range, not filled yet
            }
            if (!firstLevelWait.isZero() && g.blocks().stream().anyMatch(b -> b.compactionLevel() <= 1 && !b.outOfOrder()
                    && b.uploadedAt() > waitSince)) {
                continue; // a fresh ingester block: its copies may still be on their way
            }
            out.add(g);
        }
        out.sort(Comparator.comparing((Group g) -> g.kind() == Kind.HORIZONTAL)
                .thenComparingLong(g -> g.rangeEnd() - g.rangeStart())
                .thenComparingLong(Group::rangeStart));
        return out;
    }

    /** Runs of blocks (sorted by min time) that overlap one another, two blocks or more. */
    private static List<Group> vertical(List<BucketIndex.Block> blocks) {
        List<Group> out = new ArrayList<>();
        List<BucketIndex.Block> run = new ArrayList<>();
        long runMax = Long.MIN_VALUE;
        for (BucketIndex.Block b : blocks) {
            if (!run.isEmpty() && b.minTime() >= runMax) {
                if (run.size() > 1) out.add(verticalGroup(run));
                run = new ArrayList<>();
            }
            if (run.isEmpty()) runMax = b.maxTime();
            run.add(b);
            runMax = Math.max(runMax, b.maxTime());
        }
        if (run.size() > 1) out.add(verticalGroup(run));
        return out;
    }

    private static Group verticalGroup(List<BucketIndex.Block> run) {
        long min = run.stream().mapToLong(BucketIndex.Block::minTime).min().orElseThrow();
        long max = run.stream().mapToLong(BucketIndex.Block::maxTime).max().orElseThrow();
        return new Group(Kind.VERTICAL, min, max, List.copyOf(run));
    }

    /**
     * The blocks (sorted by min time) split into aligned ranges of length {@code tr}, the first at
     * 0 (Mimir's {@code groupBlocksByRange}): a block belongs to the range its min time is in if it
     * also ends in it; a block that crosses the range's end belongs to none.
     */
    static List<Group> byRange(List<BucketIndex.Block> blocks, long tr) {
        List<Group> out = new ArrayList<>();
        int i = 0;
        while (i < blocks.size()) {
            BucketIndex.Block first = blocks.get(i);
            long start = Math.floorDiv(first.minTime(), tr) * tr;
            long end = start + tr;
            if (first.maxTime() > end) { // larger than the range, or not aligned to it
                i++;
                continue;
            }
            List<BucketIndex.Block> in = new ArrayList<>();
            for (; i < blocks.size() && blocks.get(i).minTime() < end; i++) {
                if (blocks.get(i).maxTime() <= end) in.add(blocks.get(i));
            }
            if (!in.isEmpty()) out.add(new Group(Kind.HORIZONTAL, start, end, List.copyOf(in)));
        }
        return out;
    }
}
