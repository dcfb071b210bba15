package io.mnemo.test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real Prometheus (Debian's package, installed by .ci/run) scrapes itself and remote-writes to
 * Mnemo; its own series must then be found through Mnemo's query API.
 */
class PrometheusInteropIT {
    @TempDir
    Path dir;

    @Test
    void prometheusRemoteWritesIntoMnemo() throws Exception {
        Path prometheus = PrometheusTools.prometheus();

        // Debian's Prometheus 2.42 does not send remote_write `headers` (seen here: the config is
        // accepted, the header never arrives), so the tenant comes from no-auth-tenant instead.
        try (TestNode mnemo = TestNode.start(dir.resolve("mnemo"),
                "mnemo.multitenancy-enabled", false, "mnemo.no-auth-tenant", "interop")) {
            int promPort = MnemoProcess.freePort();
            Path config = dir.resolve("prometheus.yml");
            Files.writeString(config, """
                    global:
                      scrape_interval: 1s
                      evaluation_interval: 1s
                    scrape_configs:
                      - job_name: prometheus
                        static_configs:
                          - targets: ['127.0.0.1:%d']
                    remote_write:
                      - url: http://127.0.0.1:%d/api/v1/push
                        metadata_config:
                          send_interval: 1s
                        queue_config:
                          batch_send_deadline: 1s
                          min_backoff: 100ms
                          max_backoff: 1s
                    """.formatted(promPort, mnemo.node.httpPort()));
            Process p = new ProcessBuilder(prometheus.toString(),
                    "--config.file=" + config,
                    "--storage.tsdb.path=" + dir.resolve("prom-data"),
                    "--web.listen-address=127.0.0.1:" + promPort)
                    .redirectErrorStream(true)
                    .redirectOutput(dir.resolve("prometheus.log").toFile())
                    .start();
            try {
                Await.until("prometheus_build_info in Mnemo", Duration.ofSeconds(90), () -> {
                    JsonNode r = mnemo.client.api("interop", "query", "query", "prometheus_build_info").json();
                    return r.path("data").path("result").size() == 1;
                });
                JsonNode build = mnemo.client.api("interop", "query", "query", "prometheus_build_info").json()
                        .path("data").path("result").get(0).path("metric");
                assertEquals("prometheus", build.path("job").asText());
                assertTrue(build.path("version").asText().startsWith("2."), build.toString());

                Await.until("up == 1 in Mnemo", Duration.ofSeconds(60), () -> {
                    JsonNode r = mnemo.client.api("interop", "query", "query", "up{job=\"prometheus\"}").json();
                    JsonNode res = r.path("data").path("result");
                    return res.size() == 1 && res.get(0).path("value").get(1).asText().equals("1");
                });
                // Prometheus also sends metric metadata; Mnemo serves it like Prometheus's /api/v1/metadata.
                Await.until("metadata of prometheus_build_info", Duration.ofSeconds(60), () -> mnemo.client
                        .api(null, "metadata", "metric", "prometheus_build_info").json()
                        .path("data").path("prometheus_build_info").size() == 1);
                JsonNode meta = mnemo.client.api(null, "metadata", "metric", "prometheus_build_info").json()
                        .path("data").path("prometheus_build_info").get(0);
                assertEquals("gauge", meta.path("type").asText());
                assertTrue(meta.path("help").asText().contains("build"), meta.toString());
                assertTrue(mnemo.client.api(null, "metadata").json().path("data").size() > 20);

                JsonNode series = mnemo.client.api(null, "series", "match[]", "{job=\"prometheus\"}").json();
                assertTrue(series.path("data").size() > 50, "a Prometheus exposes many series: " + series);
            } finally {
                p.destroy();
                if (!p.waitFor(30, TimeUnit.SECONDS)) p.destroyForcibly();
            }
        }
    }

}
