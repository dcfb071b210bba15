package io.mnemo.cluster;

/**
 * The lifecycle of one ingester (one partition in one zone), as in Mimir's ring.
 * UNHEALTHY is never an ingester's own state: it is what the others see when its node is
 * unreachable or its heartbeat is too old.
 */
public enum RingState {
    /** Started, nothing recovered yet: serves nothing. */
    PENDING,
    /** Replaying its journal, then catching up on Kafka: serves nothing. */
    JOINING,
    /** Caught up (lag under threshold): serves reads. */
    ACTIVE,
    /** Shutting down or handing off: still serves reads, takes no new ownership. */
    LEAVING,
    /** Seen from elsewhere: unreachable or silent for too long. */
    UNHEALTHY;

    public boolean readable() {
        return this == ACTIVE || this == LEAVING;
    }
}
