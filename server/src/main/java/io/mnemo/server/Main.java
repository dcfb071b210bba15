package io.mnemo.server;

import com.typesafe.config.Config;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code bin/mnemo}: starts a node. */
@Command(name = "mnemo", mixinStandardHelpOptions = true, version = "mnemo 0.1.0",
        subcommands = {KafkaCommand.class, PromqlTestCommand.class},
        description = "Starts a Mnemo node: distributor, ingester and querier by default, "
                + "with an embedded Kafka broker unless mnemo.kafka.bootstrap-servers is set.")
public final class Main implements Callable<Integer> {
    private static final Logger log = LoggerFactory.getLogger(Main.class);

    @Option(names = "--config", paramLabel = "FILE", description = "HOCON file overriding conf/application.conf.")
    Path config;

    @Option(names = "--data-dir", paramLabel = "DIR", description = "Data directory (default: ./data).")
    Path dataDir;

    @Option(names = "--http-port", paramLabel = "PORT", description = "HTTP port (default: 8080).")
    Integer httpPort;

    @Option(names = "--journal.repair", description = "Truncate damaged ingester journals at the damage instead of "
            + "refusing to start; the lost range is consumed again from Kafka.")
    boolean journalRepair;

    public static void main(String[] args) {
        int code = new CommandLine(new Main()).execute(args);
        if (code != 0) System.exit(code);
    }

    @Override
    public Integer call() throws Exception {
        Map<String, Object> overrides = new HashMap<>();
        if (dataDir != null) overrides.put("mnemo.data-dir", dataDir.toString());
        if (httpPort != null) overrides.put("mnemo.http.port", httpPort);
        if (journalRepair) overrides.put("mnemo.persistence.journal.repair", "on");
        Config cfg = MnemoConfig.load(config, overrides);

        long started = System.nanoTime();
        MnemoNode node = MnemoNode.start(cfg);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            log.info("Shutting down");
            try {
                node.close();
            } catch (Exception e) {
                log.warn("Unclean shutdown: {}", e.toString());
            }
        }, "mnemo-shutdown"));
        log.info("HTTP listening on port {}: push to /api/v1/push, query under /prometheus/api/v1/", node.httpPort());

        long deadline = System.nanoTime() + Duration.ofMinutes(30).toNanos();
        while (!node.ready().toCompletableFuture().get(10, TimeUnit.SECONDS)) {
            if (System.nanoTime() > deadline) {
                log.warn("Not ready after 30 minutes; see /ingester status and logs");
                break;
            }
            Thread.sleep(100); // polling a readiness condition, with a deadline
        }
        log.info("Mnemo ready in {} ms (data dir {})", (System.nanoTime() - started) / 1_000_000,
                node.settings().dataDir());
        node.whenTerminated().toCompletableFuture().join();
        // The actor system also ends without SIGTERM: when the cluster downs this node (say, left in
        // a minority). Its broker must not linger in a process that serves nothing else; a
        // supervisor restarting the node on a non-zero exit brings it back into the cluster.
        var reason = org.apache.pekko.actor.CoordinatedShutdown.get(node.system()).getShutdownReason();
        node.closeKafka();
        if (reason.isPresent() && reason.get() == org.apache.pekko.actor.CoordinatedShutdown.clusterDowningReason()) {
            log.error("This node was downed by the cluster and has stopped; exiting with status 1");
            return 1;
        }
        return 0;
    }
}
