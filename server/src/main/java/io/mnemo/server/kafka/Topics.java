package io.mnemo.server.kafka;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Creates Mnemo's topics on a Kafka cluster (embedded or external) when they are missing. */
public final class Topics {

    private static final Logger log = LoggerFactory.getLogger(Topics.class);

    private Topics() {
    }

    /** {@link #ensureTopic(String, String, int, short, Duration, Map)} with the broker's default topic configs. */
    public static int ensureTopic(String bootstrap, String topic, int partitions, short replicationFactor,
                                  Duration timeout) {
        return ensureTopic(bootstrap, topic, partitions, replicationFactor, timeout, Map.of());
    }

    /**
     * Makes sure {@code topic} exists, creating it with {@code partitions} partitions and
     * {@code configs} (e.g. {@code retention.ms}) if it does not. An existing topic is left as it
     * is: Mnemo never repartitions on its own, because series are sharded by partition count.
     * Returns once every partition has a leader, so producers and consumers can use it at once.
     *
     * @return the topic's actual partition count, which callers must use instead of {@code partitions}
     * @throws KafkaException if the cluster did not answer within {@code timeout} or refused the topic
     */
    public static int ensureTopic(String bootstrap, String topic, int partitions, short replicationFactor,
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
                try {
                    admin.createTopics(List.of(new NewTopic(topic, partitions, replicationFactor).configs(configs)))
                            .all().get(remainingMs(deadline), TimeUnit.MILLISECONDS);
                    log.info("Created topic {} with {} partitions, replication factor {}", topic, partitions,
                            replicationFactor);
                } catch (ExecutionException e) {
                    // Another node may have created it between our describe and create: that is fine.
                    if (!(e.getCause() instanceof TopicExistsException)) {
                        throw failure("create", topic, bootstrap, e.getCause());
                    }
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
