package io.mnemo.cluster;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Where one zone's ingester shards (one per partition) live: the decisions only, on plain node and
 * shard names, so that they can be checked without a cluster.
 *
 * <p>A shard goes back to a node that holds its journal (its "home": replaying it is much cheaper
 * than rebuilding from Kafka) as long as that keeps the spread even, and to the least-loaded node
 * otherwise. Rebalancing evens the spread to at most one shard of difference, moving as few shards
 * as it can and preferring those that go home; it never moves a shard when the spread is already
 * even, even if that shard is away from home.
 *
 * <p>{@code homes} maps a node to the shards whose journal it holds; a node missing from it has not
 * said yet.
 */
public final class StickyAllocation {
    private static final Comparator<String> SHARD_ORDER = Comparator.comparingInt(String::length)
            .thenComparing(Comparator.naturalOrder());

    private final int partitions;

    /** @param partitions how many shards the entity type has in all (one per Kafka partition) */
    public StickyAllocation(int partitions) {
        this.partitions = partitions;
    }

    /**
     * The node a shard should start on.
     *
     * @param shardsByNode every node that may host it, with the shards it hosts now (possibly none)
     */
    public String allocate(String shard, Map<String, ? extends Collection<String>> shardsByNode,
                           Map<String, ? extends Set<String>> homes) {
        if (shardsByNode.isEmpty()) throw new IllegalArgumentException("no node to allocate shard " + shard + " to");
        TreeMap<String, Integer> counts = counts(shardsByNode);
        int allocated = counts.values().stream().mapToInt(Integer::intValue).sum();
        int total = Math.max(partitions, allocated + 1);
        int nodes = counts.size();
        int floor = total / nodes;
        long atCeiling = counts.values().stream().filter(c -> c > floor).count();
        long extraSlotsLeft = total % nodes - atCeiling;

        String best = null;
        for (Map.Entry<String, Integer> e : counts.entrySet()) {
            Set<String> home = homes.get(e.getKey());
            if (home == null || !home.contains(shard)) continue;
            int c = e.getValue();
            boolean keepsEven = c + 1 <= floor || (c == floor && extraSlotsLeft > 0);
            if (keepsEven && (best == null || c < counts.get(best))) best = e.getKey();
        }
        return best != null ? best : leastLoaded(counts);
    }

    /**
     * The shards to move so that no node has more than one shard more than another; empty when the
     * spread is already that even, or while some node's homes are unknown (moving then could send a
     * shard away from the journal that node is about to announce).
     */
    public Set<String> rebalance(Map<String, ? extends Collection<String>> shardsByNode,
                                 Map<String, ? extends Set<String>> homes) {
        if (shardsByNode.size() < 2) return Set.of();
        TreeMap<String, Integer> counts = counts(shardsByNode);
        int max = counts.values().stream().mapToInt(Integer::intValue).max().orElse(0);
        int min = counts.values().stream().mapToInt(Integer::intValue).min().orElse(0);
        if (max - min <= 1) return Set.of();
        for (String node : counts.keySet()) if (!homes.containsKey(node)) return Set.of();

        int total = counts.values().stream().mapToInt(Integer::intValue).sum();
        int floor = total / counts.size();
        int extra = total % counts.size();
        // The fullest nodes keep the extra shards the division leaves over: fewest moves.
        List<String> byLoad = new ArrayList<>(counts.keySet());
        byLoad.sort(Comparator.comparingInt((String n) -> -counts.get(n)).thenComparing(Comparator.naturalOrder()));
        Map<String, Integer> target = new HashMap<>();
        for (int i = 0; i < byLoad.size(); i++) target.put(byLoad.get(i), floor + (i < extra ? 1 : 0));
        Map<String, Integer> room = new TreeMap<>();
        for (String node : byLoad) {
            int free = target.get(node) - counts.get(node);
            if (free > 0) room.put(node, free);
        }

        Set<String> moves = new LinkedHashSet<>();
        for (String donor : byLoad) {
            int excess = counts.get(donor) - target.get(donor);
            if (excess <= 0) continue;
            List<String> shards = new ArrayList<>(shardsByNode.get(donor));
            shards.sort(SHARD_ORDER);
            // First the shards another node with room holds the journal of (they go home) ...
            for (String shard : shards) {
                if (excess == 0) break;
                String home = homeWithRoom(shard, room, homes);
                if (home == null) continue;
                room.merge(home, -1, Integer::sum);
                moves.add(shard);
                excess--;
            }
            // ... then those away from home anyway, and only then shards at home on the donor.
            for (boolean atHome : new boolean[] {false, true}) {
                for (String shard : shards) {
                    if (excess == 0) break;
                    if (moves.contains(shard) || homes.get(donor).contains(shard) != atHome) continue;
                    moves.add(shard);
                    excess--;
                }
            }
        }
        return moves;
    }

    private static String homeWithRoom(String shard, Map<String, Integer> room, Map<String, ? extends Set<String>> homes) {
        for (Map.Entry<String, Integer> r : room.entrySet()) {
            if (r.getValue() > 0 && homes.get(r.getKey()).contains(shard)) return r.getKey();
        }
        return null;
    }

    private static TreeMap<String, Integer> counts(Map<String, ? extends Collection<String>> shardsByNode) {
        TreeMap<String, Integer> counts = new TreeMap<>();
        shardsByNode.forEach((node, shards) -> counts.put(node, shards.size()));
        return counts;
    }

    private static String leastLoaded(TreeMap<String, Integer> counts) {
        String best = null;
        for (Map.Entry<String, Integer> e : counts.entrySet()) {
            if (best == null || e.getValue() < counts.get(best)) best = e.getKey();
        }
        return best;
    }
}
