package io.mnemo.test;

import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.Config;
import io.mnemo.server.MnemoConfig;
import io.mnemo.server.MnemoNode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/** An in-process single node on a data directory, with random free ports. */
final class TestNode implements AutoCloseable {
    final MnemoNode node;
    final MnemoClient client;

    private TestNode(MnemoNode node) {
        this.node = node;
        this.client = new MnemoClient(node.httpPort());
    }

    static TestNode start(Path dataDir, Object... extraConfig) throws Exception {
        TestNode n = launch(dataDir, extraConfig);
        Await.until("node ready", Duration.ofSeconds(120), () -> n.client.get("/ready").status() == 200);
        return n;
    }

    /** Starts a node without waiting for it to be ready (it may not become so on its own). */
    static TestNode launch(Path dataDir, Object... extraConfig) throws Exception {
        Map<String, Object> overrides = new HashMap<>();
        overrides.put("mnemo.data-dir", dataDir.toString());
        overrides.put("mnemo.http.host", "127.0.0.1");
        overrides.put("mnemo.http.port", 0);
        overrides.put("mnemo.kafka.embedded.port", 0);
        overrides.put("mnemo.management.enabled", false);
        // The warm-ups still run, shorter: nodes start often here. A cluster forms within seconds on
        // loopback (see MnemoProcess.TEST_DEFAULTS).
        overrides.put("mnemo.write-path-warm-up", "1s");
        overrides.put("mnemo.kafka-path-warm-up", "1s");
        overrides.put("pekko.cluster.seed-node-timeout", "1s");
        overrides.put("pekko.cluster.retry-unsuccessful-join-after", "2s");
        // No other zone takes over reads while a closing node's ingesters are LEAVING.
        overrides.put("mnemo.ring.leave-grace", "0s");
        overrides.put("pekko.remote.artery.canonical.port", 0);
        overrides.put("mnemo.ingester.head-compaction-interval", "1s"); // cuts come soon after the data, as tests expect
        for (int i = 0; i < extraConfig.length; i += 2) overrides.put((String) extraConfig[i], extraConfig[i + 1]);
        Config config = MnemoConfig.load(null, overrides);
        return new TestNode(MnemoNode.start(config));
    }

    /** Waits until this node's ingesters consumed past these offsets (partition → offset), as the ring reports. */
    void awaitConsumed(String what, Map<Integer, Long> offsets) {
        Await.until(what, Duration.ofSeconds(60), () -> {
            for (JsonNode e : client.getJson("/ingester/ring").json().path("ingesters")) {
                Long last = offsets.get(e.path("partition").asInt());
                if (last != null && e.path("nextOffset").asLong() <= last) return false;
            }
            return true;
        });
    }

    @Override
    public void close() throws Exception {
        node.close();
    }
}
