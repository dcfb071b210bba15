package io.mnemo.server;

import com.typesafe.config.Config;
import io.mnemo.server.kafka.EmbeddedKafka;
import io.mnemo.server.kafka.KafkaSetup;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code bin/mnemo kafka}: runs an embedded KRaft broker on its own, for brokers on VMs of their
 * own. Without a quorum in the configuration it is a single broker that the nodes of a small
 * cluster share through {@code mnemo.kafka.bootstrap-servers}; with {@code mnemo.kafka.embedded.quorum}
 * and a node id it is that voter of the quorum, and Mnemo nodes that list the same quorum (with
 * node id 0) use all its brokers.
 */
@Command(name = "kafka", mixinStandardHelpOptions = true,
        description = "Runs a standalone embedded Kafka broker (KRaft) until stopped: a single broker, or, with "
                + "mnemo.kafka.embedded.quorum in --config and a node id, one voter of that quorum.")
final class KafkaCommand implements Callable<Integer> {
    private static final Logger log = LoggerFactory.getLogger(KafkaCommand.class);

    @Option(names = "--config", paramLabel = "FILE",
            description = "HOCON file overriding conf/application.conf (mnemo.kafka.embedded: quorum, node-id, broker).")
    Path config;

    @Option(names = "--node-id", paramLabel = "N", description = "This broker's id in mnemo.kafka.embedded.quorum.")
    Integer nodeId;

    @Option(names = "--data-dir", paramLabel = "DIR",
            description = "Data directory; the broker keeps its logs in DIR/kafka (default: mnemo.data-dir, ./data).")
    Path dataDir;

    @Option(names = "--host", description = "Listen address of a single broker (default: 127.0.0.1).")
    String host;

    @Option(names = "--port", description = "Listen port of a single broker (default: 9092).")
    Integer port;

    @Override
    public Integer call() throws Exception {
        Map<String, Object> overrides = new HashMap<>();
        if (dataDir != null) overrides.put("mnemo.data-dir", dataDir.toString());
        if (nodeId != null) overrides.put("mnemo.kafka.embedded.node-id", nodeId);
        if (host != null) overrides.put("mnemo.kafka.embedded.host", host);
        if (port != null) overrides.put("mnemo.kafka.embedded.port", port);
        // A broker of its own: an external Kafka named in a shared file is not this process's business.
        overrides.put("mnemo.kafka.bootstrap-servers", "");
        Config cfg = MnemoConfig.load(config, overrides);
        KafkaSetup setup = KafkaSetup.from(cfg);
        if (!setup.runsBroker()) {
            throw new IllegalArgumentException("mnemo.kafka.embedded.quorum is set: give this broker's id in it with --node-id");
        }
        Path kafkaDir = Path.of(cfg.getString("mnemo.data-dir")).resolve("kafka");
        EmbeddedKafka kafka = setup.startBroker(kafkaDir);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            kafka.close();
            stopped.countDown();
        }, "mnemo-kafka-shutdown"));
        log.info("Kafka broker {} ready on {} (data in {}; {}); clients bootstrap from {}", kafka.nodeId(),
                kafka.bootstrapServers(), kafkaDir, setup, setup.bootstrapServers(kafka));
        stopped.await();
        return 0;
    }
}
