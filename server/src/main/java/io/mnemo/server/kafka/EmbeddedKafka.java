package io.mnemo.server.kafka;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;

import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.metadata.properties.MetaPropertiesEnsemble;
import org.apache.kafka.metadata.storage.Formatter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Kafka broker in KRaft mode (combined {@code broker,controller} roles) running inside the Mnemo
 * process (or {@code bin/mnemo kafka}): either a single node's own broker (node id 1, a quorum of
 * one, {@link #start(Path, String, int, Map, Duration)}), or one voter of a cluster's quorum
 * ({@link #startVoter}), whose brokers replicate Mnemo's topics.
 *
 * <p>The broker owns one directory, which holds both the partition logs and the
 * {@code __cluster_metadata} log. The first start formats it (a single broker with a fresh cluster
 * id, a voter with its quorum's; written to {@code meta.properties}); later starts reuse the
 * directory as it is, so the topic, its records and the cluster id survive restarts, also when a
 * single broker's port changes. A voter whose directory was wiped is formatted again and catches
 * up from the other voters.
 *
 * <p>Retention is not time-limited: Mnemo's ingest topic is the source of truth until blocks are
 * shipped, so brokers keep everything unless a topic sets its own {@code retention.ms} /
 * {@code retention.bytes} (see {@link Topics#ensureTopic(String, String, int, short, Duration, Map)}).
 */
public final class EmbeddedKafka implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(EmbeddedKafka.class);

    public static final int NODE_ID = 1;
    public static final Duration DEFAULT_STARTUP_TIMEOUT = Duration.ofSeconds(60);

    private static final String BROKER_LISTENER = "PLAINTEXT";
    private static final String CONTROLLER_LISTENER = "CONTROLLER";
    /** The quorum is this process alone, so the controller listener stays on loopback. */
    private static final String CONTROLLER_HOST = "127.0.0.1";
    /** Ports chosen by us can be taken by someone else before Kafka binds them; try a few times. */
    private static final int BIND_ATTEMPTS = 3;
    /** A controlled shutdown takes seconds; more means no controller can approve it. */
    private static final Duration SHUTDOWN_WAIT = Duration.ofSeconds(30);

    private final KafkaRaftServer server;
    private final int nodeId;
    private final Path dataDir;
    private final String clusterId;
    private final String bootstrapServers;
    private final int port;
    private final AtomicBoolean closed = new AtomicBoolean();

    private EmbeddedKafka(KafkaRaftServer server, int nodeId, Path dataDir, String clusterId, String advertisedHost,
                          int port) {
        this.server = server;
        this.nodeId = nodeId;
        this.dataDir = dataDir;
        this.clusterId = clusterId;
        this.port = port;
        this.bootstrapServers = advertisedHost + ":" + port;
    }

    /** {@link #start(Path, String, int, Map, Duration)} with no overrides and a 60 s startup deadline. */
    public static EmbeddedKafka start(Path dataDir, String host, int port) {
        return start(dataDir, host, port, Map.of(), DEFAULT_STARTUP_TIMEOUT);
    }

    /**
     * Starts the broker and returns once it serves clients.
     *
     * @param dataDir   the directory the broker owns (Mnemo passes {@code <data-dir>/kafka}); created,
     *                  and formatted if it holds no {@code meta.properties} yet
     * @param host      interface the client listener binds to; a wildcard ({@code 0.0.0.0}, empty)
     *                  is advertised as this machine's host name
     * @param port      client listener port, 0 for a free one
     * @param overrides broker properties that replace Mnemo's defaults (e.g. {@code log.retention.ms})
     * @param timeout   how long to wait for the broker to serve before giving up
     * @throws IllegalStateException if the broker did not start serving within {@code timeout}
     */
    public static EmbeddedKafka start(Path dataDir, String host, int port, Map<String, String> overrides,
                                      Duration timeout) {
        quietKafkaLogging();
        Path dir = createDirectory(dataDir);
        String bindHost = host == null ? "" : host.trim();
        String advertisedHost = advertisedHost(bindHost);
        long deadline = System.nanoTime() + timeout.toNanos();

        for (int attempt = 1; ; attempt++) {
            int brokerPort = port == 0 ? freePort(bindHost) : port;
            int controllerPort = freePort(CONTROLLER_HOST);
            // Each free port's socket is closed before the next is asked for, so both can be the same number.
            while (controllerPort == brokerPort) controllerPort = freePort(CONTROLLER_HOST);
            KafkaConfig config = config(dir, singleNode(bindHost, advertisedHost, brokerPort, controllerPort),
                    Replication.SINGLE, overrides, timeout);
            String clusterId = formatIfNeeded(dir, config, NODE_ID, Optional.empty());
            KafkaRaftServer server;
            try {
                server = new KafkaRaftServer(config, Time.SYSTEM);
            } catch (RuntimeException e) {
                throw new IllegalStateException("Embedded Kafka cannot use its data directory " + dir + ": "
                        + e.getMessage(), e);
            }
            try {
                server.startup();
            } catch (RuntimeException e) {
                stop(server);
                // Retry only when a port we picked was taken meanwhile; a port the caller chose stays taken.
                boolean pickedPortTaken = causedBy(e, BindException.class)
                        && (port == 0 || chainMentions(e, ":" + controllerPort));
                if (pickedPortTaken && attempt < BIND_ATTEMPTS && System.nanoTime() < deadline) {
                    log.warn("Embedded Kafka could not bind its ports ({}), retrying with other free ones", e.getMessage());
                    continue;
                }
                throw new IllegalStateException("Embedded Kafka failed to start on " + bindHost + ":" + brokerPort
                        + " (controller " + CONTROLLER_HOST + ":" + controllerPort + ", data in " + dir + "): "
                        + e.getMessage() + rootCause(e), e);
            }
            return serving(new EmbeddedKafka(server, NODE_ID, dir, clusterId, advertisedHost, brokerPort), deadline);
        }
    }

    /**
     * Starts voter {@code nodeId} of {@code quorum}: a controller and a broker listening on its
     * quorum entry's host, port and controller port. Returns once the broker serves clients, which
     * takes a majority of the voters up: the first voters of a new cluster wait here for the others.
     *
     * @param dataDir     the directory the broker owns; formatted with the quorum's cluster id when
     *                    it holds no {@code meta.properties} yet
     * @param replication replication of topics created without their own factor and of Kafka's internal topics
     * @param timeout     how long to wait for a majority of the voters and for the broker to serve
     * @throws IllegalStateException if the directory belongs to another cluster, or the broker did not
     *                               serve within {@code timeout}
     */
    public static EmbeddedKafka startVoter(Path dataDir, KafkaQuorum quorum, int nodeId, Replication replication,
                                           Map<String, String> overrides, Duration timeout) {
        quietKafkaLogging();
        KafkaQuorum.Voter self = quorum.voter(nodeId).orElseThrow(() -> new IllegalArgumentException(
                "mnemo.kafka.embedded.node-id = " + nodeId + " is not in mnemo.kafka.embedded.quorum (" + quorum.votersProperty() + ")"));
        Path dir = createDirectory(dataDir);
        long deadline = System.nanoTime() + timeout.toNanos();
        KafkaConfig config = config(dir, voter(quorum, self), replication, overrides, timeout);
        String clusterId = formatIfNeeded(dir, config, nodeId, Optional.of(quorum.clusterId()));
        log.info("Kafka voter {} of the quorum {} (cluster id {}) starting on {}:{}; it serves once a majority of the "
                + "voters ({} of {}) is up", nodeId, quorum.votersProperty(), clusterId, self.host(), self.port(),
                quorum.size() / 2 + 1, quorum.size());
        KafkaRaftServer server;
        try {
            server = new KafkaRaftServer(config, Time.SYSTEM);
        } catch (RuntimeException e) {
            throw new IllegalStateException("Embedded Kafka cannot use its data directory " + dir + ": " + e.getMessage(), e);
        }
        try {
            server.startup();
        } catch (RuntimeException e) {
            stop(server);
            throw new IllegalStateException("Kafka voter " + nodeId + " failed to start on " + self.broker()
                    + " (controller " + self.host() + ":" + self.controllerPort() + ", data in " + dir + "): "
                    + e.getMessage() + rootCause(e) + "; are a majority of the voters " + quorum.votersProperty()
                    + " running, with the same quorum list?", e);
        }
        return serving(new EmbeddedKafka(server, nodeId, dir, clusterId, self.host(), self.port()), deadline);
    }

    private static EmbeddedKafka serving(EmbeddedKafka kafka, long deadline) {
        try {
            kafka.awaitServing(deadline);
        } catch (RuntimeException e) {
            kafka.close();
            throw e;
        }
        return kafka;
    }

    private static Path createDirectory(Path dataDir) {
        Path dir = dataDir.toAbsolutePath();
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot create the Kafka data directory " + dir, e);
        }
        return dir;
    }

    /** {@code host:port} for clients' {@code bootstrap.servers}. */
    public String bootstrapServers() {
        return bootstrapServers;
    }

    /** The client listener's port (the one picked when 0 was asked for). */
    public int port() {
        return port;
    }

    /** This broker's node id (1 for a single node's broker). */
    public int nodeId() {
        return nodeId;
    }

    /** The KRaft cluster id, chosen at the first start and kept in {@code meta.properties}. */
    public String clusterId() {
        return clusterId;
    }

    public Path dataDir() {
        return dataDir;
    }

    /** Shuts the broker down (controlled shutdown, then the controller) and waits until it has. Idempotent. */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            stop(server);
            log.info("Embedded Kafka on {} stopped", bootstrapServers);
        }
    }

    /** A single node's broker: node id 1, a quorum of one with its controller on loopback. */
    private static Map<String, Object> singleNode(String bindHost, String advertisedHost, int brokerPort, int controllerPort) {
        Map<String, Object> props = new HashMap<>();
        props.put("node.id", Integer.toString(NODE_ID));
        // A static quorum of one: the voter set lives in the config, not in the metadata log,
        // so a restart may pick another controller port.
        props.put("controller.quorum.voters", NODE_ID + "@" + CONTROLLER_HOST + ":" + controllerPort);
        props.put("listeners", BROKER_LISTENER + "://" + bindHost + ":" + brokerPort + ","
                + CONTROLLER_LISTENER + "://" + CONTROLLER_HOST + ":" + controllerPort);
        props.put("advertised.listeners", BROKER_LISTENER + "://" + advertisedHost + ":" + brokerPort);
        return props;
    }

    /**
     * A voter of a static quorum: the voter set lives in the config (every voter lists the same),
     * so no voter's log pins it, and a wiped voter rejoins by its id.
     */
    private static Map<String, Object> voter(KafkaQuorum quorum, KafkaQuorum.Voter self) {
        Map<String, Object> props = new HashMap<>();
        props.put("node.id", Integer.toString(self.id()));
        props.put("controller.quorum.voters", quorum.votersProperty());
        props.put("listeners", BROKER_LISTENER + "://" + self.host() + ":" + self.port() + ","
                + CONTROLLER_LISTENER + "://" + self.host() + ":" + self.controllerPort());
        props.put("advertised.listeners", BROKER_LISTENER + "://" + self.host() + ":" + self.port());
        return props;
    }

    private static KafkaConfig config(Path dir, Map<String, Object> identity, Replication replication,
                                      Map<String, String> overrides, Duration timeout) {
        Map<String, Object> props = new HashMap<>(identity);
        props.put("process.roles", "broker,controller");
        props.put("controller.listener.names", CONTROLLER_LISTENER);
        props.put("listener.security.protocol.map", BROKER_LISTENER + ":PLAINTEXT," + CONTROLLER_LISTENER + ":PLAINTEXT");
        props.put("inter.broker.listener.name", BROKER_LISTENER);
        props.put("log.dirs", dir.toString());
        props.put("metadata.log.dir", dir.toString());

        props.put("num.partitions", "1");
        props.putAll(replication.brokerDefaults());
        props.put("group.initial.rebalance.delay.ms", "0");
        props.put("auto.create.topics.enable", "false");
        // The ingest topic is the source of truth: never drop records by age unless a topic asks to.
        props.put("log.retention.ms", "-1");
        props.put("log.retention.bytes", "-1");
        // Only the small internal compacted topics are cleaned; the 128 MiB default buffer is wasted heap.
        props.put("log.cleaner.dedupe.buffer.size", Integer.toString(16 * 1024 * 1024));
        props.put("server.max.startup.time.ms", Long.toString(timeout.toMillis()));
        props.putAll(overrides);
        return new KafkaConfig(props, false);
    }

    /**
     * Formats {@code dir} on first use, with {@code expectedClusterId} or else a fresh one;
     * otherwise returns the cluster id already recorded there, which must be the expected one.
     */
    private static String formatIfNeeded(Path dir, KafkaConfig config, int nodeId, Optional<String> expectedClusterId) {
        Optional<String> existing = recordedClusterId(dir);
        if (existing.isPresent()) {
            if (expectedClusterId.isPresent() && !expectedClusterId.get().equals(existing.get())) {
                throw new IllegalStateException("Kafka data directory " + dir + " belongs to the Kafka cluster "
                        + existing.get() + ", not to this quorum's " + expectedClusterId.get() + " (derived from "
                        + "mnemo.kafka.embedded.quorum unless cluster-id is set). If the quorum's addresses changed, set "
                        + "mnemo.kafka.embedded.cluster-id = \"" + existing.get() + "\" on every node; if the directory "
                        + "is a single node's or another cluster's, move it away");
            }
            return existing.get();
        }
        String clusterId = expectedClusterId.orElseGet(() -> Uuid.randomUuid().toString());
        try {
            new Formatter()
                    .setPrintStream(new PrintStream(OutputStream.nullOutputStream()))
                    .setNodeId(nodeId)
                    .setClusterId(clusterId)
                    .setControllerListenerName(CONTROLLER_LISTENER)
                    .setMetadataLogDirectory(config.metadataLogDir())
                    .addDirectory(dir.toString())
                    .run();
        } catch (Exception e) {
            throw new IllegalStateException("Cannot format Kafka storage in " + dir + ": " + e.getMessage(), e);
        }
        log.info("Formatted Kafka storage in {} for node {} of cluster {}", dir, nodeId, clusterId);
        return clusterId;
    }

    private static Optional<String> recordedClusterId(Path dir) {
        MetaPropertiesEnsemble ensemble;
        try {
            ensemble = new MetaPropertiesEnsemble.Loader().addMetadataLogDir(dir.toString()).load();
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read " + dir.resolve(MetaPropertiesEnsemble.META_PROPERTIES_NAME), e);
        }
        if (!ensemble.errorLogDirs().isEmpty()) {
            throw new IllegalStateException("Kafka data directory " + dir + " is unreadable or its "
                    + MetaPropertiesEnsemble.META_PROPERTIES_NAME + " is corrupt; fix or remove it");
        }
        if (ensemble.emptyLogDirs().contains(dir.toString())) {
            return Optional.empty();
        }
        return Optional.of(ensemble.clusterId().orElseThrow(() -> new IllegalStateException(
                dir.resolve(MetaPropertiesEnsemble.META_PROPERTIES_NAME) + " has no cluster.id; fix or remove it")));
    }

    /** Waits until the broker answers metadata requests and lists itself as a live broker. */
    private void awaitServing(long deadlineNanos) {
        Map<String, Object> props = Map.of(
                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000,
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 5_000);
        Exception last = null;
        try (Admin admin = Admin.create(props)) {
            while (System.nanoTime() < deadlineNanos) {
                long remainingMs = Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadlineNanos - System.nanoTime()));
                try {
                    var nodes = admin.describeCluster().nodes().get(remainingMs, TimeUnit.MILLISECONDS);
                    if (nodes.stream().map(Node::id).anyMatch(id -> id == nodeId)) {
                        admin.listTopics().names().get(remainingMs, TimeUnit.MILLISECONDS);
                        return;
                    }
                } catch (ExecutionException | TimeoutException e) {
                    last = e;
                }
                // Polling interval while the broker registers; startup() normally returns only once it has.
                Thread.sleep(Math.min(100, remainingMs));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while waiting for embedded Kafka on " + bootstrapServers, e);
        }
        throw new IllegalStateException("Embedded Kafka on " + bootstrapServers + " did not start serving in time"
                + (last == null ? "" : " (last error: " + last.getMessage() + ")") + "; see the broker's log", last);
    }

    /**
     * Shuts the server down, waiting at most {@link #SHUTDOWN_WAIT}: a voter whose quorum has lost
     * its majority waits in vain for a controller to approve its controlled shutdown (Kafka gives
     * it five minutes). Past the wait the broker is left to the process's exit, after which its
     * next start recovers its logs as after a crash.
     */
    private static void stop(KafkaRaftServer server) {
        Thread stopping = new Thread(() -> {
            try {
                server.shutdown();
            } finally {
                server.awaitShutdown();
            }
        }, "mnemo-kafka-stop");
        stopping.setDaemon(true);
        stopping.start();
        try {
            stopping.join(SHUTDOWN_WAIT.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (stopping.isAlive()) {
            log.warn("Embedded Kafka did not stop within {} s (no controller approved its controlled shutdown: is a "
                    + "majority of the quorum down?); leaving it to the process exit", SHUTDOWN_WAIT.toSeconds());
        }
    }

    private static String advertisedHost(String bindHost) {
        if (!bindHost.isEmpty() && !bindHost.equals("0.0.0.0") && !bindHost.equals("::")) {
            return bindHost;
        }
        try {
            return InetAddress.getLocalHost().getCanonicalHostName();
        } catch (UnknownHostException e) {
            return "localhost";
        }
    }

    private static int freePort(String host) {
        try (ServerSocket socket = new ServerSocket()) {
            socket.setReuseAddress(true);
            socket.bind(host.isEmpty() ? new InetSocketAddress(0) : new InetSocketAddress(host, 0));
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot find a free port on " + (host.isEmpty() ? "*" : host), e);
        }
    }

    private static boolean chainMentions(Throwable e, String text) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t.getMessage() != null && t.getMessage().contains(text)) {
                return true;
            }
        }
        return false;
    }

    /** The innermost cause's message (e.g. "Address already in use"), which the wrappers hide. */
    private static String rootCause(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null) {
            root = root.getCause();
        }
        return root == e || root.getMessage() == null ? "" : " (" + root.getMessage() + ")";
    }

    private static boolean causedBy(Throwable e, Class<? extends Throwable> type) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (type.isInstance(t)) {
                return true;
            }
        }
        return false;
    }

    /**
     * The broker logs every config and state change at INFO. Turn its loggers down to WARN unless
     * the logging configuration already chose a level for them; its replica fetchers down to ERROR,
     * since they log a stack trace every second while another voter is down (the status page and
     * metrics say which).
     */
    private static void quietKafkaLogging() {
        if (!LoggerFactory.getILoggerFactory().getClass().getName().startsWith("ch.qos.logback.")) {
            return;
        }
        Map<String, ch.qos.logback.classic.Level> levels = Map.of(
                "kafka", ch.qos.logback.classic.Level.WARN,
                "org.apache.kafka", ch.qos.logback.classic.Level.WARN,
                "state.change.logger", ch.qos.logback.classic.Level.WARN,
                "org.apache.zookeeper", ch.qos.logback.classic.Level.WARN,
                "kafka.server.ReplicaFetcherThread", ch.qos.logback.classic.Level.ERROR);
        levels.forEach((name, level) -> {
            var logger = (ch.qos.logback.classic.Logger) LoggerFactory.getLogger(name);
            if (logger.getLevel() == null) {
                logger.setLevel(level);
            }
        });
    }
}
