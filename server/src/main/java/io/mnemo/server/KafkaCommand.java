package io.mnemo.server;

import io.mnemo.server.kafka.EmbeddedKafka;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code bin/mnemo kafka}: runs the embedded single-node KRaft broker on its own, so that nodes
 * of a small cluster can share it through {@code mnemo.kafka.bootstrap-servers}.
 */
@Command(name = "kafka", mixinStandardHelpOptions = true,
        description = "Runs a standalone embedded Kafka broker (single node, KRaft) until stopped.")
final class KafkaCommand implements Callable<Integer> {
    private static final Logger log = LoggerFactory.getLogger(KafkaCommand.class);

    @Option(names = "--data-dir", paramLabel = "DIR", defaultValue = "data",
            description = "Data directory; the broker keeps its logs in DIR/kafka (default: ./data).")
    Path dataDir;

    @Option(names = "--host", defaultValue = "127.0.0.1", description = "Listen address (default: 127.0.0.1).")
    String host;

    @Option(names = "--port", defaultValue = "9092", description = "Listen port (default: 9092).")
    int port;

    @Override
    public Integer call() throws Exception {
        EmbeddedKafka kafka = EmbeddedKafka.start(dataDir.resolve("kafka"), host, port);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            kafka.close();
            stopped.countDown();
        }, "mnemo-kafka-shutdown"));
        log.info("Kafka broker ready on {} (data in {})", kafka.bootstrapServers(), dataDir.resolve("kafka"));
        stopped.await();
        return 0;
    }
}
