package io.mnemo.cluster;

import io.mnemo.persistence.MnemoSerializable;

/**
 * One ingester's entry in the ring, as the ingester itself last reported it: its own state (and the
 * one before, so that a transition such as JOINING → ACTIVE stays visible), the node it runs on,
 * when it last said so, and how far behind its partition it is. {@code resumedOffset} is where this
 * incarnation resumed consuming once recovered from what its node holds (journal, blocks): 0 when
 * it had nothing there and rebuilt from Kafka; -1 while unknown. Its node's {@link RingKeeper}
 * fills it in from the ingester's first JOINING report.
 */
public record IngesterDesc(IngesterId id, RingState state, RingState previousState, String node, long heartbeatMillis,
                           long lag, long nextOffset, long resumedOffset) implements MnemoSerializable {

    public IngesterDesc(IngesterId id, RingState state, RingState previousState, String node, long heartbeatMillis,
                        long lag, long nextOffset) {
        this(id, state, previousState, node, heartbeatMillis, lag, nextOffset, -1);
    }

    /** The report of an ingester that has just recovered (it enters JOINING only from PENDING). */
    public boolean justRecovered() {
        return state == RingState.JOINING && previousState == RingState.PENDING;
    }

    public IngesterDesc withResumedOffset(long offset) {
        return new IngesterDesc(id, state, previousState, node, heartbeatMillis, lag, nextOffset, offset);
    }

    /** The key of this entry in the replicated ring map. */
    public String key() {
        return id.zone() + "/" + id.partition();
    }
}
