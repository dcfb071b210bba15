package io.mnemo.server.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import io.mnemo.server.MnemoConfig;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class KafkaSetupTest {
    static final Path EXAMPLE = Path.of("../conf/examples/vm-cluster");

    static Config load(Path file, Map<String, Object> overrides) {
        return MnemoConfig.load(file, overrides);
    }

    @Test
    void aSingleNodeRunsItsOwnBrokerWithOneCopy() {
        KafkaSetup setup = KafkaSetup.from(load(null, Map.of()));
        assertTrue(setup.runsBroker());
        assertEquals(Optional.empty(), setup.quorum());
        assertEquals(Replication.SINGLE, setup.replication());
        assertThrows(IllegalArgumentException.class,
                () -> KafkaSetup.from(load(null, Map.of("mnemo.kafka.replication-factor", 3))));
    }

    @Test
    void theExampleClusterIsAQuorumOfThreeWithTwoInSyncCopies() {
        KafkaSetup node1 = KafkaSetup.from(load(EXAMPLE.resolve("node1.conf"), Map.of()));
        KafkaSetup node3 = KafkaSetup.from(load(EXAMPLE.resolve("node3.conf"), Map.of()));
        assertTrue(node1.runsBroker());
        assertEquals(new Replication((short) 3, 2), node1.replication());
        assertEquals(Map.of("min.insync.replicas", "2"), node1.replication().topicConfigs());
        // Clients of every node know every broker.
        assertEquals("127.0.0.1:9092,127.0.0.1:9094,127.0.0.1:9096", node1.bootstrapServers(null));
        assertEquals(node1.bootstrapServers(null), node3.bootstrapServers(null));
        // Every voter is formatted with the same cluster id, without talking to the others.
        assertEquals(node1.quorum().orElseThrow().clusterId(), node3.quorum().orElseThrow().clusterId());
        assertEquals("1@127.0.0.1:9093,2@127.0.0.1:9095,3@127.0.0.1:9097", node1.quorum().orElseThrow().votersProperty());
        // A node of the cluster without a voter of its own uses the quorum's brokers.
        KafkaSetup client = KafkaSetup.from(load(EXAMPLE.resolve("node1.conf"), Map.of("mnemo.kafka.embedded.node-id", 0)));
        assertFalse(client.runsBroker());
        assertEquals(node1.bootstrapServers(null), client.bootstrapServers(null));
    }

    @Test
    void contradictionsAreNamed() {
        var external = assertThrows(IllegalArgumentException.class, () -> KafkaSetup.from(load(EXAMPLE.resolve("node1.conf"),
                Map.of("mnemo.kafka.bootstrap-servers", "kafka:9092"))));
        assertTrue(external.getMessage().contains("mnemo.kafka.bootstrap-servers"), external.getMessage());
        var notAVoter = assertThrows(IllegalArgumentException.class, () -> KafkaSetup.from(load(EXAMPLE.resolve("node1.conf"),
                Map.of("mnemo.kafka.embedded.node-id", 4))));
        assertTrue(notAVoter.getMessage().contains("node-id = 4"), notAVoter.getMessage());
        var tooMany = assertThrows(IllegalArgumentException.class, () -> KafkaSetup.from(load(EXAMPLE.resolve("node1.conf"),
                Map.of("mnemo.kafka.min-insync-replicas", 4))));
        assertTrue(tooMany.getMessage().contains("min-insync-replicas"), tooMany.getMessage());
    }

    @Test
    void anExternalClusterKeepsItsOwnDefaultsUnlessAFactorIsGiven() {
        KafkaSetup external = KafkaSetup.from(load(null, Map.of("mnemo.kafka.bootstrap-servers", "a:9092,b:9092")));
        assertFalse(external.runsBroker());
        assertEquals("a:9092,b:9092", external.bootstrapServers(null));
        assertEquals(Optional.empty(), external.replication().topicFactor());
        assertEquals(Map.of(), external.replication().topicConfigs());
        assertEquals(new Replication((short) 3, 2), Replication.resolve(3, 0, 0));
    }

    @Test
    void theDerivedClusterIdDependsOnTheVoters() {
        KafkaQuorum a = new KafkaQuorum(List.of(new KafkaQuorum.Voter(1, "h1", 9092, 9093),
                new KafkaQuorum.Voter(2, "h2", 9092, 9093)), Optional.empty());
        KafkaQuorum sameInOtherOrder = new KafkaQuorum(List.of(new KafkaQuorum.Voter(2, "h2", 9092, 9093),
                new KafkaQuorum.Voter(1, "h1", 9092, 9093)), Optional.empty());
        KafkaQuorum moved = new KafkaQuorum(List.of(new KafkaQuorum.Voter(1, "h1", 9092, 9093),
                new KafkaQuorum.Voter(2, "h3", 9092, 9093)), Optional.empty());
        assertEquals(a.clusterId(), sameInOtherOrder.clusterId());
        assertNotEquals(a.clusterId(), moved.clusterId());
        assertEquals(22, a.clusterId().length());
        assertEquals(a.clusterId(), new KafkaQuorum(moved.voters(), Optional.of(a.clusterId())).clusterId());
        assertThrows(IllegalArgumentException.class, () -> new KafkaQuorum(a.voters(), Optional.of("not-an-id")));
        assertThrows(IllegalArgumentException.class, () -> new KafkaQuorum(List.of(new KafkaQuorum.Voter(1, "h1", 9092, 9093),
                new KafkaQuorum.Voter(1, "h2", 9092, 9093)), Optional.empty()));
    }
}
