package io.mnemo.cluster;

import io.mnemo.persistence.MnemoSerializable;

/**
 * One ingester's entry in the ring, as the ingester itself last reported it: its own state (and the
 * one before, so that a transition such as JOINING → ACTIVE stays visible), the node it runs on,
 * when it last said so, and how far behind its partition it is. {@code resumedOffset} is where this
 * incarnation resumed consuming once recovered from what its node holds (journal, blocks): 0 when
 * it had nothing there and rebuilt from Kafka; -1 while unknown. Its node's {@link RingKeeper}
 * fills it in from the ingester's first JOINING report. {@code minTime} is the oldest sample the
 * ingester holds (heads and local blocks, all tenants; {@link Long#MAX_VALUE} when none), so that
 * queriers ask ingesters for older times than {@code query-ingesters-within} when they still hold
 * samples there (backfilled ones not shipped yet).
 */
public record IngesterDesc(IngesterId id, RingState state, RingState previousState, String node, long heartbeatMillis,
                           long lag, long nextOffset, long resumedOffset, long minTime) implements MnemoSerializable {

    public IngesterDesc(IngesterId id, RingState state, RingState previousState, String node, long heartbeatMillis,
                        long lag, long nextOffset) {
        this(id, state, previousState, node, heartbeatMillis, lag, nextOffset, -1, Long.MAX_VALUE);
    }

    public IngesterDesc(IngesterId id, RingState state, RingState previousState, String node, long heartbeatMillis,
                        long lag, long nextOffset, long resumedOffset) {
        this(id, state, previousState, node, heartbeatMillis, lag, nextOffset, resumedOffset, Long.MAX_VALUE);
    }

    /** The report of an ingester that has just recovered (it enters JOINING only from PENDING). */
    public boolean justRecovered() {
        return state == RingState.JOINING && previousState == RingState.PENDING;
    }

    public IngesterDesc withResumedOffset(long offset) {
        return new IngesterDesc(id, state, previousState, node, heartbeatMillis, lag, nextOffset, offset, minTime);
    }

    /** The key of this entry in the replicated ring map. */
    public String key() {
        return id.zone() + "/" + id.partition();
    }
}
