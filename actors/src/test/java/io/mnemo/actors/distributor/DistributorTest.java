package io.mnemo.actors.distributor;

import static io.mnemo.actors.distributor.Fixtures.sample;
import static io.mnemo.actors.distributor.Fixtures.series;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.mnemo.actors.MnemoMetrics;
import io.mnemo.actors.MnemoSettings;
import io.mnemo.actors.prompb.Remote;
import io.mnemo.actors.ingest.IngestRecordReader;
import io.mnemo.actors.ingest.PartitionWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.File;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.xerial.snappy.Snappy;

/** The distributor without Kafka: what it answers, what it produces and what it counts, by the clock it is given. */
class DistributorTest {
    static final long NOW = 1_700_000_000_000L;
    static final long MINUTE = 60_000;

    /** A record the distributor wrote. */
    record Written(String topic, int partition, String tenant, byte[] value) {}

    /** A sink that keeps what it is sent and acknowledges at once (or fails, when told to). */
    static final class CapturingSink implements PartitionWriter {
        final List<Written> sent = new ArrayList<>();
        volatile boolean down;

        @Override
        public synchronized CompletionStage<?> write(String topic, int partition, String tenant, byte[] record) {
            if (down) return CompletableFuture.failedFuture(new IllegalStateException("broker gone"));
            sent.add(new Written(topic, partition, tenant, record));
            return CompletableFuture.completedFuture(null);
        }

        @Override
        public void close() {}

        /** Every float sample produced, as "labels@timestamp". */
        synchronized List<String> samples() {
            List<String> out = new ArrayList<>();
            IngestRecordReader r = new IngestRecordReader();
            for (Written record : sent) {
                r.reset(record.value());
                while (r.nextSeries()) {
                    for (int i = 0; i < r.sampleCount(); i++) out.add(r.labels() + "@" + r.sampleTimestamp(i));
                }
            }
            return out;
        }
    }

    /** The node's defaults (conf/application.conf) under these overrides. */
    static MnemoSettings settings(String overrides) {
        Config conf = ConfigFactory.parseFile(new File("../conf/application.conf"));
        return MnemoSettings.from(ConfigFactory.parseString(overrides).withFallback(conf).resolve());
    }

    final CapturingSink sink = new CapturingSink();
    final MnemoMetrics metrics = new MnemoMetrics(new PrometheusRegistry());
    final Distributor distributor = new Distributor(settings("mnemo.limits.tenants.strict.past-grace-period = 1h"),
            metrics, sink, Clock.fixed(Instant.ofEpochMilli(NOW), ZoneOffset.UTC));

    @AfterEach
    void close() {
        distributor.close();
    }

    private PushResult push(String tenant, Remote.WriteRequest request) throws Exception {
        return distributor.push(tenant, Snappy.compress(request.toByteArray())).toCompletableFuture().get();
    }

    private double discarded(String tenant, String reason) {
        return metrics.discardedSamples.labelValues(tenant, reason).get();
    }

    @Test
    void samplesBeyondTheCreationGracePeriodAreRefusedOneByOne() throws Exception {
        PushResult r = push("t", Fixtures.request(
                series("__name__", "clock").addSamples(sample(NOW - MINUTE, 1)).addSamples(sample(NOW + 10 * MINUTE, 2))
                        .addSamples(sample(NOW + 10 * MINUTE + 1, 3)),
                series("__name__", "other").addSamples(sample(NOW, 4))));
        assertEquals(400, r.status());
        assertTrue(r.message().startsWith("received a sample whose timestamp is too far in the future, timestamp: "
                + (NOW + 10 * MINUTE + 1) + " series: '{__name__=\"clock\"}' (err-mnemo-too-far-in-future)"), r.message());
        assertEquals(List.of("{__name__=\"clock\"}@" + (NOW - MINUTE), "{__name__=\"clock\"}@" + (NOW + 10 * MINUTE),
                "{__name__=\"other\"}@" + NOW), sink.samples().stream().sorted().toList());
        assertEquals(1, discarded("t", "too_far_in_future"));
        assertEquals(3, metrics.receivedSamples.labelValues("t").get(), "accepted samples are counted as received");
        assertEquals(1, metrics.rejectedRequests.labelValues("invalid_series").get());
    }

    @Test
    void pastGracePeriodIsPerTenantAndOffByDefault() throws Exception {
        Remote.WriteRequest old = Fixtures.request(series("__name__", "old")
                .addSamples(sample(NOW - 2 * 60 * MINUTE, 1)).addSamples(sample(NOW - 30 * MINUTE, 2)));
        PushResult strict = push("strict", old);
        assertEquals(400, strict.status());
        assertTrue(strict.message().contains("too far in the past, timestamp: " + (NOW - 2 * 60 * MINUTE)), strict.message());
        assertTrue(strict.message().contains("(err-mnemo-too-far-in-past)"), strict.message());
        assertEquals(1, discarded("strict", "too_far_in_past"));
        assertEquals(1, sink.samples().size());

        assertEquals(200, push("t", old).status());
        assertEquals(3, sink.samples().size());
    }

    @Test
    void refusedMetadataIsCountedAsMetadata() throws Exception {
        PushResult r = push("t", Remote.WriteRequest.newBuilder()
                .addTimeseries(series("__name__", "up").addSamples(sample(NOW, 1)))
                .addMetadata(Remote.MetricMetadata.newBuilder().setMetricFamilyName("u").setUnit("x".repeat(1025)))
                .build());
        assertEquals(400, r.status());
        assertTrue(r.message().contains("err-mnemo-unit-too-long"), r.message());
        assertEquals(1, metrics.discardedMetadata.labelValues("t", "unit_too_long").get());
        assertEquals(1, metrics.rejectedRequests.labelValues("invalid_metadata").get());
        assertEquals(1, sink.samples().size(), "the series is written");
    }

    @Test
    void aRehearsalIsNotHeldToTheClock() throws Exception {
        byte[] body = Snappy.compress(Fixtures.request(series("__name__", "warm").addSamples(sample(1_000, 1))).toByteArray());
        PushResult r = distributor.rehearse("warm-up", body, "mnemo-warm-up").toCompletableFuture().get();
        assertEquals(200, r.status(), r.message());
        assertEquals(1, sink.samples().size());
    }

    @Test
    void nothingAcknowledgedIsA503() throws Exception {
        sink.down = true;
        PushResult r = push("t", Fixtures.request(series("__name__", "up").addSamples(sample(NOW, 1))));
        assertEquals(503, r.status());
        assertTrue(r.message().contains("nothing was acknowledged"), r.message());
    }

    private PushResult pushV2(String tenant, byte[] request) throws Exception {
        return distributor.push(tenant, Snappy.compress(request), RemoteWriteVersion.V2).toCompletableFuture().get();
    }

    /** A push of some megabytes: it crosses the body buffer's and the record writers' initial sizes. */
    @Test
    void aLargeRemoteWrite2PushIsWrittenWhole() throws Exception {
        V2Requests b = new V2Requests();
        int series = 40_000;
        for (int i = 0; i < series; i++) {
            b.add(b.series("__name__", "big_" + i % 13, "instance", "instance-with-a-long-name-" + i, "job", "load")
                    .addSamples(V2Requests.sample(NOW - i, i)).addSamples(V2Requests.sample(NOW - i + 1, i)));
        }
        byte[] request = b.bytes();
        assertTrue(request.length > 2_000_000, "uncompressed " + request.length + " bytes");
        PushResult r = pushV2("t", request);
        assertEquals(200, r.status(), r.message());
        assertEquals(2 * series, r.samplesWritten());
        assertEquals(0, r.histogramsWritten());
        assertEquals(0, r.exemplarsWritten());
        List<String> samples = sink.samples();
        assertEquals(2 * series, samples.size());
        assertTrue(samples.contains("{__name__=\"big_" + (series - 1) % 13 + "\", instance=\"instance-with-a-long-name-" + (series - 1)
                + "\", job=\"load\"}@" + (NOW - series + 2)), samples.get(0));
        assertEquals(2 * series, metrics.receivedSamples.labelValues("t").get());
    }

    @Test
    void aRemoteWrite2PushPartlyRefusedSaysWhatWasWritten() throws Exception {
        V2Requests b = new V2Requests();
        b.add(b.series("__name__", "kept").addSamples(V2Requests.sample(NOW, 1)));
        b.add(b.exemplar(b.series("__name__", "also_kept").addSamples(V2Requests.sample(NOW, 1)), 1, NOW, "trace_id", "t1"));
        // count 1 but no observation in any bucket: Prometheus refuses it (count mismatch).
        b.add(b.series("__name__", "h").addHistograms(com.google.protobuf.ByteString.copyFrom(new byte[] {8, 1})));
        // count 1, all in the zero bucket: valid, written.
        b.add(b.series("__name__", "h_ok").addHistograms(com.google.protobuf.ByteString.copyFrom(new byte[] {8, 1, 0x30, 1})));
        PushResult r = pushV2("t", b.bytes());
        assertEquals(400, r.status());
        assertTrue(r.message().contains("err-mnemo-native-histogram-count-mismatch") && r.message().contains("{__name__=\"h\"}"),
                r.message());
        assertEquals(2, r.samplesWritten());
        assertEquals(1, r.histogramsWritten());
        assertEquals(1, r.exemplarsWritten());
        assertEquals(1, discarded("t", "invalid_native_histogram"));
        assertEquals(3, metrics.receivedSamples.labelValues("t").get(), "histograms count as received samples, as in Mimir");
    }

    static Remote.Exemplar exemplar(long timestamp, double value, String... nameValues) {
        Remote.Exemplar.Builder e = Remote.Exemplar.newBuilder().setTimestamp(timestamp).setValue(value);
        for (int i = 0; i < nameValues.length; i += 2) e.addLabels(Fixtures.label(nameValues[i], nameValues[i + 1]));
        return e.build();
    }

    /** Every exemplar produced, as "series labels{exemplar labels}value@timestamp". */
    private List<String> exemplars() {
        List<String> out = new ArrayList<>();
        IngestRecordReader r = new IngestRecordReader();
        for (Written record : sink.sent) {
            r.reset(record.value());
            while (r.nextSeries()) {
                for (int e = 0; e < r.exemplarCount(); e++) {
                    StringBuilder l = new StringBuilder();
                    for (int k = 0; k < r.exemplarLabelRefCount(e); k += 2) {
                        l.append(r.symbol(r.exemplarLabelRef(e, k))).append('=').append(r.symbol(r.exemplarLabelRef(e, k + 1)));
                    }
                    out.add(r.labels() + "{" + l + "}" + Double.longBitsToDouble(r.exemplarValueBits(e)) + "@" + r.exemplarTimestamp(e));
                }
            }
        }
        return out;
    }

    @Test
    void validExemplarsAreWrittenWithTheirSeriesAndInvalidOnesRefusedNamingThem() throws Exception {
        PushResult r = push("t", Fixtures.request(
                series("__name__", "req", "job", "a").addSamples(sample(NOW, 1))
                        .addExemplars(exemplar(NOW, 0.5, "trace_id", "abc", "span_id", "s1", "empty", "")),
                series("__name__", "req", "job", "b").addSamples(sample(NOW, 2))
                        .addExemplars(exemplar(NOW, 1.5, "trace_id", "x".repeat(130))),
                series("__name__", "req", "job", "c").addSamples(sample(NOW, 3))
                        .addExemplars(exemplar(0, 1, "trace_id", "zero"))
                        .addExemplars(exemplar(NOW, 1))
                        .addExemplars(exemplar(NOW, 1, "trace_id", ""))
                        .addExemplars(exemplar(NOW + 11 * MINUTE, 1, "trace_id", "future"))
                        .addExemplars(exemplar(NOW - 6 * MINUTE, 1, "trace_id", "old"))));
        assertEquals(400, r.status());
        assertTrue(r.message().startsWith("received an exemplar where the size of its combined labels exceeds the limit of 128"
                + " characters, timestamp: " + NOW + " series: {__name__=\"req\", job=\"b\"} labels: {trace_id=\"xxx"), r.message());
        assertTrue(r.message().endsWith("(err-mnemo-exemplar-labels-too-long)"), r.message());
        assertEquals(List.of("{__name__=\"req\", job=\"a\"}{span_id=s1trace_id=abc}0.5@" + NOW), exemplars(),
                "labels sorted, the empty one left out");
        assertEquals(3, sink.samples().size(), "every sample is stored");
        assertEquals(3, r.samplesWritten());
        assertEquals(1, r.exemplarsWritten());
        for (String reason : List.of("exemplar_labels_too_long", "exemplar_timestamp_invalid", "exemplar_labels_missing",
                "exemplar_labels_blank", "exemplar_too_far_in_future", "exemplar_too_old")) {
            assertEquals(1, metrics.discardedExemplars.labelValues("t", reason).get(), reason);
        }
        assertEquals(1, metrics.rejectedRequests.labelValues("invalid_exemplar").get());
    }

    @Test
    void eachExemplarRefusalHasMimirsMessage() throws Exception {
        String series = " series: {__name__=\"m\"} labels: ";
        for (Object[] c : new Object[][] {
                {exemplar(0, 1, "trace_id", "a"), "received an exemplar with no timestamp, timestamp: 0" + series
                        + "{trace_id=\"a\"} (err-mnemo-exemplar-timestamp-invalid)"},
                {exemplar(NOW, 1), "received an exemplar with no valid labels, timestamp: " + NOW + series
                        + "{} (err-mnemo-exemplar-labels-missing)"},
                {exemplar(NOW, 1, "trace_id", ""), "received an exemplar with no valid labels, timestamp: " + NOW + series
                        + "{trace_id=\"\"} (err-mnemo-exemplar-labels-missing)"},
                {exemplar(NOW + 11 * MINUTE, 1, "trace_id", "a"), "received an exemplar whose timestamp is too far in the future,"
                        + " timestamp: " + (NOW + 11 * MINUTE) + series + "{trace_id=\"a\"} (err-mnemo-exemplar-too-far-in-future)."
                        + " To accept such exemplars, raise mnemo.limits.creation-grace-period"},
                {exemplar(NOW - 5 * MINUTE - 1, 1, "trace_id", "a"), "received an exemplar whose timestamp is too far in the past,"
                        + " timestamp: " + (NOW - 5 * MINUTE - 1) + series + "{trace_id=\"a\"} (err-mnemo-exemplar-too-old)"}}) {
            PushResult r = push("t", Fixtures.request(series("__name__", "m").addSamples(sample(NOW, 1))
                    .addExemplars((Remote.Exemplar) c[0])));
            assertEquals(400, r.status());
            assertTrue(r.message().startsWith((String) c[1]), r.message());
        }
        PushResult fiveMinutes = push("t", Fixtures.request(series("__name__", "m").addSamples(sample(NOW, 1))
                .addExemplars(exemplar(NOW - 5 * MINUTE, 1, "trace_id", "a")).addExemplars(exemplar(NOW, 2, "ü", "é".repeat(127)))));
        assertEquals(200, fiveMinutes.status(), "5 minutes before the oldest sample is not too old; 128 runes are not too long");
        assertEquals(2, fiveMinutes.exemplarsWritten());
    }

    @Test
    void aTenantWithoutExemplarsHasThemRefusedNamingTheLimitAndKeepsItsSamples() throws Exception {
        Distributor none = new Distributor(settings("mnemo.limits.tenants.none.max-global-exemplars-per-user = 0"),
                metrics, sink, Clock.fixed(Instant.ofEpochMilli(NOW), ZoneOffset.UTC));
        try {
            PushResult r = none.push("none", Snappy.compress(Fixtures.request(series("__name__", "m")
                    .addSamples(sample(NOW, 1)).addExemplars(exemplar(NOW, 1, "trace_id", "a"))).toByteArray()))
                    .toCompletableFuture().get();
            assertEquals(400, r.status());
            assertTrue(r.message().contains("mnemo.limits.max-global-exemplars-per-user is 0"), r.message());
            assertTrue(r.message().contains("(err-mnemo-max-global-exemplars-per-user)"), r.message());
            assertEquals(1, r.samplesWritten());
            assertEquals(0, r.exemplarsWritten());
            assertEquals(List.of(), exemplars());
            assertEquals(1, metrics.discardedExemplars.labelValues("none", "max_global_exemplars_per_user").get());
        } finally {
            none.close();
        }
    }

    @Test
    void remoteWrite2ExemplarsAreWritten() throws Exception {
        V2Requests b = new V2Requests();
        b.add(b.exemplar(b.series("__name__", "req").addSamples(V2Requests.sample(NOW, 1)), 2.5, NOW - 1, "trace_id", "t2",
                "a", "b"));
        b.add(b.exemplar(b.series("__name__", "only_exemplar"), 1, NOW, "trace_id", "t3"));
        PushResult r = pushV2("t", b.bytes());
        assertEquals(200, r.status(), r.message());
        assertEquals(2, r.exemplarsWritten());
        assertEquals(List.of("{__name__=\"only_exemplar\"}{trace_id=t3}1.0@" + NOW,
                "{__name__=\"req\"}{a=btrace_id=t2}2.5@" + (NOW - 1)), exemplars().stream().sorted().toList());
    }

    @Test
    void aMalformedRemoteWrite2PushWritesNothing() throws Exception {
        byte[] bad = io.mnemo.actors.prompb.WriteV2.Request.newBuilder().addSymbols("x").build().toByteArray();
        PushResult r = pushV2("t", bad);
        assertEquals(400, r.status());
        assertTrue(r.message().contains("symbols[0]"), r.message());
        assertEquals(0, r.samplesWritten());
        assertTrue(sink.sent.isEmpty());
        assertEquals(1, metrics.rejectedRequests.labelValues("malformed").get());

        sink.down = true;
        V2Requests b = new V2Requests();
        b.add(b.series("__name__", "up").addSamples(V2Requests.sample(NOW, 1)));
        PushResult down = pushV2("t", b.bytes());
        assertEquals(503, down.status());
        assertEquals(0, down.samplesWritten(), "nothing acknowledged, nothing written");
    }
}
