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
import java.util.List;
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
 * A single-node Kafka broker in KRaft mode (combined {@code broker,controller} roles, node id 1)
 * running inside the Mnemo process, for single-node deployments and tests.
 *
 * <p>The broker owns one directory, which holds both the partition logs and the
 * {@code __cluster_metadata} log. The first start formats it with a fresh cluster id (written to
 * {@code meta.properties}); later starts reuse the directory as it is, so the topic, its records
 * and the cluster id survive restarts, also when the port changes.
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

    private final KafkaRaftServer server;
    private final Path dataDir;
    private final String clusterId;
    private final String bootstrapServers;
    private final int port;
    private final AtomicBoolean closed = new AtomicBoolean();

    private EmbeddedKafka(KafkaRaftServer server, Path dataDir, String clusterId, String advertisedHost, int port) {
        this.server = server;
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
        Path dir = dataDir.toAbsolutePath();
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot create the Kafka data directory " + dir, e);
        }
        String bindHost = host == null ? "" : host.trim();
        String advertisedHost = advertisedHost(bindHost);
        long deadline = System.nanoTime() + timeout.toNanos();

        for (int attempt = 1; ; attempt++) {
            int brokerPort = port == 0 ? freePort(bindHost) : port;
            int controllerPort = freePort(CONTROLLER_HOST);
            KafkaConfig config = config(dir, bindHost, advertisedHost, brokerPort, controllerPort, overrides, timeout);
            String clusterId = formatIfNeeded(dir, config);
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
            EmbeddedKafka kafka = new EmbeddedKafka(server, dir, clusterId, advertisedHost, brokerPort);
            try {
                kafka.awaitServing(deadline);
            } catch (RuntimeException e) {
                kafka.close();
                throw e;
            }
            return kafka;
        }
    }

    /** {@code host:port} for clients' {@code bootstrap.servers}. */
    public String bootstrapServers() {
        return bootstrapServers;
    }

    /** The client listener's port (the one picked when 0 was asked for). */
    public int port() {
        return port;
    }

    /** The KRaft cluster id, generated at the first start and kept in {@code meta.properties}. */
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

    private static KafkaConfig config(Path dir, String bindHost, String advertisedHost, int brokerPort,
                                      int controllerPort, Map<String, String> overrides, Duration timeout) {
        Map<String, Object> props = new HashMap<>();
        props.put("process.roles", "broker,controller");
        props.put("node.id", Integer.toString(NODE_ID));
        // A static quorum of one: the voter set lives in the config, not in the metadata log,
        // so a restart may pick another controller port.
        props.put("controller.quorum.voters", NODE_ID + "@" + CONTROLLER_HOST + ":" + controllerPort);
        props.put("controller.listener.names", CONTROLLER_LISTENER);
        props.put("listeners", BROKER_LISTENER + "://" + bindHost + ":" + brokerPort + ","
                + CONTROLLER_LISTENER + "://" + CONTROLLER_HOST + ":" + controllerPort);
        props.put("advertised.listeners", BROKER_LISTENER + "://" + advertisedHost + ":" + brokerPort);
        props.put("listener.security.protocol.map", BROKER_LISTENER + ":PLAINTEXT," + CONTROLLER_LISTENER + ":PLAINTEXT");
        props.put("inter.broker.listener.name", BROKER_LISTENER);
        props.put("log.dirs", dir.toString());
        props.put("metadata.log.dir", dir.toString());

        props.put("num.partitions", "1");
        props.put("default.replication.factor", "1");
        props.put("min.insync.replicas", "1");
        props.put("offsets.topic.replication.factor", "1");
        props.put("transaction.state.log.replication.factor", "1");
        props.put("transaction.state.log.min.isr", "1");
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

    /** Formats {@code dir} on first use; otherwise returns the cluster id already recorded there. */
    private static String formatIfNeeded(Path dir, KafkaConfig config) {
        Optional<String> existing = recordedClusterId(dir);
        if (existing.isPresent()) {
            return existing.get();
        }
        String clusterId = Uuid.randomUuid().toString();
        try {
            new Formatter()
                    .setPrintStream(new PrintStream(OutputStream.nullOutputStream()))
                    .setNodeId(NODE_ID)
                    .setClusterId(clusterId)
                    .setControllerListenerName(CONTROLLER_LISTENER)
                    .setMetadataLogDirectory(config.metadataLogDir())
                    .addDirectory(dir.toString())
                    .run();
        } catch (Exception e) {
            throw new IllegalStateException("Cannot format Kafka storage in " + dir + ": " + e.getMessage(), e);
        }
        log.info("Formatted Kafka storage in {} with new cluster id {}", dir, clusterId);
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
                    if (nodes.stream().map(Node::id).anyMatch(id -> id == NODE_ID)) {
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

    private static void stop(KafkaRaftServer server) {
        try {
            server.shutdown();
        } finally {
            server.awaitShutdown();
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
     * the logging configuration already chose a level for them.
     */
    private static void quietKafkaLogging() {
        if (!LoggerFactory.getILoggerFactory().getClass().getName().startsWith("ch.qos.logback.")) {
            return;
        }
        for (String name : List.of("kafka", "org.apache.kafka", "state.change.logger", "org.apache.zookeeper")) {
            var logger = (ch.qos.logback.classic.Logger) LoggerFactory.getLogger(name);
            if (logger.getLevel() == null) {
                logger.setLevel(ch.qos.logback.classic.Level.WARN);
            }
        }
    }
}
