package io.mnemo.actors.distributor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import com.google.protobuf.UnknownFieldSet;
import io.mnemo.actors.MnemoMetrics;
import io.mnemo.actors.prompb.Remote;
import io.mnemo.actors.ingest.IngestRecordReader;
import io.mnemo.actors.wire.WireMutation;
import io.mnemo.tsdb.Labels;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.statistics.Statistics;
import net.jqwik.api.constraints.Size;
import net.jqwik.api.lifecycle.AfterContainer;
import org.xerial.snappy.Snappy;

/**
 * Property-based fuzzing of the push decode path (snappy, {@link WriteRequestReader},
 * {@link MetadataReader}, validation, {@link PartitionSplitter}) through {@link Distributor} over a
 * sink without Kafka: random bodies and damaged valid ones are answered 200, 400 or 413, never
 * with an escaped exception, and a 200 means every series, sample and metadata entry of the body is
 * in the produced records, as an independent decode of the body (protobuf-java's generic wire
 * parser) finds them.
 */
class PushDecoderFuzzTest {
    static final long NOW = 1_700_000_000_000L;
    static final int MAX_METADATA_LENGTH = 1024; // the default of mnemo.limits.max-metadata-length

    static final DistributorTest.CapturingSink sink = new DistributorTest.CapturingSink();
    static final Distributor distributor = new Distributor(DistributorTest.settings(""),
            new MnemoMetrics(new PrometheusRegistry()), sink, Clock.fixed(Instant.ofEpochMilli(NOW), ZoneOffset.UTC));

    @AfterContainer
    static void close() {
        distributor.close();
    }

    // ---- properties ---------------------------------------------------------------------------

    @Property(tries = 1500)
    void randomBodies(@ForAll @Size(max = 2000) byte[] body) throws Exception {
        check(body);
    }

    @Property(tries = 1500)
    void randomProtobufInValidSnappy(@ForAll @Size(max = 2000) byte[] protobuf) throws Exception {
        check(Snappy.compress(protobuf));
    }

    @Property(tries = 1500)
    void validRequests(@ForAll("requests") Remote.WriteRequest request) throws Exception {
        check(Snappy.compress(request.toByteArray()));
    }

    @Property(tries = 2000)
    void damagedRequests(@ForAll("requests") Remote.WriteRequest request,
                         @ForAll("mutations") List<WireMutation> mutations) throws Exception {
        check(Snappy.compress(WireMutation.apply(request.toByteArray(), mutations)));
    }

    @Property(tries = 1000)
    void damagedSnappy(@ForAll("requests") Remote.WriteRequest request,
                       @ForAll("byteMutations") List<WireMutation> mutations) throws Exception {
        check(WireMutation.apply(Snappy.compress(request.toByteArray()), mutations));
    }

    /** What must hold for any body. */
    private static void check(byte[] body) throws Exception {
        synchronized (sink) {
            sink.sent.clear();
        }
        PushResult r = distributor.push("fuzz", body).toCompletableFuture().get(10, TimeUnit.SECONDS);
        assertTrue(r.status() == 200 || r.status() == 400 || r.status() == 413, r.status() + " " + r.message());
        Statistics.label("status").collect(r.status());
        if (r.status() != 200) return;
        List<DistributorTest.Written> sent;
        synchronized (sink) {
            sent = new ArrayList<>(sink.sent);
        }
        Decoded expected = independentDecode(Snappy.uncompress(body));
        assertEquals(expected, produced(sent), "a 200 must mean everything in the body was produced");
    }

    // ---- the body as protobuf-java's generic parser reads it ---------------------------------

    /** Series as sorted "labels samples" strings, and metadata as "family|type|help|unit" strings. */
    record Decoded(List<String> series, List<String> metadata) {}

    /** Labels without empty values, series without any label dropped (Mimir), HELP cut to the limit as Mimir does. */
    static Decoded independentDecode(byte[] request) throws Exception {
        UnknownFieldSet root = UnknownFieldSet.parseFrom(request);
        List<String> series = new ArrayList<>();
        for (ByteString ts : lengthDelimited(root, 1)) {
            UnknownFieldSet s = UnknownFieldSet.parseFrom(ts);
            Map<String, String> labels = new TreeMap<>();
            for (ByteString l : lengthDelimited(s, 1)) {
                UnknownFieldSet label = UnknownFieldSet.parseFrom(l);
                String value = last(label, 2).toStringUtf8();
                if (!value.isEmpty()) labels.put(last(label, 1).toStringUtf8(), value);
            }
            if (labels.isEmpty()) continue;
            assertTrue(lengthDelimited(s, 4).isEmpty(), "native histograms are refused, not answered 200");
            StringBuilder text = new StringBuilder(Labels.of(labels.entrySet().stream()
                    .flatMap(e -> Stream.of(e.getKey(), e.getValue())).toArray(String[]::new)).toString());
            for (ByteString sample : lengthDelimited(s, 2)) {
                UnknownFieldSet f = UnknownFieldSet.parseFrom(sample);
                List<Long> bits = f.hasField(1) ? f.getField(1).getFixed64List() : List.of();
                List<Long> ts2 = f.hasField(2) ? f.getField(2).getVarintList() : List.of();
                text.append(' ').append(ts2.isEmpty() ? 0 : ts2.get(ts2.size() - 1)).append('=')
                        .append(bits.isEmpty() ? 0 : bits.get(bits.size() - 1));
            }
            series.add(text.toString());
        }
        List<String> metadata = new ArrayList<>();
        for (ByteString md : lengthDelimited(root, 3)) {
            UnknownFieldSet m = UnknownFieldSet.parseFrom(md);
            List<Long> types = m.hasField(1) ? m.getField(1).getVarintList() : List.of();
            long type = types.isEmpty() ? 0 : types.get(types.size() - 1);
            byte[] help = last(m, 4).toByteArray();
            int keep = help.length;
            if (keep > MAX_METADATA_LENGTH) {
                keep = MAX_METADATA_LENGTH;
                while (keep > 0 && (help[keep] & 0xC0) == 0x80) keep--;
            }
            metadata.add(last(m, 2).toStringUtf8() + "|" + (type >= 0 && type < 8 ? type : 0) + "|"
                    + new String(help, 0, keep, StandardCharsets.UTF_8) + "|" + last(m, 5).toStringUtf8());
        }
        series.sort(null);
        metadata.sort(null);
        return new Decoded(series, metadata);
    }

    private static List<ByteString> lengthDelimited(UnknownFieldSet set, int field) {
        return set.hasField(field) ? set.getField(field).getLengthDelimitedList() : List.of();
    }

    private static ByteString last(UnknownFieldSet set, int field) {
        List<ByteString> all = lengthDelimited(set, field);
        return all.isEmpty() ? ByteString.EMPTY : all.get(all.size() - 1);
    }

    /** The produced records, read as the ingesters read them, in the same form. */
    static Decoded produced(List<DistributorTest.Written> records) {
        List<String> series = new ArrayList<>();
        List<String> metadata = new ArrayList<>();
        IngestRecordReader r = new IngestRecordReader();
        for (DistributorTest.Written record : records) {
            r.reset(record.value());
            while (r.nextSeries()) {
                if (r.hasMetadata()) {
                    metadata.add(r.labels().get("__name__") + "|" + r.metadataType() + "|" + r.symbol(r.metadataHelpRef())
                            + "|" + r.symbol(r.metadataUnitRef()));
                    continue;
                }
                StringBuilder text = new StringBuilder(r.labels().toString());
                for (int i = 0; i < r.sampleCount(); i++) text.append(' ').append(r.sampleTimestamp(i)).append('=').append(r.sampleValueBits(i));
                series.add(text.toString());
            }
        }
        series.sort(null);
        metadata.sort(null);
        return new Decoded(series, metadata);
    }

    // ---- generators ---------------------------------------------------------------------------

    @Provide
    Arbitrary<Remote.WriteRequest> requests() {
        Arbitrary<List<Remote.TimeSeries>> series = series().list().ofMaxSize(6);
        Arbitrary<List<Remote.MetricMetadata>> metadata = metadata().list().ofMaxSize(3);
        return Combinators.combine(series, metadata).as((s, m) ->
                Remote.WriteRequest.newBuilder().addAllTimeseries(s).addAllMetadata(m).build());
    }

    private static Arbitrary<Remote.TimeSeries> series() {
        Arbitrary<String> metric = Arbitraries.of("up", "http_requests_total", "a.b", "温度", "");
        Arbitrary<String> name = Arbitraries.of("job", "instance", "a-b", "le", "ü", "zone", "", "__name__");
        Arbitrary<String> value = Arbitraries.oneOf(Arbitraries.of("", "x", "api", "ü✓", "v".repeat(2049)),
                Arbitraries.strings().ofMaxLength(12));
        Arbitrary<List<String[]>> labels = Combinators.combine(name, value).as((n, v) -> new String[] {n, v}).list().ofMaxSize(4);
        Arbitrary<Long> timestamp = Combinators.combine(
                Arbitraries.of(-7_200_000L, -60_000L, 0L, 300_000L, 600_000L, 600_001L, 31_536_000_000L),
                Arbitraries.longs().between(-1000, 1000)).as((base, jitter) -> NOW + base + jitter);
        Arbitrary<Double> sampleValue = Arbitraries.oneOf(Arbitraries.doubles(), Arbitraries.of(Double.NaN, -0.0,
                Double.longBitsToDouble(0x7FF0000000000002L))); // the staleness marker
        Arbitrary<List<Remote.Sample>> samples = Combinators.combine(timestamp, sampleValue)
                .as((t, v) -> Remote.Sample.newBuilder().setTimestamp(t).setValue(v).build()).list().ofMaxSize(4);
        Arbitrary<Integer> histograms = Arbitraries.frequency(
                Tuple.of(9, 0), Tuple.of(1, 1), Tuple.of(1, 2));
        Arbitrary<Boolean> sorted = Arbitraries.frequency(Tuple.of(6, true), Tuple.of(1, false));
        return Combinators.combine(metric, labels, samples, histograms, sorted).as((m, ls, ss, h, sort) -> {
            List<String[]> all = new ArrayList<>(ls);
            if (!m.isEmpty()) all.add(new String[] {"__name__", m});
            if (sort) { // mostly sorted and unique, as senders must: the rest tests the refusals
                TreeMap<String, String> unique = new TreeMap<>(UTF8_ORDER);
                for (String[] l : all) unique.put(l[0], l[1]);
                all = unique.entrySet().stream().map(e -> new String[] {e.getKey(), e.getValue()}).toList();
            }
            Remote.TimeSeries.Builder b = Remote.TimeSeries.newBuilder();
            for (String[] l : all) b.addLabels(Remote.Label.newBuilder().setName(l[0]).setValue(l[1]));
            b.addAllSamples(ss);
            if (h > 0) {
                UnknownFieldSet.Field.Builder f = UnknownFieldSet.Field.newBuilder();
                for (int i = 0; i < h; i++) f.addLengthDelimited(ByteString.copyFrom(new byte[] {0x08, 0x01, 0x78, 0x05}));
                b.setUnknownFields(UnknownFieldSet.newBuilder().addField(4, f.build()).build());
            }
            return b.build();
        });
    }

    private static Arbitrary<Remote.MetricMetadata> metadata() {
        Arbitrary<String> family = Arbitraries.of("up", "", "a-b c", "f".repeat(1025), "http_requests_total");
        Arbitrary<String> help = Arbitraries.of("", "help", "h".repeat(1023) + "é", "é".repeat(700));
        Arbitrary<String> unit = Arbitraries.of("", "seconds", "u".repeat(1025));
        Arbitrary<Integer> type = Arbitraries.integers().between(0, 9);
        return Combinators.combine(family, help, unit, type).as((f, h, u, t) -> Remote.MetricMetadata.newBuilder()
                .setMetricFamilyName(f).setHelp(h).setUnit(u).setTypeValue(t).build());
    }

    @Provide
    Arbitrary<List<WireMutation>> mutations() {
        return mutation(Arbitraries.of(WireMutation.Kind.values())).list().ofMinSize(1).ofMaxSize(3);
    }

    @Provide
    Arbitrary<List<WireMutation>> byteMutations() {
        return mutation(Arbitraries.of(WireMutation.Kind.FLIP_BIT, WireMutation.Kind.SET_BYTE, WireMutation.Kind.TRUNCATE))
                .list().ofMinSize(1).ofMaxSize(3);
    }

    static Arbitrary<WireMutation> mutation(Arbitrary<WireMutation.Kind> kinds) {
        return Combinators.combine(kinds, Arbitraries.doubles().between(0, 1).filter(d -> d < 1),
                Arbitraries.oneOf(Arbitraries.integers().between(-3, 3), Arbitraries.integers().between(0, 255),
                        Arbitraries.of(Integer.MAX_VALUE / 2, 1 << 20))).as(WireMutation::new);
    }

    /** Label names in the byte order of their UTF-8, as Prometheus sorts them. */
    private static final Comparator<String> UTF8_ORDER = (a, b) -> Arrays.compareUnsigned(
            a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8));
}
