package io.mnemo.actors.ingest;

import java.util.List;

/**
 * Kafka's KRaft controller quorum as its leader described it: which voter leads, and how far each
 * voter's copy of the metadata log is. Without a leader (a majority of voters down) no partition
 * leader can be elected nor an in-sync replica set shrunk, so a broker that dies then stops writes.
 *
 * @param leader the leading voter's id
 */
public record ControllerQuorum(int leader, List<Voter> voters) {

    /**
     * A voter's copy of the metadata log: its end offset, and how long ago it last fetched from the
     * leader (null for the leader itself, or when unknown).
     */
    public record Voter(int id, long logEndOffset, Long lastFetchMsAgo) {}

    public ControllerQuorum {
        voters = List.copyOf(voters);
    }
}
