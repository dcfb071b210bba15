package io.mnemo.server.kafka;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.errors.InvalidReplicationFactorException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Creates Mnemo's topics on a Kafka cluster (embedded or external) when they are missing. */
public final class Topics {

    private static final Logger log = LoggerFactory.getLogger(Topics.class);

    private Topics() {
    }

    /** {@link #ensureTopic(String, String, int, Replication, Duration, Map)} with the broker's default topic configs. */
    public static int ensureTopic(String bootstrap, String topic, int partitions, short replicationFactor,
                                  Duration timeout) {
        return ensureTopic(bootstrap, topic, partitions, new Replication(replicationFactor, 0), timeout, Map.of());
    }

    /**
     * Makes sure {@code topic} exists, creating it with {@code partitions} partitions, the
     * {@code replication} and {@code configs} (e.g. {@code retention.ms}) if it does not; when the
     * cluster has fewer live brokers than the replication factor yet (a quorum whose nodes are still
     * starting), waits for them. An existing topic is left as it is: Mnemo never repartitions on its
     * own, because series are sharded by partition count. Returns once every partition has a
     * leader, so producers and consumers can use it at once.
     *
     * @return the topic's actual partition count, which callers must use instead of {@code partitions}
     * @throws KafkaException if the cluster did not answer within {@code timeout} or refused the topic
     */
    public static int ensureTopic(String bootstrap, String topic, int partitions, Replication replication,
                                  Duration timeout, Map<String, String> configs) {
        long deadline = System.nanoTime() + timeout.toNanos();
        int timeoutMs = (int) Math.min(Integer.MAX_VALUE, timeout.toMillis());
        Map<String, Object> props = Map.of(
                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, timeoutMs,
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, Math.min(timeoutMs, 30_000));
        try (Admin admin = Admin.create(props)) {
            TopicDescription existing = describe(admin, topic, deadline, bootstrap);
            if (existing == null) {
                create(admin, new NewTopic(topic, Optional.of(partitions), replication.topicFactor())
                        .configs(withReplication(configs, replication)), deadline, bootstrap);
                log.info("Created topic {} with {} partitions, {}", topic, partitions, replication);
            } else {
                int copies = existing.partitions().get(0).replicas().size();
                if (copies < replication.factor()) {
                    log.warn("Topic {} exists with {} copies of each record, fewer than mnemo.kafka.replication-factor = {}; "
                            + "Mnemo leaves existing topics as they are (raise it with kafka-reassign-partitions.sh)",
                            topic, copies, replication.factor());
                }
            }
            TopicDescription ready = awaitLeaders(admin, topic, deadline, bootstrap);
            int actual = ready.partitions().size();
            if (existing != null && actual < partitions) {
                log.warn("Topic {} exists with {} partitions, fewer than the {} configured; leaving it as it is "
                        + "(add partitions with kafka-topics.sh --alter if you need more)", topic, actual, partitions);
            } else if (existing != null && actual > partitions) {
                log.info("Topic {} exists with {} partitions (configured {}); using {}", topic, actual, partitions, actual);
            }
            return actual;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new KafkaException("Interrupted while ensuring topic " + topic, e);
        } catch (TimeoutException e) {
            throw new KafkaException("Kafka at " + bootstrap + " did not answer within " + timeout
                    + " while ensuring topic " + topic + "; is the broker running?", e);
        }
    }

    /**
     * Creates the topic; retries while the cluster has fewer live brokers than its replication
     * factor. Another node creating it meanwhile is fine.
     */
    private static void create(Admin admin, NewTopic topic, long deadline, String bootstrap)
            throws InterruptedException, TimeoutException {
        boolean waitLogged = false;
        while (true) {
            try {
                admin.createTopics(List.of(topic)).all().get(remainingMs(deadline), TimeUnit.MILLISECONDS);
                return;
            } catch (ExecutionException e) {
                if (e.getCause() instanceof TopicExistsException) return;
                if (!(e.getCause() instanceof InvalidReplicationFactorException) || System.nanoTime() >= deadline) {
                    throw failure("create", topic.name(), bootstrap, e.getCause());
                }
                if (!waitLogged) {
                    log.info("Waiting for enough Kafka brokers to create topic {}: {}", topic.name(), e.getCause().getMessage());
                    waitLogged = true;
                }
            }
            // Brokers register within seconds of starting; poll gently.
            Thread.sleep(500);
        }
    }

    private static Map<String, String> withReplication(Map<String, String> configs, Replication replication) {
        Map<String, String> out = new HashMap<>(replication.topicConfigs());
        out.putAll(configs);
        return out;
    }

    /** The topic's description, or null if it does not exist. */
    private static TopicDescription describe(Admin admin, String topic, long deadline, String bootstrap)
            throws InterruptedException, TimeoutException {
        try {
            return admin.describeTopics(List.of(topic)).allTopicNames()
                    .get(remainingMs(deadline), TimeUnit.MILLISECONDS).get(topic);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof UnknownTopicOrPartitionException) {
                return null;
            }
            throw failure("describe", topic, bootstrap, e.getCause());
        }
    }

    /** A freshly created topic is visible before its partitions have leaders; wait for them. */
    private static TopicDescription awaitLeaders(Admin admin, String topic, long deadline, String bootstrap)
            throws InterruptedException, TimeoutException {
        while (true) {
            TopicDescription description = describe(admin, topic, deadline, bootstrap);
            if (description != null && description.partitions().stream()
                    .map(TopicPartitionInfo::leader).allMatch(leader -> leader != null && !leader.isEmpty())) {
                return description;
            }
            if (System.nanoTime() >= deadline) {
                throw new TimeoutException("partitions of " + topic + " at " + bootstrap + " have no leader yet");
            }
            // Metadata propagates within a few hundred ms; poll briefly rather than spin.
            Thread.sleep(50);
        }
    }

    private static long remainingMs(long deadline) {
        return Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime()));
    }

    private static KafkaException failure(String action, String topic, String bootstrap, Throwable cause) {
        return new KafkaException("Cannot " + action + " topic " + topic + " on " + bootstrap + ": "
                + cause.getMessage(), cause);
    }
}
