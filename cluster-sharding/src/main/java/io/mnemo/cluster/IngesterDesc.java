package io.mnemo.cluster;

import io.mnemo.persistence.MnemoSerializable;

/**
 * One ingester's entry in the ring, as the ingester itself last reported it: its own state (and the
 * one before, so that a transition such as JOINING → ACTIVE stays visible), the node it runs on,
 * when it last said so, and how far behind its partition it is.
 */
public record IngesterDesc(IngesterId id, RingState state, RingState previousState, String node, long heartbeatMillis,
                           long lag, long nextOffset) implements MnemoSerializable {

    /** The key of this entry in the replicated ring map. */
    public String key() {
        return id.zone() + "/" + id.partition();
    }
}
