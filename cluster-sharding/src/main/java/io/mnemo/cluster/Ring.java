package io.mnemo.cluster;

import java.time.Duration;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * This node's copy of the replicated ring: the last entry of every ingester, kept current by the
 * {@link RingKeeper}, read by the querier and the ring pages without asking any actor.
 */
public final class Ring {
    private final Map<String, IngesterDesc> entries = new ConcurrentHashMap<>();
    private final Supplier<Set<String>> unreachableNodes;
    private final Duration heartbeatTimeout;

    public Ring(Supplier<Set<String>> unreachableNodes, Duration heartbeatTimeout) {
        this.unreachableNodes = unreachableNodes;
        this.heartbeatTimeout = heartbeatTimeout;
    }

    public RingView view() {
        return new RingView(entries.values(), new HashSet<>(unreachableNodes.get()), System.currentTimeMillis(),
                heartbeatTimeout);
    }

    public Duration heartbeatTimeout() {
        return heartbeatTimeout;
    }

    /** Replaces this node's copy with the replicated map. */
    void replaceAll(Map<String, IngesterDesc> replicated, Map<String, IngesterDesc> localNewer) {
        entries.keySet().retainAll(replicated.keySet());
        entries.putAll(replicated);
        // Local ingesters' own latest reports win over a replicated copy that may lag behind them.
        localNewer.forEach((k, v) -> entries.merge(k, v, (a, b) -> a.heartbeatMillis() >= b.heartbeatMillis() ? a : b));
    }

    void put(IngesterDesc desc) {
        entries.merge(desc.key(), desc, (a, b) -> a.heartbeatMillis() > b.heartbeatMillis() ? a : b);
    }

    void remove(String key) {
        entries.remove(key);
    }
}
