package io.mnemo.actors.ingest;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * A topic's partitions as Kafka's metadata described them at one moment: each one's leader,
 * replicas and in-sync replicas, the topic's {@code min.insync.replicas}, and the brokers alive.
 * A producer with {@code acks=all} can write to a partition only while it has a leader and at
 * least {@code min.insync.replicas} replicas in sync.
 *
 * @param minInsyncReplicas the topic's effective {@code min.insync.replicas}
 * @param liveBrokers       ids of the brokers the cluster counts as alive (registered, not fenced)
 */
public record TopicReplication(String topic, List<Partition> partitions, int minInsyncReplicas, List<Integer> liveBrokers,
                               String clusterId, Instant describedAt) {

    /** No leader: {@link Partition#leader()} of a partition whose replicas are all out of reach. */
    public static final int NO_LEADER = -1;

    /** One partition: its leader's broker id ({@link #NO_LEADER} when none), assigned replicas and in-sync ones. */
    public record Partition(int partition, int leader, List<Integer> replicas, List<Integer> inSyncReplicas) {
        public boolean hasLeader() {
            return leader != NO_LEADER;
        }

        /** Fewer replicas in sync than assigned: a copy is missing or behind (Kafka's UnderReplicatedPartitions). */
        public boolean underReplicated() {
            return inSyncReplicas.size() < replicas.size();
        }
    }

    public TopicReplication {
        partitions = List.copyOf(partitions);
        liveBrokers = List.copyOf(liveBrokers);
    }

    public long underReplicatedPartitions() {
        return partitions.stream().filter(Partition::underReplicated).count();
    }

    /** Partitions that refuse {@code acks=all} writes for too few in-sync replicas (Kafka's UnderMinIsrPartitionCount). */
    public long underMinIsrPartitions() {
        return partitions.stream().filter(p -> p.inSyncReplicas().size() < minInsyncReplicas).count();
    }

    /** Partitions without a leader (Kafka's OfflinePartitionsCount): nothing can be written to or read from them. */
    public long offlinePartitions() {
        return partitions.stream().filter(p -> !p.hasLeader()).count();
    }

    /** Why a write to the topic would fail now, naming the partitions; empty when every partition takes writes. */
    public Optional<String> writeProblem() {
        List<Partition> leaderless = partitions.stream().filter(p -> !p.hasLeader()).toList();
        if (!leaderless.isEmpty()) {
            return Optional.of("Kafka cannot take writes: " + (leaderless.size() == 1 ? "partition " : "partitions ")
                    + leaderless.stream().map(p -> Integer.toString(p.partition())).collect(Collectors.joining(", "))
                    + " of " + topic + " " + (leaderless.size() == 1 ? "has" : "have") + " no leader (live brokers: "
                    + liveBrokers + ")");
        }
        List<Partition> underMin = partitions.stream().filter(p -> p.inSyncReplicas().size() < minInsyncReplicas).toList();
        if (!underMin.isEmpty()) {
            return Optional.of("Kafka cannot take writes: " + underMin.stream()
                    .map(p -> "partition " + p.partition() + " has " + p.inSyncReplicas().size() + " in-sync "
                            + (p.inSyncReplicas().size() == 1 ? "replica " : "replicas ") + p.inSyncReplicas())
                    .collect(Collectors.joining(", ")) + " of " + topic + ", fewer than min.insync.replicas = "
                    + minInsyncReplicas + " (live brokers: " + liveBrokers + ")");
        }
        return Optional.empty();
    }
}
