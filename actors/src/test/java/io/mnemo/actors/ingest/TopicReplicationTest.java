package io.mnemo.actors.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class TopicReplicationTest {
    static TopicReplication.Partition p(int partition, int leader, List<Integer> isr) {
        return new TopicReplication.Partition(partition, leader, List.of(1, 2, 3), isr);
    }

    static TopicReplication topic(TopicReplication.Partition... partitions) {
        return new TopicReplication("mnemo-ingest", List.of(partitions), 2, List.of(1, 2, 3), "id", Instant.EPOCH);
    }

    @Test
    void allInSyncTakesWrites() {
        TopicReplication t = topic(p(0, 1, List.of(1, 2, 3)), p(1, 2, List.of(2, 3, 1)));
        assertEquals(Optional.empty(), t.writeProblem());
        assertEquals(0, t.underReplicatedPartitions());
        assertEquals(0, t.underMinIsrPartitions());
    }

    @Test
    void oneReplicaOutIsUnderReplicatedButTakesWrites() {
        TopicReplication t = topic(p(0, 1, List.of(1, 2)), p(1, 2, List.of(2, 1)));
        assertEquals(Optional.empty(), t.writeProblem());
        assertEquals(2, t.underReplicatedPartitions());
        assertEquals(0, t.underMinIsrPartitions());
    }

    @Test
    void fewerInSyncThanTheMinimumStopsWritesAndSaysWhere() {
        TopicReplication t = topic(p(0, 1, List.of(1, 2)), p(1, 1, List.of(1)));
        assertEquals(1, t.underMinIsrPartitions());
        String problem = t.writeProblem().orElseThrow();
        assertTrue(problem.contains("partition 1 has 1 in-sync replica [1]") && problem.contains("min.insync.replicas = 2"),
                problem);
    }

    @Test
    void aPartitionWithoutLeaderStopsWrites() {
        TopicReplication t = topic(p(0, 1, List.of(1, 2, 3)), p(1, TopicReplication.NO_LEADER, List.of(3)),
                p(2, TopicReplication.NO_LEADER, List.of(3)));
        assertEquals(2, t.offlinePartitions());
        String problem = t.writeProblem().orElseThrow();
        assertTrue(problem.contains("partitions 1, 2 of mnemo-ingest have no leader"), problem);
    }
}
