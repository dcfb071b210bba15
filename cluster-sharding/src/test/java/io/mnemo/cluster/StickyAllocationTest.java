package io.mnemo.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class StickyAllocationTest {
    static final StickyAllocation FOUR = new StickyAllocation(4);

    static Map<String, List<String>> alloc(Object... nodeAndShards) {
        Map<String, List<String>> out = new TreeMap<>();
        for (int i = 0; i < nodeAndShards.length; i += 2) {
            out.put((String) nodeAndShards[i], List.of(((String) nodeAndShards[i + 1]).split(",")).stream()
                    .filter(s -> !s.isEmpty()).toList());
        }
        return out;
    }

    static Map<String, Set<String>> homes(Object... nodeAndShards) {
        Map<String, Set<String>> out = new HashMap<>();
        alloc(nodeAndShards).forEach((n, s) -> out.put(n, new HashSet<>(s)));
        return out;
    }

    @Test
    void shardGoesBackToTheNodeHoldingItsJournal() {
        // n1 holds the journals of 0 and 1, n3 of 2 and 3: a cold start puts each shard at home.
        Map<String, Set<String>> homes = homes("n1", "0,1", "n3", "2,3");
        Map<String, List<String>> current = alloc("n1", "", "n3", "");
        for (String shard : List.of("0", "1", "2", "3")) {
            String node = FOUR.allocate(shard, current, homes);
            List<String> shards = new ArrayList<>(current.get(node));
            shards.add(shard);
            current.put(node, shards);
        }
        assertEquals(alloc("n1", "0,1", "n3", "2,3"), current);
    }

    @Test
    void shardWithoutJournalGoesToTheLeastLoadedNode() {
        assertEquals("n2", FOUR.allocate("3", alloc("n1", "0,1", "n2", "2"), homes("n1", "", "n2", "")));
        // homes not known yet: least loaded as well
        assertEquals("n2", FOUR.allocate("3", alloc("n1", "0,1", "n2", "2"), Map.of()));
    }

    @Test
    void homeIsSkippedWhenItWouldMakeTheSpreadUneven() {
        // n1 holds every journal (it hosted all partitions once) but already has its fair share.
        Map<String, Set<String>> homes = homes("n1", "0,1,2,3", "n2", "");
        assertEquals("n2", FOUR.allocate("2", alloc("n1", "0,1", "n2", ""), homes));
        assertEquals("n1", FOUR.allocate("1", alloc("n1", "0", "n2", "2,3"), homes));
        // Two holders: the one with room wins.
        assertEquals("n2", FOUR.allocate("3", alloc("n1", "0,1", "n2", "2"), homes("n1", "3", "n2", "3")));
    }

    @Test
    void oddSplitLetsOnlyTheRemainderOfNodesHaveOneMore() {
        // 4 shards on 3 nodes: one node may have 2. n1 already has 2, so n2 (home of 3) may not.
        StickyAllocation a = FOUR;
        Map<String, Set<String>> homes = homes("n1", "", "n2", "3", "n3", "");
        assertEquals("n3", a.allocate("3", alloc("n1", "0,1", "n2", "2", "n3", ""), homes));
        assertEquals("n2", a.allocate("3", alloc("n1", "0", "n2", "2", "n3", "1"), homes));
    }

    @Test
    void restartedNodeGetsItsOwnShardsBack() {
        // n3 died, n1 took over 2 and 3; n3 is back, still holding the journals of 2 and 3.
        Map<String, List<String>> current = alloc("n1", "0,1,2,3", "n3", "");
        Map<String, Set<String>> homes = homes("n1", "0,1,2,3", "n3", "2,3");
        assertEquals(Set.of("2", "3"), FOUR.rebalance(current, homes));
        // The coordinator then allocates each moved shard while the others stay where they are.
        assertEquals("n3", FOUR.allocate("2", alloc("n1", "0,1,3", "n3", ""), homes));
        assertEquals("n3", FOUR.allocate("3", alloc("n1", "0,1", "n3", "2"), homes));
    }

    @Test
    void rebalanceMovesOnlyTheExcessPreferringShardsAwayFromHome() {
        // n1 holds 4 shards, is home of 0 and 1 only: 2 and 3 are not at home there, they move first.
        Set<String> moved = FOUR.rebalance(alloc("n1", "0,1,2,3", "n2", ""), homes("n1", "0,1", "n2", ""));
        assertEquals(Set.of("2", "3"), moved);
        // 8 shards on 3 nodes: 3/3/2 at best, so two of n1's five move and none of n2's three.
        StickyAllocation eight = new StickyAllocation(8);
        Set<String> two = eight.rebalance(alloc("n1", "0,1,2,3,4", "n2", "5,6,7", "n3", ""),
                homes("n1", "0,1,2,3,4", "n2", "5,6,7", "n3", ""));
        assertEquals(2, two.size(), two.toString());
        assertTrue(Set.of("0", "1", "2", "3", "4").containsAll(two), two.toString());
        // A shard whose journal is on the receiver goes before one at home on the donor.
        assertEquals(Set.of("4", "0"), eight.rebalance(alloc("n1", "0,1,2,3,4", "n2", "5,6,7", "n3", ""),
                homes("n1", "0,1,2,3,4", "n2", "5,6,7", "n3", "4")));
    }

    @Test
    void evenSpreadIsLeftAloneEvenWithShardsAwayFromHome() {
        // Every shard sits on the "wrong" node, but swapping would not make the spread more even.
        assertEquals(Set.of(), FOUR.rebalance(alloc("n1", "2,3", "n2", "0,1"), homes("n1", "0,1", "n2", "2,3")));
        assertEquals(Set.of(), FOUR.rebalance(alloc("n1", "0,1", "n2", "2", "n3", "3"), homes("n1", "", "n2", "", "n3", "")));
    }

    @Test
    void rebalanceWaitsUntilEveryNodeHasSaidWhichJournalsItHolds() {
        Map<String, List<String>> current = alloc("n1", "0,1,2,3", "n3", "");
        assertEquals(Set.of(), FOUR.rebalance(current, homes("n1", "0,1,2,3")));
        assertEquals(2, FOUR.rebalance(current, homes("n1", "0,1,2,3", "n3", "")).size());
    }

    @Test
    void rebalanceThenAllocateConvergesToAnEvenSpreadFromAnyStart() {
        // Brute force over small clusters: repeat rebalance + allocate until stable; always even.
        java.util.Random random = new java.util.Random(42);
        for (int round = 0; round < 500; round++) {
            int partitions = 1 + random.nextInt(12);
            int nodes = 1 + random.nextInt(5);
            StickyAllocation a = new StickyAllocation(partitions);
            Map<String, List<String>> current = new TreeMap<>();
            Map<String, Set<String>> homes = new HashMap<>();
            for (int n = 0; n < nodes; n++) {
                current.put("n" + n, new ArrayList<>());
                homes.put("n" + n, new HashSet<>());
            }
            for (int p = 0; p < partitions; p++) {
                current.get("n" + random.nextInt(nodes)).add(Integer.toString(p));
                homes.get("n" + random.nextInt(nodes)).add(Integer.toString(p));
            }
            for (int step = 0; step < 10; step++) {
                Set<String> moves = a.rebalance(current, homes);
                if (moves.isEmpty()) break;
                current.values().forEach(l -> l.removeAll(moves));
                for (String shard : moves) current.get(a.allocate(shard, current, homes)).add(shard);
            }
            int max = current.values().stream().mapToInt(List::size).max().orElseThrow();
            int min = current.values().stream().mapToInt(List::size).min().orElseThrow();
            assertTrue(max - min <= 1, "round " + round + ": " + current);
            assertEquals(partitions, current.values().stream().mapToInt(List::size).sum());
        }
    }
}
