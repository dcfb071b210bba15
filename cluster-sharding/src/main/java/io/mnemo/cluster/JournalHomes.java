package io.mnemo.cluster;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * This node's copy of which node holds which ingester journals (every node announces its own,
 * replicated by {@link JournalHomesKeeper}); read by the zones' shard allocation.
 */
public final class JournalHomes {
    private final Map<String, NodeJournals> byNode = new ConcurrentHashMap<>();

    /**
     * For the given nodes (address → actor system uid), the partitions of {@code zone} whose journal
     * each holds. A node that has not announced itself in its current incarnation is left out.
     */
    public Map<String, Set<String>> partitionsHeld(String zone, Map<String, Long> nodes) {
        Map<String, Set<String>> out = new HashMap<>();
        String prefix = zone + "/";
        nodes.forEach((node, uid) -> {
            NodeJournals j = byNode.get(node);
            if (j == null || j.uid() != uid) return;
            Set<String> partitions = new HashSet<>();
            for (String ingester : j.ingesters()) {
                if (ingester.startsWith(prefix)) partitions.add(ingester.substring(prefix.length()));
            }
            out.put(node, partitions);
        });
        return out;
    }

    public NodeJournals get(String node) {
        return byNode.get(node);
    }

    void replaceAll(Map<String, NodeJournals> replicated) {
        byNode.keySet().retainAll(replicated.keySet());
        byNode.putAll(replicated);
    }

    void put(NodeJournals journals) {
        byNode.put(journals.node(), journals);
    }
}
