package io.mnemo.compactor;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.mnemo.bucketstore.bucketindex.BucketIndex;
import io.mnemo.compactor.CompactionPlanner.Kind;
import io.mnemo.tsdb.block.Ulid;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

/** The planner's rules, case by case (after Thanos's planner tests and Mimir's split-merge planner tests). */
class CompactionPlannerTest {
    static final long H = 3_600_000L;
    static final long T = TestData.DAY0;
    static final Instant NOW = Instant.ofEpochMilli(T + 100 * H);
    static final long OLD = NOW.getEpochSecond() - 3600; // uploaded an hour ago: past the 25 m wait
    static final List<Duration> RANGES = List.of(Duration.ofHours(2), Duration.ofHours(12), Duration.ofHours(24));

    /** A block named n (its ULID's time), [from h, to h) of the day. */
    static BucketIndex.Block b(int n, double fromH, double toH) {
        return b(n, fromH, toH, 1, OLD, false);
    }

    static BucketIndex.Block b(int n, double fromH, double toH, int level, long uploadedAt, boolean outOfOrder) {
        return new BucketIndex.Block(id(n), T + (long) (fromH * H), T + (long) (toH * H), "", 0, uploadedAt, "",
                level == 1 ? "receive" : "compactor", level, outOfOrder);
    }

    static Ulid id(int n) {
        return Ulid.parse(String.format("01HQ3S2Z8M6V%014d", n));
    }

    /** A group as "V:1,2" or "H12:3,4,5": its kind, its range in hours (horizontal) and its blocks. */
    static String describe(CompactionPlanner.Group g) {
        StringBuilder sb = new StringBuilder(g.kind() == Kind.VERTICAL ? "V" : "H" + (g.rangeEnd() - g.rangeStart()) / H).append(':');
        List<String> ns = new ArrayList<>();
        for (Ulid u : g.ids()) ns.add(Integer.toString(Integer.parseInt(u.toString().substring(12))));
        return sb.append(String.join(",", ns)).toString();
    }

    static List<BucketIndex.Block> twoHourBlocks(int first, int fromSlot, int toSlot) {
        List<BucketIndex.Block> out = new ArrayList<>();
        for (int i = fromSlot; i < toSlot; i++) out.add(b(first + i - fromSlot, 2 * i, 2 * i + 2));
        return out;
    }

    static Stream<Arguments> cases() {
        List<BucketIndex.Block> day = twoHourBlocks(1, 0, 12);
        List<BucketIndex.Block> withCopies = new ArrayList<>(twoHourBlocks(1, 0, 3));
        withCopies.add(b(21, 0, 2));
        withCopies.add(b(22, 2, 4));
        List<BucketIndex.Block> tenHours = twoHourBlocks(1, 0, 5);
        List<BucketIndex.Block> tenHoursThenNext = new ArrayList<>(tenHours);
        tenHoursThenNext.add(b(9, 12, 14));
        return Stream.of(
                Arguments.of("nothing to do with one block", List.of(b(1, 0, 2)), List.of()),
                Arguments.of("two consecutive two-hour blocks: the 12 h range is the newest and not filled",
                        List.of(b(1, 0, 2), b(2, 2, 4)), List.of()),
                Arguments.of("overlapping blocks first: each run of overlaps is one vertical group, horizontal ones wait",
                        withCopies, List.of("V:1,21", "V:2,22")),
                Arguments.of("an out-of-order block over two in-order ones chains them into one vertical group",
                        List.of(b(1, 0, 2), b(2, 2, 4), b(3, 1, 3), b(4, 4, 6)), List.of("V:1,3,2")),
                Arguments.of("a filled 12 h range is one group even while it is the newest",
                        twoHourBlocks(1, 0, 6), List.of("H12:1,2,3,4,5,6")),
                Arguments.of("a whole day of two-hour blocks: both 12 h ranges, the 24 h one waits for them",
                        day, List.of("H12:1,2,3,4,5,6", "H12:7,8,9,10,11,12")),
                Arguments.of("the newest range is not compacted until filled", tenHours, List.of()),
                Arguments.of("a range no longer the newest is compacted with its gap", tenHoursThenNext, List.of("H12:1,2,3,4,5")),
                Arguments.of("two 12 h blocks of a day become one 24 h group",
                        List.of(b(1, 0, 12, 2, OLD, false), b(2, 12, 24, 2, OLD, false)), List.of("H24:1,2")),
                Arguments.of("a block crossing a 12 h range's end is in no 12 h group, but in the 24 h one",
                        List.of(b(1, 8, 10), b(2, 10, 14), b(3, 14, 16), b(4, 24, 26)), List.of("H24:1,2,3")),
                Arguments.of("smaller ranges go before larger ones over the same time",
                        List.of(b(1, 0, 1), b(2, 1, 2), b(3, 2, 4), b(4, 4, 6), b(5, 6, 8), b(6, 8, 10), b(7, 10, 12), b(8, 12, 14)),
                        List.of("H2:1,2")),
                Arguments.of("a fresh first-level block holds its whole group back",
                        List.of(b(1, 0, 2), b(2, 0, 2, 1, NOW.getEpochSecond() - 600, false), b(3, 4, 6), b(4, 4, 6)),
                        List.of("V:3,4")),
                Arguments.of("the wait does not apply to compacted or out-of-order blocks",
                        List.of(b(1, 0, 2, 2, NOW.getEpochSecond(), false), b(2, 0, 2, 1, NOW.getEpochSecond(), true)),
                        List.of("V:1,2")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void plans(String name, List<BucketIndex.Block> blocks, List<String> want) {
        CompactionPlanner planner = new CompactionPlanner(RANGES, Duration.ofMinutes(25), Clock.fixed(NOW, ZoneOffset.UTC));
        assertEquals(want, planner.plan(blocks).stream().map(CompactionPlannerTest::describe).toList(), name);
    }

    @Test
    void withoutAWaitAFreshBlockIsPlanned() {
        CompactionPlanner planner = new CompactionPlanner(RANGES, Duration.ZERO, Clock.fixed(NOW, ZoneOffset.UTC));
        assertEquals(List.of("V:1,2"), planner.plan(List.of(b(1, 0, 2, 1, NOW.getEpochSecond(), false),
                b(2, 0, 2, 1, NOW.getEpochSecond(), false))).stream().map(CompactionPlannerTest::describe).toList());
    }

    @Test
    void blocksMarkedForDeletionOrNoCompactAreNotCandidates() {
        CompactionPlanner planner = new CompactionPlanner(RANGES, Duration.ofMinutes(25), Clock.fixed(NOW, ZoneOffset.UTC));
        BucketIndex index = new BucketIndex(1, List.of(b(1, 0, 2), b(2, 0, 2), b(3, 0, 2), b(4, 0, 2)),
                List.of(new BucketIndex.BlockDeletionMark(id(1), OLD)), OLD);
        assertEquals(List.of("V:2,3"), planner.plan(index, Set.of(id(4))).stream().map(CompactionPlannerTest::describe).toList());
        assertEquals(List.of(), planner.plan(index, Set.of(id(3), id(4))));
    }
}
