package io.mnemo.test;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** A Mnemo node in its own JVM (the runnable jar), for tests that kill and restart nodes. */
final class MnemoProcess implements AutoCloseable {
    /**
     * What every node here is configured with before its test's own configuration, which wins.
     * Nodes start and restart often in these tests: the warm-ups still run, but shorter (as
     * {@link TestNode}'s); and on loopback a cluster forms and re-forms within seconds rather than
     * Pekko's defaults for real networks: the first seed joins itself after 1 s without answers
     * (5 s), a restarted node whose join went unanswered while its old incarnation was being
     * removed asks again after 2 s (10 s), and shard rebalancing is considered every 2 s (10 s).
     */
    static final String TEST_DEFAULTS = """
            mnemo.write-path-warm-up = 1s
            mnemo.kafka-path-warm-up = 1s
            pekko.cluster.seed-node-timeout = 1s
            pekko.cluster.retry-unsuccessful-join-after = 2s
            pekko.cluster.sharding.rebalance-interval = 2s
            """;

    /**
     * For a single node (or a standalone broker) restarting on its data. When it runs its own broker,
     * Kafka's controller refuses the restarted broker's registration until the previous
     * incarnation's session has expired (broker.session.timeout.ms, 9 s, and the registration's
     * back-off makes that up to 15 s of every restart): a 3 s session lets it register about 4 s
     * after the controller starts. And no other zone takes over reads while a stopping node's
     * ingesters are LEAVING, so they need not keep answering for the leave grace (2 s).
     * Not for the quorum of {@link KafkaQuorumIT}, whose failure detection is the example's.
     */
    static final String SINGLE_NODE_RESTARTS = """
            mnemo.kafka.embedded.broker { "broker.session.timeout.ms" = 3000, "broker.heartbeat.interval.ms" = 500 }
            mnemo.ring.leave-grace = 0s
            """;

    final String name;
    final int httpPort;
    final int remotingPort;
    final Path config;
    final MnemoClient client;
    private final Path log;
    private Process process;
    private String heap = "512m";
    private Path jar;
    /** JVM options about class data sharing; null: those of {@link NodeClassArchive#options}. */
    private List<String> classArchive;

    MnemoProcess(String name, Path dir, String hocon, int httpPort, int remotingPort) throws IOException {
        this.name = name;
        this.httpPort = httpPort;
        this.remotingPort = remotingPort;
        this.config = dir.resolve(name + ".conf");
        this.log = dir.resolve(name + ".log");
        Files.writeString(config, TEST_DEFAULTS + hocon);
        this.client = new MnemoClient(httpPort);
    }

    static Path jar() {
        Path jar = Path.of(System.getProperty("mnemo.jar", "../server/target/mnemo.jar"));
        if (!Files.isRegularFile(jar)) throw new IllegalStateException("runnable jar missing: " + jar + " (mvn package)");
        return jar;
    }

    /** Runs this jar instead of {@link #jar()}, e.g. an older build's. */
    MnemoProcess jar(Path jar) {
        this.jar = jar;
        return this;
    }

    /** The JVM's maximum heap ({@code -Xmx}) from the next start on; 512m unless set. */
    MnemoProcess heap(String xmx) {
        this.heap = xmx;
        return this;
    }

    /** This node writes the class archive to {@code file} as its JVM exits, instead of using one. */
    MnemoProcess dumpingClassArchive(Path file) {
        this.classArchive = List.of("-XX:ArchiveClassesAtExit=" + file);
        return this;
    }

    MnemoProcess start(String... extraArgs) throws IOException {
        List<String> args = new java.util.ArrayList<>(List.of("--config", config.toString()));
        args.addAll(List.of(extraArgs));
        return launch(args);
    }

    /** Starts {@code bin/mnemo <args>} as given, e.g. {@code kafka --port 9092} (the standalone broker). */
    MnemoProcess startCommand(String... args) throws IOException {
        return launch(List.of(args));
    }

    private MnemoProcess launch(List<String> args) throws IOException {
        // The JVM that runs the tests, not whichever java the PATH names.
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> command = new java.util.ArrayList<>(List.of(java, "-Xmx" + heap, "-XX:+UseSerialGC"));
        // The class archive is of this build's jar; another build's (jar(Path)) runs without one.
        if (jar == null) command.addAll(classArchive != null ? classArchive : NodeClassArchive.options());
        // E.g. -Dmnemo.it.node-jvm-options=-Dlogback.configurationFile=FILE: Pekko's and Kafka's INFO logs
        // show where a test's time goes.
        String options = System.getProperty("mnemo.it.node-jvm-options", "").strip();
        if (!options.isEmpty()) command.addAll(List.of(options.split("\\s+")));
        command.addAll(List.of("-jar", (jar != null ? jar : jar()).toString()));
        command.addAll(args);
        process = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .start();
        return this;
    }

    /** Replaces the configuration the next {@link #start} uses. */
    void reconfigure(String hocon) throws IOException {
        Files.writeString(config, TEST_DEFAULTS + hocon);
    }

    /** Everything the node (all its runs) logged so far. */
    String logText() {
        try {
            return Files.isRegularFile(log) ? Files.readString(log) : "";
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** Waits until the log has a line matching {@code regex}; returns that line. */
    String awaitLogLine(String regex, Duration timeout) {
        java.util.regex.Pattern p = java.util.regex.Pattern.compile(regex);
        String[] found = new String[1];
        Await.until("a log line matching " + regex + " (log: " + log + ")", timeout, () -> {
            for (String line : logText().split("\n")) {
                if (p.matcher(line).find()) {
                    found[0] = line;
                    return true;
                }
            }
            return false;
        });
        return found[0];
    }

    String address() {
        return "pekko://mnemo@127.0.0.1:" + remotingPort;
    }

    private volatile String lastReadyAnswer = "no answer yet";

    boolean ready() {
        try {
            if (process == null || !process.isAlive()) {
                lastReadyAnswer = "process not running";
                return false;
            }
            MnemoClient.Response r = client.get("/ready");
            lastReadyAnswer = r.status() + " " + r.body().strip();
            return r.status() == 200;
        } catch (RuntimeException notListening) {
            lastReadyAnswer = notListening.toString();
            return false;
        }
    }

    /** Waits for /ready; on a timeout the failure carries /ready's last answer and the log's tail (the temp dir is gone by the time CI reports). */
    void awaitReady(Duration timeout) {
        try {
            Await.until(name + " ready (log: " + log + ")", timeout, this::ready);
        } catch (AssertionError e) {
            // The first line is what a CI summary shows: /ready's reason belongs there.
            throw new AssertionError(e.getMessage() + "; last /ready answer: " + lastReadyAnswer.replace('\n', ' ')
                    + "\n" + logTail(60), e);
        }
    }

    /** The last lines the node logged, for failure messages. */
    String logTail(int lines) {
        String[] all = logText().split("\n");
        int from = Math.max(0, all.length - lines);
        return "last " + (all.length - from) + " lines of " + log + ":\n"
                + String.join("\n", java.util.Arrays.copyOfRange(all, from, all.length));
    }

    /** SIGKILL: the node dies without a word. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
    }

    /** SIGTERM: the node shuts down gracefully. */
    boolean terminate(Duration timeout) throws InterruptedException {
        process.destroy();
        return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    boolean alive() {
        return process != null && process.isAlive();
    }

    /** Ends the node with SIGKILL: its test is done with it (tests of a graceful stop call {@link #terminate}). */
    @Override
    public void close() throws InterruptedException {
        closeAll(List.of(this));
    }

    /** Ends these nodes as {@link #close} does, all at once. */
    static void closeAll(List<MnemoProcess> nodes) throws InterruptedException {
        List<MnemoProcess> running = nodes.stream().filter(MnemoProcess::alive).toList();
        for (MnemoProcess n : running) n.process.destroyForcibly();
        for (MnemoProcess n : running) n.process.waitFor(30, TimeUnit.SECONDS);
    }

    private static final java.util.Set<Integer> HANDED_OUT = java.util.concurrent.ConcurrentHashMap.newKeySet();

    /**
     * A port that is free now and stays free across a node's restart: taken below the kernel's
     * ephemeral range (32768 and up), because a port the kernel hands out as a client's source
     * port may be taken by any outgoing connection while a killed node is down, and then the
     * restarted node cannot bind it. Never the same port twice in one test JVM.
     */
    static int freePort() throws IOException {
        var random = java.util.concurrent.ThreadLocalRandom.current();
        for (int attempt = 0; attempt < 1000; attempt++) {
            int port = random.nextInt(15_000, 32_000);
            if (!HANDED_OUT.add(port)) continue;
            try (ServerSocket s = new ServerSocket()) {
                s.setReuseAddress(false);
                s.bind(new java.net.InetSocketAddress("127.0.0.1", port));
                return port;
            } catch (IOException taken) {
                // in use; try another
            }
        }
        throw new IOException("no free port between 15000 and 32000");
    }
}
