package io.mnemo.test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.mnemo.tsdb.Labels;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.metrics.DoubleHistogram;
import io.opentelemetry.api.metrics.LongCounter;
import io.opentelemetry.api.metrics.Meter;
import io.opentelemetry.exporter.internal.otlp.metrics.MetricsRequestMarshaler;
import io.opentelemetry.exporter.otlp.http.metrics.OtlpHttpMetricExporter;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.metrics.Aggregation;
import io.opentelemetry.sdk.metrics.InstrumentType;
import io.opentelemetry.sdk.metrics.SdkMeterProvider;
import io.opentelemetry.sdk.metrics.data.AggregationTemporality;
import io.opentelemetry.sdk.metrics.data.MetricData;
import io.opentelemetry.sdk.metrics.export.AggregationTemporalitySelector;
import io.opentelemetry.sdk.metrics.export.DefaultAggregationSelector;
import io.opentelemetry.sdk.metrics.export.MetricExporter;
import io.opentelemetry.sdk.metrics.export.PeriodicMetricReader;
import io.opentelemetry.sdk.resources.Resource;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code POST /otlp/v1/metrics} with the real OpenTelemetry Java SDK and its OTLP/HTTP exporter
 * (protobuf, uncompressed and gzip), read back through PromQL: names as Prometheus 3 makes them
 * (unit and type suffixes), values, {@code job}/{@code instance} from the service attributes,
 * {@code target_info}, metadata; a request of over 1 MB; exponential histograms are accepted as
 * native histograms; what is refused (delta temporality, a scale below -4) is refused with a 400
 * naming it. Then
 * OTLP/JSON by hand, gzip, 413 and 415. Remote-write samples pushed before and after stay queryable.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OtlpIT {
    static final String TENANT = "otel";

    @TempDir
    static Path dataDir;

    TestNode n;
    final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @BeforeAll
    void start() throws Exception {
        n = TestNode.start(dataDir, "mnemo.distributor.max-otlp-request-size", "4MiB");
    }

    @AfterAll
    void stop() throws Exception {
        n.close();
    }

    private String endpoint() {
        return "http://127.0.0.1:" + n.node.httpPort() + "/otlp/v1/metrics";
    }

    /** Records what each export of the real exporter sent (size) and how it ended. */
    static final class Recording implements MetricExporter {
        final MetricExporter delegate;
        volatile int lastRequestBytes;
        volatile CompletableResultCode lastResult;

        Recording(MetricExporter delegate) {
            this.delegate = delegate;
        }

        @Override
        public CompletableResultCode export(Collection<MetricData> metrics) {
            lastRequestBytes = MetricsRequestMarshaler.create(metrics).getBinarySerializedSize();
            return lastResult = delegate.export(metrics);
        }

        @Override
        public CompletableResultCode flush() { return delegate.flush(); }

        @Override
        public CompletableResultCode shutdown() { return delegate.shutdown(); }

        @Override
        public AggregationTemporality getAggregationTemporality(InstrumentType type) {
            return delegate.getAggregationTemporality(type);
        }

        @Override
        public Aggregation getDefaultAggregation(InstrumentType type) {
            return delegate.getDefaultAggregation(type);
        }
    }

    /** Runs {@code record} on a fresh SDK meter provider exporting once to the node; the export's outcome. */
    private Recording export(String compression, Consumer<io.opentelemetry.exporter.otlp.http.metrics.OtlpHttpMetricExporterBuilder> exporterSettings,
                             Consumer<Meter> record) {
        var builder = OtlpHttpMetricExporter.builder().setEndpoint(endpoint()).addHeader("X-Scope-OrgID", TENANT)
                .setCompression(compression).setTimeout(Duration.ofSeconds(30));
        exporterSettings.accept(builder);
        Recording exporter = new Recording(builder.build());
        Resource resource = Resource.empty().merge(Resource.create(Attributes.builder()
                .put("service.name", "checkout").put("service.namespace", "shop").put("service.instance.id", "i-1")
                .put("deployment.environment", "it").build()));
        SdkMeterProvider provider = SdkMeterProvider.builder().setResource(resource)
                .registerMetricReader(PeriodicMetricReader.builder(exporter).setInterval(Duration.ofHours(1)).build(), type -> 50_000)
                .build();
        try {
            record.accept(provider.get("io.mnemo.test"));
            provider.forceFlush().join(60, TimeUnit.SECONDS);
        } finally {
            provider.shutdown().join(10, TimeUnit.SECONDS);
        }
        return exporter;
    }

    @Test
    void theOpenTelemetrySdkExportsAndPromqlReadsItBack() {
        long before = System.currentTimeMillis();
        assertEquals(200, n.client.push(TENANT, RemoteWrite.request()
                .series(Labels.of("__name__", "rw_before", "job", "rw"), new long[] {before}, new double[] {1}).encode()).status());

        Recording sdk = export("none", b -> {}, meter -> {
            LongCounter requests = meter.counterBuilder("http.server.requests").setUnit("{request}")
                    .setDescription("Requests served").build();
            requests.add(5, Attributes.of(AttributeKey.stringKey("http.method"), "GET"));
            requests.add(2, Attributes.of(AttributeKey.stringKey("http.method"), "POST"));
            meter.counterBuilder("net.sent").setUnit("By").build().add(1024);
            meter.upDownCounterBuilder("queue.size").build().add(-3);
            meter.gaugeBuilder("cpu.temperature").setUnit("Cel").build().set(61.5);
            meter.gaugeBuilder("cache.hit").setUnit("1").build().set(0.75);
            DoubleHistogram latency = meter.histogramBuilder("rpc.latency").setUnit("s").setDescription("RPC latency")
                    .setExplicitBucketBoundariesAdvice(List.of(0.1, 0.5, 1.0)).build();
            latency.record(0.0625);
            latency.record(0.25);
            latency.record(0.75);
            latency.record(2.0);
        });
        assertTrue(sdk.lastResult.isSuccess(), "the SDK's export succeeded");

        String id = "{job=\"shop/checkout\",instance=\"i-1\"";
        Await.until("the SDK's metrics queryable", Duration.ofSeconds(30),
                () -> value("http_server_requests_total" + id + ",http_method=\"GET\"}") != null
                        && value("rpc_latency_seconds_count" + id + "}") != null);
        assertEquals("5", value("http_server_requests_total" + id + ",http_method=\"GET\"}"));
        assertEquals("2", value("http_server_requests_total" + id + ",http_method=\"POST\"}"));
        assertEquals("1024", value("net_sent_bytes_total" + id + "}"));
        assertEquals("-3", value("queue_size" + id + "}"), "an up-down counter is a gauge");
        assertEquals("61.5", value("cpu_temperature_celsius" + id + "}"));
        assertEquals("0.75", value("cache_hit_ratio" + id + "}"));
        assertEquals("1", value("rpc_latency_seconds_bucket" + id + ",le=\"0.1\"}"));
        assertEquals("2", value("rpc_latency_seconds_bucket" + id + ",le=\"0.5\"}"));
        assertEquals("3", value("rpc_latency_seconds_bucket" + id + ",le=\"1\"}"));
        assertEquals("4", value("rpc_latency_seconds_bucket" + id + ",le=\"+Inf\"}"));
        assertEquals("4", value("rpc_latency_seconds_count" + id + "}"));
        assertEquals("3.0625", value("rpc_latency_seconds_sum" + id + "}"));
        assertEquals("0.5", value("histogram_quantile(0.5, rpc_latency_seconds_bucket)"));
        // Resource attributes other than service.* are on target_info only.
        assertEquals("1", value("target_info" + id + ",deployment_environment=\"it\"}"));
        assertEquals("0", value("count(net_sent_bytes_total{deployment_environment!=\"\"}) or vector(0)"));

        JsonNode metadata = n.client.api(TENANT, "metadata").json().path("data");
        assertEquals("counter", metadata.path("http_server_requests_total").path(0).path("type").asText(), metadata.toString());
        assertEquals("Requests served", metadata.path("http_server_requests_total").path(0).path("help").asText());
        assertEquals("histogram", metadata.path("rpc_latency_seconds").path(0).path("type").asText());
        assertEquals("seconds", metadata.path("rpc_latency_seconds").path(0).path("unit").asText());
        assertEquals("gauge", metadata.path("queue_size").path(0).path("type").asText());
        assertEquals("gauge", metadata.path("target_info").path(0).path("type").asText());

        // Over 1 MB in one request, gzip-compressed by the exporter.
        Recording big = export("gzip", b -> {}, meter -> {
            LongCounter c = meter.counterBuilder("bulk.items").build();
            for (int i = 0; i < 15_000; i++) c.add(i, Attributes.of(AttributeKey.stringKey("item.key"), "item-" + i + "-" + "x".repeat(40)));
        });
        assertTrue(big.lastResult.isSuccess(), "the big export succeeded");
        assertTrue(big.lastRequestBytes > 1 << 20, "the request had " + big.lastRequestBytes + " bytes");
        Await.until("15000 bulk series queryable", Duration.ofSeconds(60), () -> "15000".equals(value("count(bulk_items_total)")));
        assertEquals(Long.toString(15_000L * 14_999 / 2), value("sum(bulk_items_total)"));

        long after = System.currentTimeMillis();
        assertEquals(200, n.client.push(TENANT, RemoteWrite.request()
                .series(Labels.of("__name__", "rw_after", "job", "rw"), new long[] {after}, new double[] {2}).encode()).status());
        Await.until("remote write before and after queryable", Duration.ofSeconds(30),
                () -> "1".equals(value("rw_before")) && "2".equals(value("rw_after")));
    }

    @Test
    void whatIsNotStoredIsRefusedNamingIt() throws Exception {
        // The SDK's exponential histograms: native histograms, stored and read back through PromQL.
        Recording exponential = export("none", b -> b.setDefaultAggregationSelector(DefaultAggregationSelector.getDefault()
                .with(InstrumentType.HISTOGRAM, Aggregation.base2ExponentialBucketHistogram())), meter -> {
                    meter.histogramBuilder("exp.latency").setUnit("s").build().record(0.3);
                    meter.gaugeBuilder("exp.companion").build().set(4);
                });
        assertTrue(exponential.lastResult.isSuccess(), "exponential histograms are accepted as native histograms");
        // Delta temporality: refused by name, as Prometheus 3 and Mimir do by default.
        Recording delta = export("none", b -> b.setAggregationTemporalitySelector(AggregationTemporalitySelector.deltaPreferred()),
                meter -> meter.counterBuilder("delta.requests").build().add(3));
        assertFalse(delta.lastResult.isSuccess());
        Await.until("the gauge beside the exponential histogram", Duration.ofSeconds(30),
                () -> "4".equals(value("exp_companion{job=\"shop/checkout\"}")));
        Await.until("the exponential histogram as a native one", Duration.ofSeconds(30),
                () -> "1".equals(value("histogram_count(exp_latency_seconds{job=\"shop/checkout\"})")));
        assertEquals("0.3", value("histogram_sum(exp_latency_seconds{job=\"shop/checkout\"})"));
        JsonNode raw = n.client.api(TENANT, "query", "query", "exp_latency_seconds").json().path("data").path("result");
        assertEquals(1, raw.size(), raw.toString());
        assertEquals("1", raw.path(0).path("histogram").path(1).path("count").asText(), raw.toString());
        assertEquals("0", value("count({__name__=~\"delta_requests.*\"}) or vector(0)"));

        // The answers name what was refused (OTLP/JSON by hand, answered in JSON).
        long now = System.currentTimeMillis();
        HttpResponse<byte[]> r = post(jsonRequest(now, metricJson("hand.exp", "exponentialHistogram", 2,
                "{\"timeUnixNano\": \"" + now + "000000\", \"count\": \"1\", \"scale\": 0, \"positive\": {\"bucketCounts\": [\"1\"]}}")),
                "application/json", null);
        assertEquals(200, r.statusCode(), new String(r.body(), StandardCharsets.UTF_8));
        Await.until("the hand-made exponential histogram", Duration.ofSeconds(30),
                () -> "1".equals(value("histogram_count(hand_exp)")));
        r = post(jsonRequest(now, metricJson("hand.coarse", "exponentialHistogram", 2,
                "{\"timeUnixNano\": \"" + now + "000000\", \"count\": \"1\", \"scale\": -5, \"positive\": {\"bucketCounts\": [\"1\"]}}")),
                "application/json", null);
        assertEquals(400, r.statusCode());
        JsonNode status = MnemoClient.JSON.readTree(r.body());
        assertEquals(3, status.path("code").asInt(), status.toString());
        assertTrue(status.path("message").asText().contains("native histogram") && status.path("message").asText().contains("hand.coarse"),
                status.toString());
        r = post(jsonRequest(now, metricJson("hand.delta", "sum", 1, numberPoint(now, 1)), metricJson("hand.kept", "gauge", 0, numberPoint(now, 9))),
                "application/json", null);
        assertEquals(400, r.statusCode());
        assertTrue(new String(r.body(), StandardCharsets.UTF_8).contains("invalid temporality and type combination for metric \\\"hand.delta\\\""),
                new String(r.body(), StandardCharsets.UTF_8));
        Await.until("the gauge beside the delta sum", Duration.ofSeconds(30), () -> "9".equals(value("hand_kept")));
        String metrics = n.client.get("/metrics").body();
        assertTrue(metrics.contains("mnemo_discarded_samples_total{reason=\"otlp_parse_error\",tenant=\"otel\"}"), metrics);
    }

    @Test
    void jsonGzipAndWhatIsNotOtlp() throws Exception {
        long now = System.currentTimeMillis();
        byte[] json = jsonRequest(now, metricJson("json.gauge", "gauge", 0, numberPoint(now, 42)));
        HttpResponse<byte[]> r = post(json, "application/json", null);
        assertEquals(200, r.statusCode(), new String(r.body(), StandardCharsets.UTF_8));
        assertEquals("{}", new String(r.body(), StandardCharsets.UTF_8), "an empty ExportMetricsServiceResponse");
        assertEquals("application/json", r.headers().firstValue("Content-Type").orElse(""));

        r = post(gzip(jsonRequest(now, metricJson("json.gzip", "gauge", 0, numberPoint(now, 43)))), "application/json; charset=utf-8", "gzip");
        assertEquals(200, r.statusCode(), new String(r.body(), StandardCharsets.UTF_8));
        Await.until("JSON pushes queryable", Duration.ofSeconds(30),
                () -> "42".equals(value("json_gauge{job=\"hand\"}")) && "43".equals(value("json_gzip")));

        r = post(json, "text/plain", null);
        assertEquals(415, r.statusCode());
        assertTrue(new String(r.body(), StandardCharsets.UTF_8).contains("unsupported content type: text/plain"));
        r = post(json, "application/json", "br");
        assertEquals(415, r.statusCode());
        assertTrue(new String(r.body(), StandardCharsets.UTF_8).contains("unsupported compression: br"));
        r = post("{\"resourceMetrics\": [".getBytes(StandardCharsets.UTF_8), "application/json", null);
        assertEquals(400, r.statusCode());
        assertTrue(new String(r.body(), StandardCharsets.UTF_8).contains("malformed OTLP JSON"));
        r = post(new byte[] {0x0a, 0x7f, 0x01}, "application/x-protobuf", null);
        assertEquals(400, r.statusCode());
        assertTrue(new String(r.body(), StandardCharsets.UTF_8).contains("malformed OTLP metrics request"));

        // A body that inflates past max-otlp-request-size (4 MiB here): 413, without holding more.
        byte[] bomb = gzip(new byte[8 << 20]);
        r = post(bomb, "application/x-protobuf", "gzip");
        assertEquals(413, r.statusCode());
        assertTrue(new String(r.body(), StandardCharsets.UTF_8).contains("max-otlp-request-size"));
        r = post(new byte[5 << 20], "application/x-protobuf", null);
        assertEquals(413, r.statusCode());

        // No tenant: 401, as remote write.
        HttpResponse<byte[]> noTenant = http.send(HttpRequest.newBuilder(URI.create(endpoint()))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofByteArray(json)).build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(401, noTenant.statusCode());

        // And the node still takes pushes.
        r = post(jsonRequest(now, metricJson("json.after", "gauge", 0, numberPoint(now, 44))), "application/json", null);
        assertEquals(200, r.statusCode());
        Await.until("a push after the refusals", Duration.ofSeconds(30), () -> "44".equals(value("json_after")));
    }

    // ---- helpers -------------------------------------------------------------------------------

    private HttpResponse<byte[]> post(byte[] body, String contentType, String encoding) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(endpoint())).timeout(Duration.ofSeconds(60))
                .header("X-Scope-OrgID", TENANT).header("Content-Type", contentType)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        if (encoding != null) b.header("Content-Encoding", encoding);
        return http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    private static byte[] jsonRequest(long now, String... metrics) {
        return ("{\"resourceMetrics\": [{\"resource\": {\"attributes\": [{\"key\": \"service.name\", \"value\": {\"stringValue\": \"hand\"}}]},"
                + " \"scopeMetrics\": [{\"metrics\": [" + String.join(", ", metrics) + "]}]}]}").getBytes(StandardCharsets.UTF_8);
    }

    private static String metricJson(String name, String type, int temporality, String point) {
        return "{\"name\": \"" + name + "\", \"" + type + "\": {\"dataPoints\": [" + point + "]"
                + (temporality > 0 ? ", \"aggregationTemporality\": " + temporality + ", \"isMonotonic\": true" : "") + "}}";
    }

    private static String numberPoint(long millis, double value) {
        return "{\"timeUnixNano\": \"" + millis + "000000\", \"asDouble\": " + value + "}";
    }

    private static byte[] gzip(byte[] b) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(b);
        }
        return out.toByteArray();
    }

    /** The single value of an instant query now, null when it has no result. */
    private String value(String query) {
        JsonNode result = n.client.api(TENANT, "query", "query", query).json().path("data").path("result");
        if (result.size() == 0) return null;
        if (result.size() > 1) throw new AssertionError(query + " has " + result.size() + " series: " + result);
        return result.path(0).path("value").path(1).asText();
    }
}
