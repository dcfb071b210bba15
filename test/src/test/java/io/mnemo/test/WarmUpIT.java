package io.mnemo.test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mnemo.actors.warmup.KafkaPathWarmUp;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Before it is ready, a node pushes synthetic series through its distributor and Kafka and reads
 * them back: every sample comes back, and nothing reaches the ingest topic, a tenant's head or
 * the tenant metrics.
 */
class WarmUpIT {
    @TempDir
    Path dataDir;

    @Test
    void kafkaPathWarmUpReadsEverythingBackAndLeavesNoTrace() throws Exception {
        try (TestNode n = TestNode.start(dataDir, "mnemo.kafka-path-warm-up", "1s")) {
            KafkaPathWarmUp.Result r = n.node.kafkaWarmUp().get(0, TimeUnit.SECONDS); // done before /ready said 200
            assertNotNull(r, "the Kafka path warm-up ran");
            assertTrue(r.samplesWritten() > 0, r.toString());
            assertEquals(r.samplesWritten(), r.samplesReadBack(), "every acknowledged sample read back: " + r);

            Map<String, Long> ends = endOffsets(n.node.kafkaBootstrapServers(), 4, "mnemo-ingest", "mnemo-warm-up");
            assertEquals(0L, ends.get("mnemo-ingest"), "the ingest topic got nothing");
            assertTrue(ends.get("mnemo-warm-up") > 0, "the warm-up wrote its own topic: " + ends);

            String metrics = n.client.get("/metrics").body();
            assertFalse(metrics.contains("mnemo-warm-up"), "no warm-up tenant in the metrics");
            Matcher heads = Pattern.compile("(?m)^mnemo_ingester_head_series\\{[^}]*} (\\S+)$").matcher(metrics);
            int gauges = 0;
            while (heads.find()) {
                gauges++;
                assertEquals(0.0, Double.parseDouble(heads.group(1)), "ingester heads are empty: " + heads.group());
            }
            assertEquals(4, gauges, "one head gauge per partition");
        }
    }

    /** Each topic's end offsets over its partitions, summed. */
    private static Map<String, Long> endOffsets(String bootstrap, int partitions, String... topics) throws Exception {
        Map<String, Long> out = new HashMap<>();
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            Map<TopicPartition, OffsetSpec> request = new HashMap<>();
            for (String t : topics) for (int p = 0; p < partitions; p++) request.put(new TopicPartition(t, p), OffsetSpec.latest());
            admin.listOffsets(request).all().get(30, TimeUnit.SECONDS)
                    .forEach((tp, info) -> out.merge(tp.topic(), info.offset(), Long::sum));
        }
        return out;
    }
}
