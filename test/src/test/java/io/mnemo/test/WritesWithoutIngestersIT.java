package io.mnemo.test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.mnemo.tsdb.Labels;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Writes never wait for ingesters: a distributor+querier node takes pushes (200) while no ingester
 * exists, and while it is not even a cluster member yet (so {@code /ready} says 503); an ingester
 * node that joins later catches up from Kafka and everything becomes queryable; with that node
 * stopped pushes still succeed, and once it returns it resumes from its own journal and catches up
 * on what it missed. The distributor and querier status pages are checked along the way.
 */
class WritesWithoutIngestersIT {
    static final int PARTITIONS = 4;
    static final int SERIES = 100;
    static final int SAMPLES = 5;
    static final long T0 = 1_700_000_000_000L;
    static final long STEP = 15_000;
    static final String TENANT = "nowait";

    @TempDir
    Path dir;

    @Test
    void pushesSucceedWithoutIngestersAndAreQueryableOnceTheyReturn() throws Exception {
        int distributorPort = MnemoProcess.freePort();
        int ingesterPort = MnemoProcess.freePort();
        // The ingester node is the first seed: the distributor node cannot join before it exists.
        List<String> seeds = List.of("pekko://mnemo@127.0.0.1:" + ingesterPort, "pekko://mnemo@127.0.0.1:" + distributorPort);
        try (TestNode d = TestNode.launch(dir.resolve("distributor"),
                "mnemo.roles", List.of("distributor", "querier"),
                "mnemo.kafka.partitions", PARTITIONS,
                "mnemo.ring.heartbeat-timeout", "5s",
                // No ingester here reads the Kafka path warm-up back, and it then waits out its 30 s
                // drain timeout before /ready can say 200 (KafkaPathWarmUp): off.
                "mnemo.kafka-path-warm-up", "0s",
                "pekko.remote.artery.canonical.port", distributorPort,
                "pekko.cluster.seed-nodes", seeds)) {
            MnemoClient.Response notReady = d.client.get("/ready");
            assertEquals(503, notReady.status(), notReady.body());
            assertTrue(notReady.body().contains("not an Up cluster member"), notReady.body());

            // No ingester anywhere: pushes are acknowledged once Kafka has them.
            for (int batch = 0; batch < 3; batch++) assertEquals(200, push(d, batch).status());
            MnemoClient.Response noReader = d.client.api(TENANT, "query", "query", "nowait_metric", "time",
                    Long.toString(T0 / 1000));
            assertEquals(503, noReader.status(), noReader.body());
            assertTrue(noReader.body().contains("has no readable ingester"), noReader.body());

            JsonNode distributor = d.client.getJson("/distributor/status").json();
            assertEquals(3, distributor.path("pushes").asLong(), distributor.toString());
            assertEquals(3L * SERIES * SAMPLES, distributor.path("acceptedSamples").asLong());
            assertTrue(distributor.path("kafkaProducer").path("reachable").asBoolean(), distributor.toString());
            assertEquals(3, distributor.path("kafkaProducer").path("acknowledgedPushes").asLong());
            assertEquals(0, distributor.path("kafkaProducer").path("failedPushes").asLong());
            assertEquals(PARTITIONS, distributor.path("partitions").size());
            // Every push of SERIES series writes one record to each partition.
            for (JsonNode p : distributor.path("partitions")) assertEquals(3, p.path("endOffset").asLong(), p.toString());
            assertEquals(TENANT, distributor.path("tenants").get(0).path("tenant").asText());
            // A refused push shows up by reason.
            assertEquals(400, d.client.push(TENANT, new byte[] {1, 2, 3}).status());
            JsonNode rejected = d.client.getJson("/distributor/status").json().path("rejectedRequests");
            assertEquals("malformed", rejected.get(0).path("reason").asText(), rejected.toString());
            assertEquals(1, rejected.get(0).path("requests").asLong());
            MnemoClient.Response html = d.client.get("/distributor/status");
            assertEquals(200, html.status());
            assertTrue(html.body().startsWith("<!DOCTYPE html>") && html.body().contains("<h2>kafkaProducer</h2>")
                    && html.body().contains("<td>malformed</td>"), html.body());

            for (JsonNode p : querierPartitions(d)) {
                assertTrue(p.path("reader").isNull(), p.toString());
                assertTrue(p.path("reason").asText().startsWith("no readable ingester"), p.toString());
            }

            Map<Integer, Long> endOffsets;
            Object[] ingesterConfig = {
                    "mnemo.roles", List.of("ingester"),
                    "mnemo.kafka.bootstrap-servers", d.node.kafkaBootstrapServers(),
                    "mnemo.kafka.partitions", PARTITIONS,
                    "mnemo.ring.heartbeat-timeout", "5s",
                    "pekko.remote.artery.canonical.port", ingesterPort,
                    "pekko.cluster.seed-nodes", seeds};
            try (TestNode ingester = TestNode.start(dir.resolve("ingester"), ingesterConfig)) {
                Await.until("distributor node Up", Duration.ofSeconds(60), () -> d.client.get("/ready").status() == 200);
                Await.until("what was pushed before any ingester existed is queryable", Duration.ofSeconds(60),
                        () -> complete(d, 3));
                for (JsonNode p : querierPartitions(d)) {
                    assertEquals("zone-a/" + p.path("partition").asInt(), p.path("reader").asText(), p.toString());
                    assertEquals("ACTIVE", p.path("state").asText());
                    assertEquals("ACTIVE in this querier's zone", p.path("reason").asText());
                }
                MnemoClient.Response querierHtml = d.client.get("/querier/status");
                assertTrue(querierHtml.body().contains("<td>ACTIVE in this querier's zone</td>"), querierHtml.body());
                endOffsets = endOffsets(d);
                Await.until("ingesters report the end of their partitions", Duration.ofSeconds(30),
                        () -> nextOffsets(ingester).equals(endOffsets));
            }

            // The only ingester node is gone: pushes are still acknowledged.
            for (int batch = 3; batch < 5; batch++) assertEquals(200, push(d, batch).status());

            try (TestNode ingester = TestNode.start(dir.resolve("ingester"), ingesterConfig)) {
                Await.until("everything, also what was pushed while the ingesters were away, is queryable",
                        Duration.ofSeconds(60), () -> complete(d, 5));
                // Each ingester replayed its journal and resumed where it had stopped, not at offset 0.
                JsonNode ring = ingester.client.getJson("/ingester/ring").json().path("ingesters");
                assertEquals(PARTITIONS, ring.size(), ring.toString());
                for (JsonNode e : ring) {
                    assertEquals(endOffsets.get(e.path("partition").asInt()).longValue(), e.path("resumedOffset").asLong(),
                            e.toString());
                }
            }
        }
    }

    private static List<JsonNode> querierPartitions(TestNode via) {
        JsonNode status = via.client.getJson("/querier/status").json();
        assertEquals("zone-a", status.path("zone").asText(), status.toString());
        assertEquals(PARTITIONS, status.path("partitions").size());
        java.util.ArrayList<JsonNode> out = new java.util.ArrayList<>();
        status.path("partitions").forEach(out::add);
        return out;
    }

    private static Map<Integer, Long> endOffsets(TestNode distributor) {
        Map<Integer, Long> out = new HashMap<>();
        for (JsonNode p : distributor.client.getJson("/distributor/status").json().path("partitions")) {
            out.put(p.path("partition").asInt(), p.path("endOffset").asLong());
        }
        return out;
    }

    private static Map<Integer, Long> nextOffsets(TestNode ingester) {
        Map<Integer, Long> out = new HashMap<>();
        for (JsonNode e : ingester.client.getJson("/ingester/ring").json().path("ingesters")) {
            out.put(e.path("partition").asInt(), e.path("nextOffset").asLong());
        }
        return out;
    }

    /** Batch b holds SAMPLES samples of every series, after those of batch b - 1. */
    private static MnemoClient.Response push(TestNode via, int batch) {
        RemoteWrite w = RemoteWrite.request();
        for (int s = 0; s < SERIES; s++) {
            long[] ts = new long[SAMPLES];
            double[] vs = new double[SAMPLES];
            for (int i = 0; i < SAMPLES; i++) {
                ts[i] = T0 + (batch * SAMPLES + i) * STEP;
                vs[i] = batch * SAMPLES + i;
            }
            w.series(Labels.of("__name__", "nowait_metric", "series", Integer.toString(s)), ts, vs);
        }
        return via.client.push(TENANT, w.encode());
    }

    /** Every series with every sample of the first {@code batches} batches, through this node's querier. */
    private static boolean complete(TestNode via, int batches) {
        JsonNode r = via.client.api(TENANT, "query", "query", "nowait_metric[1h]",
                "time", Long.toString((T0 + (batches * SAMPLES - 1) * STEP) / 1000)).json();
        if (!"success".equals(r.path("status").asText())) return false;
        JsonNode result = r.path("data").path("result");
        if (result.size() != SERIES) return false;
        for (JsonNode s : result) if (s.path("values").size() != batches * SAMPLES) return false;
        return true;
    }
}
