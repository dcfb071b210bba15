package io.mnemo.server.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three embedded voters in one JVM form a KRaft quorum: Mnemo's topic gets three replicas and
 * min.insync.replicas 2, writes go on with one voter stopped, and a voter whose directory was
 * wiped is formatted with the quorum's cluster id again and catches up until it is in sync.
 */
class EmbeddedKafkaQuorumTest {
    private static final String TOPIC = "mnemo-ingest";
    private static final int PARTITIONS = 4;
    private static final Duration TIMEOUT = Duration.ofSeconds(90);

    @TempDir
    Path dir;

    @Test
    void threeVotersReplicateAndAWipedVoterCatchesUp() throws Exception {
        List<KafkaQuorum.Voter> list = new ArrayList<>();
        for (int id = 1; id <= 3; id++) list.add(new KafkaQuorum.Voter(id, "127.0.0.1", freePort(), freePort()));
        KafkaQuorum quorum = new KafkaQuorum(list, Optional.empty());
        Replication replication = Replication.resolve(0, 0, quorum.size());
        assertEquals(new Replication((short) 3, 2), replication);

        // Each voter waits in startVoter for a majority: start them together.
        List<CompletableFuture<EmbeddedKafka>> starting = new ArrayList<>();
        for (int id = 1; id <= 3; id++) {
            int nodeId = id;
            starting.add(CompletableFuture.supplyAsync(() -> EmbeddedKafka.startVoter(kafkaDir(nodeId), quorum, nodeId,
                    replication, Map.of(), TIMEOUT)));
        }
        EmbeddedKafka[] voters = new EmbeddedKafka[4];
        try {
            for (int id = 1; id <= 3; id++) voters[id] = starting.get(id - 1).get(2, TimeUnit.MINUTES);
            String bootstrap = quorum.bootstrapServers();
            for (int id = 1; id <= 3; id++) {
                assertEquals(quorum.clusterId(), voters[id].clusterId());
                assertEquals(quorum.clusterId(), metaProperties(kafkaDir(id)).getProperty("cluster.id"));
            }

            assertEquals(PARTITIONS, Topics.ensureTopic(bootstrap, TOPIC, PARTITIONS, replication, TIMEOUT, Map.of()));
            try (Admin admin = admin(bootstrap)) {
                for (TopicPartitionInfo p : describe(admin).partitions()) {
                    assertEquals(3, p.replicas().size(), p.toString());
                    assertEquals(3, p.isr().size(), p.toString());
                }
                assertEquals("2", admin.describeConfigs(List.of(new ConfigResource(ConfigResource.Type.TOPIC, TOPIC)))
                        .all().get().values().iterator().next().get("min.insync.replicas").value());
            }
            produce(bootstrap, 100);

            // Voter 1 goes away: the other two take writes (two in-sync copies are enough).
            voters[1].close();
            produce(bootstrap, 100);

            // It comes back with nothing: formatted again with the quorum's id, it fetches everything.
            deleteRecursively(kafkaDir(1));
            voters[1] = EmbeddedKafka.startVoter(kafkaDir(1), quorum, 1, replication, Map.of(), TIMEOUT);
            assertEquals(quorum.clusterId(), metaProperties(kafkaDir(1)).getProperty("cluster.id"));
            try (Admin admin = admin(bootstrap)) {
                long deadline = System.nanoTime() + TIMEOUT.toNanos();
                while (!describe(admin).partitions().stream().allMatch(p -> p.isr().stream().map(Node::id).toList().contains(1))) {
                    assertTrue(System.nanoTime() < deadline, "voter 1 back in sync: " + describe(admin));
                    Thread.sleep(200); // polling Kafka's metadata with a deadline
                }
            }
        } finally {
            // Together: stopped one after another, the last one finds no majority to approve its shutdown.
            List<CompletableFuture<Void>> closing = new ArrayList<>();
            for (EmbeddedKafka k : voters) if (k != null) closing.add(CompletableFuture.runAsync(k::close));
            CompletableFuture.allOf(closing.toArray(new CompletableFuture[0])).get(2, TimeUnit.MINUTES);
            for (CompletableFuture<EmbeddedKafka> f : starting) f.thenAccept(EmbeddedKafka::close);
        }
    }

    @Test
    void aSingleNodesDirectoryDoesNotJoinAQuorum() throws Exception {
        try (EmbeddedKafka single = EmbeddedKafka.start(kafkaDir(1), "127.0.0.1", 0)) {
            assertTrue(single.clusterId().length() > 0);
        }
        KafkaQuorum quorum = new KafkaQuorum(List.of(new KafkaQuorum.Voter(1, "127.0.0.1", freePort(), freePort()),
                new KafkaQuorum.Voter(2, "127.0.0.1", freePort(), freePort())), Optional.empty());
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> EmbeddedKafka.startVoter(kafkaDir(1),
                quorum, 1, Replication.resolve(0, 0, 2), Map.of(), TIMEOUT));
        assertTrue(e.getMessage().contains("mnemo.kafka.embedded.cluster-id"), e.getMessage());
    }

    private Path kafkaDir(int id) {
        return dir.resolve("node" + id).resolve("kafka");
    }

    private static void produce(String bootstrap, int perPartition) throws Exception {
        Map<String, Object> props = Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
                ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class,
                ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(props)) {
            List<java.util.concurrent.Future<?>> acks = new ArrayList<>();
            for (int p = 0; p < PARTITIONS; p++) {
                for (int i = 0; i < perPartition; i++) acks.add(producer.send(new ProducerRecord<>(TOPIC, p, "k", "v" + i)));
            }
            for (var ack : acks) ack.get(60, TimeUnit.SECONDS);
        }
    }

    private static Admin admin(String bootstrap) {
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap));
    }

    /** The topic as Kafka describes it; a broker whose metadata has not caught up yet may not know it for a moment. */
    private static TopicDescription describe(Admin admin) throws Exception {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (true) {
            try {
                return admin.describeTopics(List.of(TOPIC)).allTopicNames().get(30, TimeUnit.SECONDS).get(TOPIC);
            } catch (java.util.concurrent.ExecutionException e) {
                if (!(e.getCause() instanceof org.apache.kafka.common.errors.UnknownTopicOrPartitionException)
                        || System.nanoTime() > deadline) throw e;
            }
            Thread.sleep(100); // polling Kafka's metadata with a deadline
        }
    }

    private static Properties metaProperties(Path kafkaDir) throws IOException {
        Properties props = new Properties();
        try (InputStream in = Files.newInputStream(kafkaDir.resolve("meta.properties"))) {
            props.load(in);
        }
        return props;
    }

    private static void deleteRecursively(Path root) throws IOException {
        try (Stream<Path> files = Files.walk(root)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) Files.delete(p);
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
