package io.mnemo.server.kafka;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigUtil;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Where a node's Kafka is, from {@code mnemo.kafka}: an external cluster
 * ({@code bootstrap-servers}), the node's own single broker (no {@code embedded.quorum}), or the
 * cluster's embedded quorum, of which this node runs voter {@code embedded.node-id} (0: none, the
 * node only uses the quorum's brokers). Clients always get every broker there is, so any one
 * broker being down changes nothing for them.
 */
public final class KafkaSetup {
    /** How long creating a topic may wait for an external Kafka or a single broker. */
    private static final Duration TOPIC_TIMEOUT = Duration.ofSeconds(30);

    private final String externalBootstrap;
    private final Optional<KafkaQuorum> quorum;
    private final int nodeId;
    private final String host;
    private final int port;
    private final Replication replication;
    private final Map<String, String> brokerProperties;
    private final Duration startupTimeout;

    private KafkaSetup(String externalBootstrap, Optional<KafkaQuorum> quorum, int nodeId, String host, int port,
                       Replication replication, Map<String, String> brokerProperties, Duration startupTimeout) {
        this.externalBootstrap = externalBootstrap;
        this.quorum = quorum;
        this.nodeId = nodeId;
        this.host = host;
        this.port = port;
        this.replication = replication;
        this.brokerProperties = brokerProperties;
        this.startupTimeout = startupTimeout;
    }

    /** Reads {@code mnemo.kafka}; throws IllegalArgumentException naming the key when the settings contradict each other. */
    public static KafkaSetup from(Config config) {
        Config kafka = config.getConfig("mnemo.kafka");
        Config embedded = kafka.getConfig("embedded");
        String external = kafka.getString("bootstrap-servers").trim();
        Optional<KafkaQuorum> quorum = KafkaQuorum.from(embedded);
        int nodeId = embedded.getInt("node-id");
        if (nodeId != 0 && !external.isEmpty()) {
            throw new IllegalArgumentException("mnemo.kafka.embedded.node-id = " + nodeId + " runs an embedded broker, but "
                    + "mnemo.kafka.bootstrap-servers names an external Kafka (" + external + "); set only one of them");
        }
        if (nodeId != 0 && quorum.isEmpty()) {
            throw new IllegalArgumentException("mnemo.kafka.embedded.node-id = " + nodeId
                    + " needs the quorum it belongs to in mnemo.kafka.embedded.quorum");
        }
        if (nodeId != 0 && quorum.get().voter(nodeId).isEmpty()) {
            throw new IllegalArgumentException("mnemo.kafka.embedded.node-id = " + nodeId + " is not in mnemo.kafka.embedded.quorum ("
                    + quorum.get().votersProperty() + ")");
        }
        int brokers = !external.isEmpty() ? 0 : quorum.map(KafkaQuorum::size).orElse(1);
        Replication replication = Replication.resolve(kafka.getInt("replication-factor"), kafka.getInt("min-insync-replicas"),
                brokers);
        return new KafkaSetup(external, external.isEmpty() ? quorum : Optional.empty(), nodeId, embedded.getString("host"),
                embedded.getInt("port"), replication, brokerProperties(config), embedded.getDuration("startup-timeout"));
    }

    /** {@code mnemo.kafka.embedded.broker}: Kafka broker properties, flattened to Kafka's dotted keys. */
    public static Map<String, String> brokerProperties(Config config) {
        Map<String, String> out = new LinkedHashMap<>();
        if (!config.hasPath("mnemo.kafka.embedded.broker")) return out;
        config.getConfig("mnemo.kafka.embedded.broker").entrySet()
                // Nested (num.io.threads = 1) and quoted ("num.io.threads" = 1) keys alike.
                .forEach(e -> out.put(String.join(".", ConfigUtil.splitPath(e.getKey())),
                        String.valueOf(e.getValue().unwrapped())));
        return out;
    }

    /** Whether this node runs a broker: its own single one, or its voter of the quorum. */
    public boolean runsBroker() {
        return externalBootstrap.isEmpty() && (quorum.isEmpty() || nodeId != 0);
    }

    /** Starts this node's broker in {@code dir}; see {@link #runsBroker()}. */
    public EmbeddedKafka startBroker(Path dir) {
        if (!runsBroker()) throw new IllegalStateException("this node runs no Kafka broker");
        return quorum.isPresent()
                ? EmbeddedKafka.startVoter(dir, quorum.get(), nodeId, replication, brokerProperties, startupTimeout)
                : EmbeddedKafka.start(dir, host, port, brokerProperties, startupTimeout);
    }

    /** Clients' {@code bootstrap.servers}: the external cluster's, every voter's, or the single broker's. */
    public String bootstrapServers(EmbeddedKafka broker) {
        if (!externalBootstrap.isEmpty()) return externalBootstrap;
        if (quorum.isPresent()) return quorum.get().bootstrapServers();
        if (broker == null) throw new IllegalStateException("a single node's clients need its broker");
        return broker.bootstrapServers();
    }

    public Replication replication() {
        return replication;
    }

    public Optional<KafkaQuorum> quorum() {
        return quorum;
    }

    /** How long creating a topic may take: in a quorum, the nodes that must host its replicas may still be starting. */
    public Duration topicTimeout() {
        return quorum.isPresent() ? startupTimeout : TOPIC_TIMEOUT;
    }

    @Override
    public String toString() {
        if (!externalBootstrap.isEmpty()) return "external Kafka at " + externalBootstrap + ", " + replication;
        if (quorum.isEmpty()) return "a single embedded broker, " + replication;
        return (nodeId == 0 ? "no broker of its own" : "voter " + nodeId) + " of the embedded quorum "
                + quorum.get().votersProperty() + ", " + replication;
    }
}
