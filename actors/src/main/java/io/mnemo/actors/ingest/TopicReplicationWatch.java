package io.mnemo.actors.ingest;

import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.DescribeClusterResult;
import org.apache.kafka.clients.admin.QuorumInfo;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.ClusterAuthorizationException;
import org.apache.kafka.common.errors.UnsupportedVersionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the ingest topic's replication from Kafka every {@code interval} (each partition's leader,
 * replicas and in-sync replicas, the topic's {@code min.insync.replicas}, the live brokers, and the
 * KRaft controller quorum), keeps the latest, exports it as gauges, and says whether Kafka can take
 * writes now ({@link #writeProblem()}, for a distributor's {@code /ready}). One per node.
 *
 * <p>Kafka's metadata lags a broker's death by its session timeout (the controller fences it
 * then, and moves its leaderships and in-sync slots), so this view does too. With a majority of
 * the controller quorum gone the metadata stops changing altogether: the quorum's silence is what
 * shows that case.
 */
public final class TopicReplicationWatch implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(TopicReplicationWatch.class);
    private static final int CALL_TIMEOUT_MS = 5_000;

    private final Admin admin;
    private final String topic;
    private final Duration interval;
    /** A failing refresh keeps the last view this long, so one slow answer does not flip readiness. */
    private final long staleAfterNanos;
    private final ScheduledExecutorService timer;

    private volatile TopicReplication replication;
    private volatile long describedNanos;
    private volatile String error;
    private volatile ControllerQuorum quorum;
    private volatile long quorumDescribedNanos;
    private volatile String quorumError;
    /** An external cluster without KRaft, or one that does not let us see its quorum: not asked again. */
    private volatile boolean quorumUnknowable;
    private volatile Optional<String> lastProblem = Optional.empty();

    private final Gauge leader;
    private final Gauge replicas;
    private final Gauge inSyncReplicas;
    private final Gauge underReplicated;
    private final Gauge underMinIsr;
    private final Gauge offline;
    private final Gauge minInsync;
    private final Gauge liveBrokers;
    private final Gauge writable;

    public TopicReplicationWatch(String bootstrapServers, String topic, Duration interval, PrometheusRegistry registry) {
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(AdminClientConfig.CLIENT_ID_CONFIG, "mnemo-replication-watch");
        p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, Integer.toString(CALL_TIMEOUT_MS));
        p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, Integer.toString(CALL_TIMEOUT_MS));
        this.admin = Admin.create(p);
        this.topic = topic;
        this.interval = interval;
        this.staleAfterNanos = Math.max(3 * interval.toNanos(), Duration.ofSeconds(10).toNanos());
        // Silence counts from now: a cluster that never answers is stale after staleAfter too.
        this.describedNanos = this.quorumDescribedNanos = System.nanoTime();
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "mnemo-kafka-replication-watch");
            t.setDaemon(true);
            return t;
        });
        leader = Gauge.builder().name("mnemo_kafka_partition_leader")
                .help("Broker id leading the ingest topic's partition, -1 without a leader.").labelNames("partition")
                .register(registry);
        replicas = Gauge.builder().name("mnemo_kafka_partition_replicas")
                .help("Replicas assigned to the ingest topic's partition.").labelNames("partition").register(registry);
        inSyncReplicas = Gauge.builder().name("mnemo_kafka_partition_in_sync_replicas")
                .help("Replicas in sync with the ingest topic partition's leader.").labelNames("partition").register(registry);
        underReplicated = Gauge.builder().name("mnemo_kafka_under_replicated_partitions")
                .help("Partitions of the ingest topic with fewer replicas in sync than assigned.").register(registry);
        underMinIsr = Gauge.builder().name("mnemo_kafka_under_min_isr_partitions")
                .help("Partitions of the ingest topic with fewer replicas in sync than min.insync.replicas: they refuse writes.")
                .register(registry);
        offline = Gauge.builder().name("mnemo_kafka_offline_partitions")
                .help("Partitions of the ingest topic without a leader.").register(registry);
        minInsync = Gauge.builder().name("mnemo_kafka_min_insync_replicas")
                .help("The ingest topic's min.insync.replicas: copies a write needs before it is acknowledged.")
                .register(registry);
        liveBrokers = Gauge.builder().name("mnemo_kafka_live_brokers")
                .help("Brokers the Kafka cluster counts as alive.").register(registry);
        writable = Gauge.builder().name("mnemo_kafka_writable")
                .help("1 when every partition of the ingest topic can take writes, as far as Kafka's metadata tells.")
                .register(registry);
    }

    /** Starts refreshing, the first time at once. */
    public TopicReplicationWatch start() {
        timer.scheduleWithFixedDelay(this::refresh, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
        return this;
    }

    /** The latest description of the ingest topic; empty until Kafka first answered. */
    public Optional<TopicReplication> replication() {
        return Optional.ofNullable(replication);
    }

    /** The latest description of the controller quorum; empty until it answered, or for a cluster that does not tell. */
    public Optional<ControllerQuorum> controllerQuorum() {
        return Optional.ofNullable(quorum);
    }

    /** Why the last refresh failed, or empty when it succeeded. */
    public Optional<String> error() {
        return Optional.ofNullable(error);
    }

    /** Why writes would fail now as far as Kafka tells, naming partitions and brokers; empty when they would not. */
    public Optional<String> writeProblem() {
        TopicReplication r = replication;
        String failure = error;
        long now = System.nanoTime();
        if (r == null) {
            return Optional.of(failure == null ? "the partitions of " + topic + " have not been described by Kafka yet"
                    : "Kafka does not describe " + topic + ": " + failure);
        }
        if (failure != null && now - describedNanos > staleAfterNanos) {
            return Optional.of("Kafka has not described " + topic + " for " + secondsSince(describedNanos, now) + " s: " + failure);
        }
        Optional<String> problem = r.writeProblem();
        if (problem.isPresent()) return problem;
        String quorumFailure = quorumError;
        if (!quorumUnknowable && quorumFailure != null && now - quorumDescribedNanos > staleAfterNanos) {
            return Optional.of("Kafka's controller quorum has not answered for " + secondsSince(quorumDescribedNanos, now)
                    + " s (" + quorumFailure + "): without a majority of its voters no leader or in-sync replica set can "
                    + "change, so partitions with a replica on a dead broker take no writes");
        }
        return Optional.empty();
    }

    void refresh() {
        try {
            describeTopic();
            error = null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        } catch (Exception e) {
            if (error == null) log.warn("Cannot describe topic {} from Kafka: {}", topic, message(e));
            error = message(e);
        }
        if (!quorumUnknowable) describeQuorum();
        Optional<String> problem = writeProblem();
        writable.set(problem.isEmpty() ? 1 : 0);
        // Logged when writability changes; its reason as it evolves is on /ready and /distributor/status.
        if (problem.isPresent() != lastProblem.isPresent()) {
            if (problem.isPresent()) log.warn("{}", problem.get());
            else log.info("Kafka takes writes to {} again", topic);
        }
        lastProblem = problem;
    }

    private void describeTopic() throws Exception {
        ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
        DescribeClusterResult cluster = admin.describeCluster();
        KafkaFuture<java.util.Map<String, TopicDescription>> topics = admin.describeTopics(List.of(topic)).allTopicNames();
        KafkaFuture<java.util.Map<ConfigResource, Config>> configs = admin.describeConfigs(List.of(resource)).all();

        Collection<Node> nodes = get(cluster.nodes());
        String clusterId = get(cluster.clusterId());
        TopicDescription description = get(topics).get(topic);
        ConfigEntry minIsrEntry = get(configs).get(resource).get("min.insync.replicas");
        int minIsr = minIsrEntry == null || minIsrEntry.value() == null ? 1 : Integer.parseInt(minIsrEntry.value());

        List<TopicReplication.Partition> partitions = new ArrayList<>();
        for (TopicPartitionInfo info : description.partitions()) {
            Node l = info.leader();
            partitions.add(new TopicReplication.Partition(info.partition(),
                    l == null || l.isEmpty() ? TopicReplication.NO_LEADER : l.id(),
                    info.replicas().stream().map(Node::id).toList(), info.isr().stream().map(Node::id).toList()));
        }
        TopicReplication r = new TopicReplication(topic, partitions, minIsr,
                nodes.stream().map(Node::id).sorted().toList(), clusterId, Instant.now());
        for (TopicReplication.Partition p : r.partitions()) {
            String partition = Integer.toString(p.partition());
            leader.labelValues(partition).set(p.leader());
            replicas.labelValues(partition).set(p.replicas().size());
            inSyncReplicas.labelValues(partition).set(p.inSyncReplicas().size());
        }
        underReplicated.set(r.underReplicatedPartitions());
        underMinIsr.set(r.underMinIsrPartitions());
        offline.set(r.offlinePartitions());
        minInsync.set(minIsr);
        liveBrokers.set(r.liveBrokers().size());
        replication = r;
        describedNanos = System.nanoTime();
    }

    private void describeQuorum() {
        try {
            QuorumInfo info = get(admin.describeMetadataQuorum().quorumInfo());
            long nowMs = System.currentTimeMillis();
            List<ControllerQuorum.Voter> voters = info.voters().stream()
                    .map(v -> new ControllerQuorum.Voter(v.replicaId(), v.logEndOffset(),
                            v.replicaId() == info.leaderId() || v.lastFetchTimestamp().isEmpty() ? null
                                    : Math.max(0, nowMs - v.lastFetchTimestamp().getAsLong())))
                    .toList();
            quorum = new ControllerQuorum(info.leaderId(), voters);
            quorumDescribedNanos = System.nanoTime();
            quorumError = null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            Throwable cause = e instanceof ExecutionException && e.getCause() != null ? e.getCause() : e;
            if (cause instanceof UnsupportedVersionException || cause instanceof ClusterAuthorizationException) {
                log.info("Kafka does not describe its controller quorum to Mnemo ({}); /ready relies on partition metadata only",
                        cause.getMessage());
                quorumUnknowable = true;
                return;
            }
            if (quorumError == null) log.warn("Kafka's controller quorum does not answer: {}", message(e));
            quorumError = message(e);
        }
    }

    private static <T> T get(KafkaFuture<T> future) throws InterruptedException, ExecutionException, TimeoutException {
        return future.get(CALL_TIMEOUT_MS, TimeUnit.MILLISECONDS);
    }

    private static String message(Exception e) {
        Throwable cause = e instanceof ExecutionException && e.getCause() != null ? e.getCause() : e;
        return cause instanceof TimeoutException || cause instanceof org.apache.kafka.common.errors.TimeoutException
                ? "no answer within " + CALL_TIMEOUT_MS + " ms" : cause.toString();
    }

    private static long secondsSince(long thenNanos, long nowNanos) {
        return TimeUnit.NANOSECONDS.toSeconds(nowNanos - thenNanos);
    }

    @Override
    public void close() {
        timer.shutdownNow();
        admin.close(Duration.ofSeconds(5));
    }
}
