package io.mnemo.test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A single node whose Kafka broker (the standalone {@code bin/mnemo kafka}, in its own process so
 * that it can be killed alone) is SIGKILLed under a steady push load: while it is down every push
 * is refused with a 5xx (none acknowledged) and {@code /ready} says Kafka cannot take writes; once it
 * is back on the same data directory pushes are acknowledged again, and every sample ever
 * acknowledged is queryable, none twice.
 */
class KafkaBrokerRestartIT {
    @TempDir
    Path dir;

    @Test
    void pushesAreRefusedWhileTheBrokerIsDownAndNothingAcknowledgedIsLost() throws Exception {
        int kafkaPort = MnemoProcess.freePort();
        int http = MnemoProcess.freePort();
        String nodeConf = """
                mnemo {
                  data-dir = "%s"
                  http { host = "127.0.0.1", port = %d }
                  kafka { bootstrap-servers = "127.0.0.1:%d", produce-timeout = 5s, replication-refresh-interval = 500ms }
                  management.enabled = false
                  kafka-path-warm-up = 1s
                }
                pekko.remote.artery.canonical.port = %d
                """.formatted(dir.resolve("node"), http, kafkaPort, MnemoProcess.freePort());
        try (MnemoProcess broker = new MnemoProcess("broker", dir, MnemoProcess.SINGLE_NODE_RESTARTS, 0, 0);
             MnemoProcess node = new MnemoProcess("node", dir, nodeConf, http, 0)) {
            String[] brokerCommand = {"kafka", "--config", broker.config.toString(), "--data-dir", dir.resolve("broker").toString(),
                    "--host", "127.0.0.1", "--port", Integer.toString(kafkaPort)};
            broker.startCommand(brokerCommand);
            broker.awaitLogLine("Kafka broker .*ready on 127.0.0.1:" + kafkaPort, Duration.ofMinutes(2));
            node.start().awaitReady(Duration.ofMinutes(3));

            PushLoad load = new PushLoad("restart", "restart_metric", 200, 4, 200, List.of(node));
            try {
                Await.until("load under way", Duration.ofSeconds(60), () -> load.ackedPushes.get() >= 100);

                broker.kill();
                long down = System.nanoTime();
                Await.until("/ready says Kafka cannot take writes", Duration.ofSeconds(60), () -> {
                    MnemoClient.Response r = node.client.get("/ready");
                    return r.status() == 503 && r.body().contains("Kafka");
                });
                Await.until("pushes refused while the broker is down", Duration.ofSeconds(60),
                        () -> load.pushes(p -> p.startNanos() > down && p.status() != 0).size() >= 8);
                String notReady = node.client.get("/ready").body();

                long restarting = System.nanoTime();
                broker.startCommand(brokerCommand);
                Await.until("pushes acknowledged again", Duration.ofMinutes(2),
                        () -> load.pushes(p -> p.startNanos() > restarting && p.ok()).size() >= 100);
                Await.until("/ready again", Duration.ofSeconds(60), () -> node.client.get("/ready").status() == 200);
                load.stop();

                // Started while the broker was dead and answered before it was started again: none can
                // have been written, so none may be acknowledged; each is refused with a 5xx in bounded time.
                List<PushLoad.Push> whileDown = load.pushes(p -> p.startNanos() > down && p.endNanos() < restarting);
                System.out.printf("KafkaBrokerRestartIT: while the broker was down %d pushes were answered (statuses %s), "
                        + "within %d ms at most; /ready said: %s%n", whileDown.size(),
                        whileDown.stream().collect(Collectors.groupingBy(PushLoad.Push::status, TreeMap::new, Collectors.counting())),
                        whileDown.stream().mapToLong(p -> (p.endNanos() - p.startNanos()) / 1_000_000).max().orElse(0),
                        notReady.strip());
                assertFalse(whileDown.isEmpty());
                for (PushLoad.Push p : whileDown) {
                    assertTrue(p.status() >= 500 && p.status() < 600, "while Kafka was down: " + p);
                    assertTrue(p.endNanos() - p.startNanos() < Duration.ofSeconds(20).toNanos(), "answered in bounded time: " + p);
                }
                assertTrue(notReady.contains("Kafka"), notReady);

                Await.until("everything acknowledged is queryable", Duration.ofSeconds(60), () -> {
                    try {
                        load.verify(node);
                        return true;
                    } catch (AssertionError notYet) {
                        return false;
                    }
                });
                long samples = load.verify(node);
                System.out.printf("KafkaBrokerRestartIT: %d of %d pushes acknowledged (%s), %d acknowledged samples each "
                        + "found once%n", load.ackedPushes.get(), load.pushes.size(),
                        PushLoad.latency(load.pushes(PushLoad.Push::ok)), samples);
                assertEquals(200, node.client.get("/ready").status());
            } finally {
                load.stop();
            }
        }
    }
}
