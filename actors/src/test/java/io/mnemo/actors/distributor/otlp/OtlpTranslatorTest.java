package io.mnemo.actors.distributor.otlp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.CodedInputStream;
import io.mnemo.actors.OtelTranslationStrategy;
import io.mnemo.actors.distributor.RemoteWriteException;
import io.mnemo.actors.prompb.Remote;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;

/**
 * The OTLP translation, request by request: OTLP/JSON in (read by {@link OtlpJson}, which the
 * protobuf path then shares), remote write 1.0 out, read back with the generated classes.
 */
class OtlpTranslatorTest {
    private static final long T = 1_700_000_000_000L; // ms
    private static final String NANOS = "\"" + T + "000000\"";

    private final OtlpJson json = new OtlpJson();
    private final OtlpTranslator translator = new OtlpTranslator();

    @Test
    void countersGaugesAndSumsGetPrometheusNamesTypesAndUnits() throws Exception {
        Remote.WriteRequest wr = translate(request(resource("\"service.name\": \"cart\""),
                metric("http.server.request.duration", "s", "sum", true, 2, point("12.5", "\"http.method\": \"GET\"")),
                metric("http.server.requests", "{request}", "sum", true, 2, "{\"timeUnixNano\": " + NANOS + ", \"asInt\": \"7\"}"),
                metric("queue.length", "", "sum", false, 2, point("3", "")),
                metric("cpu.utilization", "1", "gauge", false, 0, point("0.25", "")),
                metric("net.io", "By/s", "gauge", false, 0, point("100", ""))));
        Map<String, Double> s = samples(wr);
        assertEquals(12.5, s.get("http_server_request_duration_seconds_total{http_method=GET,job=cart}"));
        assertEquals(7.0, s.get("http_server_requests_total{job=cart}"), "an annotation in braces adds nothing");
        assertEquals(3.0, s.get("queue_length{job=cart}"), "a non-monotonic sum is a gauge: no _total");
        assertEquals(0.25, s.get("cpu_utilization_ratio{job=cart}"));
        assertEquals(100.0, s.get("net_io_bytes_per_second{job=cart}"));
        assertEquals(5, s.size(), s.toString());
        for (Remote.TimeSeries ts : wr.getTimeseriesList()) assertEquals(T, ts.getSamples(0).getTimestamp());

        Map<String, Remote.MetricMetadata> meta = metadata(wr);
        assertEquals(Remote.MetricMetadata.MetricType.COUNTER, meta.get("http_server_request_duration_seconds_total").getType());
        assertEquals("seconds", meta.get("http_server_request_duration_seconds_total").getUnit());
        assertEquals("help of http.server.request.duration", meta.get("http_server_request_duration_seconds_total").getHelp());
        assertEquals(Remote.MetricMetadata.MetricType.GAUGE, meta.get("queue_length").getType());
        assertEquals(Remote.MetricMetadata.MetricType.GAUGE, meta.get("cpu_utilization_ratio").getType());
    }

    @Test
    void eachTranslationStrategyNamesAsPrometheusDoes() {
        String name = "http.server.duration";
        assertEquals("http_server_duration_milliseconds_total", name(name, "ms", OtelTranslationStrategy.UNDERSCORE_ESCAPING_WITH_SUFFIXES));
        assertEquals("http_server_duration", name(name, "ms", OtelTranslationStrategy.UNDERSCORE_ESCAPING_WITHOUT_SUFFIXES));
        assertEquals("http.server.duration_milliseconds_total", name(name, "ms", OtelTranslationStrategy.NO_UTF8_ESCAPING_WITH_SUFFIXES));
        assertEquals("http.server.duration", name(name, "ms", OtelTranslationStrategy.NO_TRANSLATION));
        // Tokens: runs of invalid characters are one underscore; "total" moves to the end; a unit the name has is not repeated.
        assertEquals("requests_seconds_total", name("requests..total", "s", OtelTranslationStrategy.UNDERSCORE_ESCAPING_WITH_SUFFIXES));
        assertEquals("latency_seconds_total", name("latency_seconds", "s", OtelTranslationStrategy.UNDERSCORE_ESCAPING_WITH_SUFFIXES));
        assertEquals("_2xx_responses_total", name("2xx.responses", "", OtelTranslationStrategy.UNDERSCORE_ESCAPING_WITH_SUFFIXES));
        assertEquals("a__b", name("a__b", "", OtelTranslationStrategy.UNDERSCORE_ESCAPING_WITHOUT_SUFFIXES));
        assertEquals("mem_kibibytes_total", name("mem", "KiBy", OtelTranslationStrategy.UNDERSCORE_ESCAPING_WITH_SUFFIXES));
        assertEquals("jobs_per_minute_total", name("jobs", "{job}/m", OtelTranslationStrategy.UNDERSCORE_ESCAPING_WITH_SUFFIXES));
    }

    private static String name(String name, String unit, OtelTranslationStrategy s) {
        return OtlpNames.metricName(name, unit, OtlpNames.Kind.COUNTER, s);
    }

    @Test
    void attributeNamesAreSanitizedAndCollisionsJoined() throws Exception {
        Remote.WriteRequest wr = translate(request(resource(""), metric("m", "", "gauge", false, 0,
                point("1", "\"http.method\": \"GET\", \"0day\": \"x\", \"_hidden\": \"y\", \"a_b\": \"second\", \"a.b\": \"first\","
                        + " \"ok\": {\"boolValue\": true}, \"n\": {\"intValue\": \"42\"}, \"d\": {\"doubleValue\": 0.5},"
                        + " \"list\": {\"arrayValue\": {\"values\": [{\"stringValue\": \"x\"}, {\"intValue\": \"1\"}]}}"))));
        assertEquals(Map.of("m{a_b=first;second,d=0.5,http_method=GET,key_0day=x,key_hidden=y,list=[\"x\",1],n=42,ok=true}", 1.0),
                samples(wr));

        Remote.WriteRequest utf8 = translate(request(resource(""), metric("m.x", "", "gauge", false, 0,
                point("1", "\"http.method\": \"GET\""))), new OtlpTranslator.Options(OtelTranslationStrategy.NO_TRANSLATION, List.of(), false));
        assertEquals(Map.of("m.x{http.method=GET}", 1.0), samples(utf8));
    }

    @Test
    void serviceAttributesMakeJobAndInstanceAndTheRestGoesToTargetInfo() throws Exception {
        String res = resource("\"service.namespace\": \"shop\", \"service.name\": \"cart\", \"service.instance.id\": \"i-1\","
                + " \"host.name\": \"h1\", \"cloud.region\": \"eu\"");
        Remote.WriteRequest wr = translate(request(res, metric("m", "", "gauge", false, 0, point("1", "\"k\": \"v\""))));
        Map<String, Double> s = samples(wr);
        assertEquals(1.0, s.get("m{instance=i-1,job=shop/cart,k=v}"), "resource attributes are not on the series: " + s);
        assertEquals(1.0, s.get("target_info{cloud_region=eu,host_name=h1,instance=i-1,job=shop/cart}"), s.toString());
        assertEquals(2, s.size());
        assertEquals(T, timeseries(wr, "target_info").getSamples(0).getTimestamp(), "at the resource's newest sample");
        assertEquals(Remote.MetricMetadata.MetricType.GAUGE, metadata(wr).get("target_info").getType());

        Remote.WriteRequest promoted = translate(request(res, metric("m", "", "gauge", false, 0, point("1", "\"k\": \"v\""))),
                new OtlpTranslator.Options(OtelTranslationStrategy.UNDERSCORE_ESCAPING_WITH_SUFFIXES, List.of("host.name"), true));
        Map<String, Double> p = samples(promoted);
        assertEquals(1.0, p.get("m{host_name=h1,instance=i-1,job=shop/cart,k=v}"), p.toString());
        assertEquals(1.0, p.get("target_info{cloud_region=eu,host_name=h1,instance=i-1,job=shop/cart,service_instance_id=i-1,"
                + "service_name=cart,service_namespace=shop}"), "kept identifying attributes: " + p);

        Remote.WriteRequest identifyingOnly = translate(request(resource("\"service.name\": \"cart\""),
                metric("m", "", "gauge", false, 0, point("1", ""))));
        assertEquals(Map.of("m{job=cart}", 1.0), samples(identifyingOnly), "no target_info without other attributes");
        Remote.WriteRequest noService = translate(request(resource("\"host.name\": \"h1\""),
                metric("m", "", "gauge", false, 0, point("1", ""))));
        assertEquals(Map.of("m", 1.0), samples(noService), "no target_info without job or instance");
    }

    @Test
    void explicitHistogramsAreClassicBucketsAndSummariesQuantiles() throws Exception {
        String h = "{\"timeUnixNano\": " + NANOS + ", \"count\": \"10\", \"sum\": 4.5, \"bucketCounts\": [\"1\", \"2\", \"3\", \"4\"],"
                + " \"explicitBounds\": [0.005, 0.1, 1], \"exemplars\": [{\"timeUnixNano\": " + NANOS + ", \"asDouble\": 0.05,"
                + " \"traceId\": \"0102030405060708090a0b0c0d0e0f10\", \"spanId\": \"a1a2a3a4a5a6a7a8\"}]}";
        String q = "{\"timeUnixNano\": " + NANOS + ", \"count\": \"3\", \"sum\": 6, \"quantileValues\": [{\"quantile\": 0.5, \"value\": 2},"
                + " {\"quantile\": 0.99, \"value\": 3}]}";
        Remote.WriteRequest wr = translate(request(resource(""), metric("rpc.duration", "ms", "histogram", false, 2, h),
                metric("rpc.size", "By", "summary", false, 0, q)));
        Map<String, Double> s = samples(wr);
        assertEquals(1.0, s.get("rpc_duration_milliseconds_bucket{le=0.005}"));
        assertEquals(3.0, s.get("rpc_duration_milliseconds_bucket{le=0.1}"));
        assertEquals(6.0, s.get("rpc_duration_milliseconds_bucket{le=1}"));
        assertEquals(10.0, s.get("rpc_duration_milliseconds_bucket{le=+Inf}"));
        assertEquals(4.5, s.get("rpc_duration_milliseconds_sum"));
        assertEquals(10.0, s.get("rpc_duration_milliseconds_count"));
        assertEquals(2.0, s.get("rpc_size_bytes{quantile=0.5}"));
        assertEquals(3.0, s.get("rpc_size_bytes{quantile=0.99}"));
        assertEquals(6.0, s.get("rpc_size_bytes_sum"));
        assertEquals(3.0, s.get("rpc_size_bytes_count"));
        assertEquals(10, s.size(), s.toString());
        assertEquals(Remote.MetricMetadata.MetricType.HISTOGRAM, metadata(wr).get("rpc_duration_milliseconds").getType());
        assertEquals(Remote.MetricMetadata.MetricType.SUMMARY, metadata(wr).get("rpc_size_bytes").getType());

        // The exemplar is on the first bucket holding its value, with its ids in hex.
        for (Remote.TimeSeries ts : wr.getTimeseriesList()) {
            String key = key(ts);
            if (key.equals("rpc_duration_milliseconds_bucket{le=0.1}")) {
                assertEquals(1, ts.getExemplarsCount());
                Remote.Exemplar e = ts.getExemplars(0);
                assertEquals(0.05, e.getValue());
                assertEquals(T, e.getTimestamp());
                assertEquals("trace_id=0102030405060708090a0b0c0d0e0f10,span_id=a1a2a3a4a5a6a7a8", e.getLabelsList().stream()
                        .map(l -> l.getName() + "=" + l.getValue()).collect(Collectors.joining(",")));
            } else {
                assertEquals(0, ts.getExemplarsCount(), key);
            }
        }
    }

    @Test
    void pointsOfOneHistogramMayHaveTheirOwnBounds() throws Exception {
        String a = "{\"timeUnixNano\": " + NANOS + ", \"count\": \"2\", \"bucketCounts\": [\"1\", \"1\"], \"explicitBounds\": [1],"
                + " \"attributes\": [" + attributes("\"p\": \"a\"") + "]}";
        String b = "{\"timeUnixNano\": " + NANOS + ", \"count\": \"3\", \"bucketCounts\": [\"3\", \"0\"], \"explicitBounds\": [2.5],"
                + " \"attributes\": [" + attributes("\"p\": \"b\"") + "]}";
        Map<String, Double> s = samples(translate(request(resource(""), metric("h", "", "histogram", false, 2, a, b))));
        assertEquals(1.0, s.get("h_bucket{le=1,p=a}"));
        assertEquals(3.0, s.get("h_bucket{le=2.5,p=b}"), s.toString());
        assertEquals(6, s.size(), "bucket, +Inf and count of each; no sum: " + s);
    }

    @Test
    void eachResourceHasItsOwnJobAndTargetInfo() throws Exception {
        String two = "{\"resourceMetrics\": ["
                + "{\"resource\": " + resource("\"service.name\": \"a\", \"zone\": \"z1\"") + ", \"scopeMetrics\": [{\"metrics\": ["
                + metric("m", "", "gauge", false, 0, point("1", "")) + "]}]},"
                + "{\"scopeMetrics\": [{\"metrics\": [" + metric("m", "", "gauge", false, 0, point("2", "")) + "]}],"
                + " \"resource\": " + resource("\"service.instance.id\": \"i\", \"zone\": \"z2\"") + "}]}";
        assertEquals(Map.of("m{job=a}", 1.0, "m{instance=i}", 2.0, "target_info{job=a,zone=z1}", 1.0, "target_info{instance=i,zone=z2}", 1.0),
                samples(translate(two)), "the resource may come after its metrics on the wire");
    }

    @Test
    void noRecordedValueIsAStalenessMarker() throws Exception {
        Remote.WriteRequest wr = translate(request(resource(""), metric("up.down", "", "sum", false, 2,
                "{\"timeUnixNano\": " + NANOS + ", \"flags\": 1}")));
        assertEquals(OtlpTranslator.STALE_NAN_BITS, Double.doubleToRawLongBits(timeseries(wr, "up_down").getSamples(0).getValue()));
    }

    @Test
    void deltaTemporalityIsRefusedNamingTheMetricAndTheRestKept() throws Exception {
        Remote.WriteRequest wr = translate(request(resource(""),
                metric("requests", "", "sum", true, 1, point("5", "")),
                metric("latency", "s", "histogram", false, 1, "{\"timeUnixNano\": " + NANOS + ", \"count\": \"1\"}"),
                metric("kept", "", "gauge", false, 0, point("2", ""))));
        assertEquals(Map.of("kept", 2.0), samples(wr));
        assertEquals(2, translator.errors().size());
        assertTrue(translator.errors().get(0).startsWith("invalid temporality and type combination for metric \"requests\": delta"),
                translator.errors().get(0));
        assertTrue(translator.errors().get(1).contains("\"latency\""), translator.errors().get(1));
        assertEquals(2, translator.droppedPoints());
        assertFalse(metadata(wr).containsKey("requests_total"));
    }

    @Test
    void exponentialHistogramsAreNativeHistograms() throws Exception {
        String e = "{\"timeUnixNano\": " + NANOS + ", \"count\": \"9\", \"sum\": 20, \"scale\": 2, \"zeroCount\": \"1\","
                + " \"zeroThreshold\": 0.001, \"positive\": {\"offset\": -1, \"bucketCounts\": [\"2\", \"0\", \"3\", \"0\", \"0\", \"0\", \"3\"]}}";
        Remote.WriteRequest wr = translate(request(resource(""), metric("latency", "s", "exponentialHistogram", false, 2, e)));
        Remote.TimeSeries ts = timeseries(wr, "latency_seconds");
        assertEquals(0, ts.getSamplesCount());
        List<com.google.protobuf.ByteString> h = ts.getUnknownFields().getField(4).getLengthDelimitedList();
        assertEquals(1, h.size(), "one native histogram (TimeSeries field 4)");
        CodedInputStream in = h.get(0).newCodedInput();
        long count = -1, zeroCount = -1, timestamp = -1;
        int schema = 99;
        double sum = -1, zeroThreshold = -1;
        List<int[]> spans = new ArrayList<>();
        List<Long> deltas = new ArrayList<>();
        for (int tag; (tag = in.readTag()) != 0; ) {
            switch (tag >>> 3) {
                case 1 -> count = in.readUInt64();
                case 3 -> sum = in.readDouble();
                case 4 -> schema = in.readSInt32();
                case 5 -> zeroThreshold = in.readDouble();
                case 6 -> zeroCount = in.readUInt64();
                case 11 -> {
                    CodedInputStream span = in.readBytes().newCodedInput();
                    int offset = 0, length = 0;
                    for (int t; (t = span.readTag()) != 0; ) {
                        if (t >>> 3 == 1) offset = span.readSInt32();
                        else length = span.readUInt32();
                    }
                    spans.add(new int[] {offset, length});
                }
                case 12 -> {
                    CodedInputStream packed = in.readBytes().newCodedInput();
                    while (!packed.isAtEnd()) deltas.add(packed.readSInt64());
                }
                case 15 -> timestamp = in.readInt64();
                default -> in.skipField(tag);
            }
        }
        assertEquals(9, count);
        assertEquals(20.0, sum);
        assertEquals(2, schema);
        assertEquals(0.001, zeroThreshold);
        assertEquals(1, zeroCount);
        assertEquals(T, timestamp);
        // OTLP buckets -1..5 are native 0..6: 2 at 0, a gap of one kept in the span, 3 at 2; three empty start a new span.
        assertEquals("[0, 3] [3, 1]", spans.stream().map(Arrays::toString).collect(Collectors.joining(" ")));
        assertEquals(List.of(2L, -2L, 3L, 0L), deltas);
        assertEquals(Remote.MetricMetadata.MetricType.HISTOGRAM, metadata(wr).get("latency_seconds").getType());

        Remote.WriteRequest tooCoarse = translate(request(resource(""), metric("latency", "s", "exponentialHistogram", false, 2,
                "{\"timeUnixNano\": " + NANOS + ", \"count\": \"1\", \"scale\": -5}")));
        assertNull(find(tooCoarse, "latency_seconds"));
        assertTrue(translator.errors().get(0).contains("scale must be >= -4, was -5"), translator.errors().toString());
    }

    @Test
    void finerScalesAreMergedDownToEight() throws Exception {
        // Scale 10 buckets 0..3 are scale 8 bucket 0 (OTLP), native 1.
        Remote.WriteRequest wr = translate(request(resource(""), metric("x", "", "exponentialHistogram", false, 2,
                "{\"timeUnixNano\": " + NANOS + ", \"count\": \"10\", \"scale\": 10, \"positive\": {\"offset\": 0, \"bucketCounts\": [\"1\", \"2\", \"3\", \"4\"]}}")));
        CodedInputStream in = timeseries(wr, "x").getUnknownFields().getField(4).getLengthDelimitedList().get(0).newCodedInput();
        int schema = 0;
        List<Long> deltas = new ArrayList<>();
        for (int tag; (tag = in.readTag()) != 0; ) {
            if (tag >>> 3 == 4) schema = in.readSInt32();
            else if (tag >>> 3 == 12) {
                CodedInputStream packed = in.readBytes().newCodedInput();
                while (!packed.isAtEnd()) deltas.add(packed.readSInt64());
            } else in.skipField(tag);
        }
        assertEquals(8, schema);
        assertEquals(List.of(10L), deltas);
    }

    @Test
    void jsonTakesSnakeCaseKeysEnumNamesAndIgnoresUnknownKeys() throws Exception {
        String body = "{\"resource_metrics\": [{\"resource\": {\"attributes\": [{\"key\": \"service.name\", \"value\": {\"string_value\": \"a\"}}]},"
                + " \"unknown\": {\"deep\": [1, 2]}, \"scope_metrics\": [{\"metrics\": [{\"name\": \"c\", \"sum\": {\"is_monotonic\": true,"
                + " \"aggregation_temporality\": \"AGGREGATION_TEMPORALITY_CUMULATIVE\", \"data_points\": [{\"time_unix_nano\": " + T + "000000,"
                + " \"as_double\": \"Infinity\"}]}}]}]}]}";
        assertEquals(Map.of("c_total{job=a}", Double.POSITIVE_INFINITY), samples(translate(body)));
    }

    @Test
    void malformedInputIsRefusedNamingWhere() {
        RemoteWriteException json = assertThrows(RemoteWriteException.class, () -> translate("{\"resourceMetrics\": [{\"resource\": 3}]}"));
        assertTrue(json.getMessage().startsWith("malformed OTLP JSON: ResourceMetrics.resource must be an object at line 1"), json.getMessage());
        RemoteWriteException hex = assertThrows(RemoteWriteException.class, () -> translate(request(resource(""), metric("m", "", "gauge", false, 0,
                "{\"exemplars\": [{\"traceId\": \"not hex\"}]}"))));
        assertTrue(hex.getMessage().contains("is not hex"), hex.getMessage());
        byte[] truncated = {0x0a, 0x10, 0x0a};
        RemoteWriteException pb = assertThrows(RemoteWriteException.class,
                () -> translator.translate(truncated, 0, truncated.length, OtlpTranslator.Options.DEFAULT));
        assertTrue(pb.getMessage().startsWith("malformed OTLP metrics request: length 16 runs past"), pb.getMessage());
    }

    @Test
    void gzipBodiesAreInflatedWithinTheLimit() throws Exception {
        byte[] plain = new byte[100_000];
        Arrays.fill(plain, (byte) 'x');
        ByteArrayOutputStream zipped = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(zipped)) {
            gz.write(plain);
        }
        OtlpBody body = new OtlpBody(200_000);
        assertEquals(100_000, body.read(zipped.toByteArray(), true));
        assertEquals('x', body.buffer()[99_999]);
        RemoteWriteException tooLarge = assertThrows(RemoteWriteException.class, () -> new OtlpBody(50_000).read(zipped.toByteArray(), true));
        assertTrue(tooLarge.isTooLarge());
        assertTrue(tooLarge.getMessage().contains("larger than the allowed limit of 50000 bytes (err-mnemo-distributor-max-otlp-request-size)"),
                tooLarge.getMessage());
        assertTrue(assertThrows(RemoteWriteException.class, () -> new OtlpBody(10).read(plain, false)).isTooLarge());
        RemoteWriteException notGzip = assertThrows(RemoteWriteException.class, () -> body.read(plain, true));
        assertFalse(notGzip.isTooLarge());
        assertTrue(notGzip.getMessage().startsWith("decompress gzip"), notGzip.getMessage());
    }

    /** Points of gauges, counters and histograms with string attributes: no objects per point once warm. */
    @Test
    void translatingAllocatesNothingPerPoint() {
        java.lang.management.ThreadMXBean bean = java.lang.management.ManagementFactory.getThreadMXBean();
        org.junit.jupiter.api.Assumptions.assumeTrue(bean instanceof com.sun.management.ThreadMXBean, "needs HotSpot's allocation counter");
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) bean;
        int points = 5_000;
        List<String> gauge = new ArrayList<>(), histogram = new ArrayList<>();
        for (int i = 0; i < points; i++) {
            gauge.add(point(Integer.toString(i), "\"http.method\": \"GET\", \"host.name\": \"host-" + i + "\", \"ok\": \"yes\""));
            histogram.add("{\"timeUnixNano\": " + NANOS + ", \"count\": \"3\", \"sum\": 2, \"bucketCounts\": [\"1\", \"1\", \"1\"],"
                    + " \"explicitBounds\": [0.5, 1], \"attributes\": [" + attributes("\"route\": \"/r/" + i + "\"") + "]}");
        }
        byte[] body = request(resource("\"service.name\": \"s\", \"host.arch\": \"amd64\""),
                metric("g.value", "By", "gauge", false, 0, gauge.toArray(String[]::new)),
                metric("h.value", "s", "histogram", false, 2, histogram.toArray(String[]::new))).getBytes(StandardCharsets.UTF_8);
        int len = json.toProtobuf(body, 0, body.length);
        byte[] protobuf = Arrays.copyOf(json.buffer(), len);
        long allocated = Long.MAX_VALUE;
        for (int round = 0; round < 5; round++) { // the last rounds run warm
            long before = threads.getThreadAllocatedBytes(Thread.currentThread().getId());
            translator.translate(protobuf, 0, protobuf.length, OtlpTranslator.Options.DEFAULT);
            allocated = Math.min(allocated, threads.getThreadAllocatedBytes(Thread.currentThread().getId()) - before);
        }
        assertTrue(translator.errors().isEmpty());
        // 30k series written; one object per point would be well over 100 KB.
        assertTrue(allocated < 32_768, "allocated " + allocated + " bytes for " + 2 * points + " points");
    }

    // ---- helpers -------------------------------------------------------------------------------

    private Remote.WriteRequest translate(String body) throws Exception {
        return translate(body, OtlpTranslator.Options.DEFAULT);
    }

    private Remote.WriteRequest translate(String body, OtlpTranslator.Options options) throws Exception {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        int len = json.toProtobuf(bytes, 0, bytes.length);
        translator.translate(json.buffer(), 0, len, options);
        return Remote.WriteRequest.parseFrom(Arrays.copyOf(translator.output(), translator.outputSize()));
    }

    static String request(String resource, String... metrics) {
        return "{\"resourceMetrics\": [{\"resource\": " + resource + ", \"scopeMetrics\": [{\"scope\": {\"name\": \"test\"},"
                + " \"metrics\": [" + String.join(", ", metrics) + "]}]}]}";
    }

    /** A resource with string attributes given as JSON members ("k": "v", ...). */
    static String resource(String attributes) {
        return "{\"attributes\": [" + attributes(attributes) + "]}";
    }

    static String attributes(String members) {
        if (members.isBlank()) return "";
        List<String> out = new ArrayList<>();
        // "k": "v" or "k": {anyValue}; split at top-level commas
        int depth = 0, from = 0;
        for (int i = 0; i <= members.length(); i++) {
            char c = i < members.length() ? members.charAt(i) : ',';
            if (c == '{' || c == '[') depth++;
            if (c == '}' || c == ']') depth--;
            if (c == ',' && depth == 0) {
                String m = members.substring(from, i).trim();
                int colon = m.indexOf("\":");
                String key = m.substring(0, colon + 1), value = m.substring(colon + 2).trim();
                out.add("{\"key\": " + key + ", \"value\": " + (value.startsWith("{") ? value : "{\"stringValue\": " + value + "}") + "}");
                from = i + 1;
            }
        }
        return String.join(", ", out);
    }

    static String metric(String name, String unit, String type, boolean monotonic, int temporality, String... points) {
        String data = "{\"dataPoints\": [" + String.join(", ", points) + "]"
                + (type.equals("sum") ? ", \"isMonotonic\": " + monotonic : "")
                + (temporality > 0 ? ", \"aggregationTemporality\": " + temporality : "") + "}";
        return "{\"name\": \"" + name + "\", \"description\": \"help of " + name + "\", \"unit\": \"" + unit + "\", \""
                + type + "\": " + data + "}";
    }

    static String point(String value, String attributes) {
        return "{\"timeUnixNano\": " + NANOS + ", \"asDouble\": " + value + ", \"attributes\": [" + attributes(attributes) + "]}";
    }

    /** Series as name{label=value,...} (sorted labels, without __name__) to their one sample's value. */
    static Map<String, Double> samples(Remote.WriteRequest wr) {
        Map<String, Double> out = new TreeMap<>();
        for (Remote.TimeSeries ts : wr.getTimeseriesList()) {
            assertEquals(1, ts.getSamplesCount(), key(ts));
            out.put(key(ts), ts.getSamples(0).getValue());
        }
        return out;
    }

    static String key(Remote.TimeSeries ts) {
        String name = "";
        List<String> labels = new ArrayList<>();
        String previous = "";
        for (Remote.Label l : ts.getLabelsList()) {
            assertTrue(l.getName().compareTo(previous) > 0, "labels sorted and distinct: " + ts.getLabelsList());
            previous = l.getName();
            if (l.getName().equals("__name__")) name = l.getValue();
            else labels.add(l.getName() + "=" + l.getValue());
        }
        return labels.isEmpty() ? name : name + "{" + String.join(",", labels) + "}";
    }

    static Remote.TimeSeries find(Remote.WriteRequest wr, String name) {
        for (Remote.TimeSeries ts : wr.getTimeseriesList()) {
            for (Remote.Label l : ts.getLabelsList()) if (l.getName().equals("__name__") && l.getValue().equals(name)) return ts;
        }
        return null;
    }

    static Remote.TimeSeries timeseries(Remote.WriteRequest wr, String name) {
        Remote.TimeSeries ts = find(wr, name);
        if (ts == null) throw new AssertionError("no series " + name + " in " + samples(wr));
        return ts;
    }

    static Map<String, Remote.MetricMetadata> metadata(Remote.WriteRequest wr) {
        Map<String, Remote.MetricMetadata> out = new TreeMap<>();
        for (Remote.MetricMetadata m : wr.getMetadataList()) out.put(m.getMetricFamilyName(), m);
        return out;
    }
}
