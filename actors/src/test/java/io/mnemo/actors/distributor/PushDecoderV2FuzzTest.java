package io.mnemo.actors.distributor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import com.google.protobuf.UnknownFieldSet;
import io.mnemo.actors.MnemoMetrics;
import io.mnemo.actors.prompb.WriteV2;
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
import net.jqwik.api.constraints.Size;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.statistics.Statistics;
import org.xerial.snappy.Snappy;

/**
 * Property-based fuzzing of the remote write 2.0 decode path ({@link RequestV2Reader}, validation,
 * {@link PartitionSplitter}) through {@link Distributor}, as {@link PushDecoderFuzzTest} does for
 * 1.0: random bodies, valid requests and damaged ones (symbol refs out of the table, a first symbol
 * that is not "", odd label refs, broken wire) are answered 200, 400 or 413, never with an escaped
 * exception; and a 200 means every sample of the body is in the produced records, as
 * protobuf-java's generic wire parser reads the body.
 */
class PushDecoderV2FuzzTest {
    static final long NOW = PushDecoderFuzzTest.NOW;
    private static final java.util.regex.Pattern WITH_SAMPLES = java.util.regex.Pattern.compile(" -?\\d+=-?\\d+$");

    private static final DistributorTest.CapturingSink sink = new DistributorTest.CapturingSink();
    private static final Distributor distributor = new Distributor(DistributorTest.settings(""),
            new MnemoMetrics(new PrometheusRegistry()), sink, Clock.fixed(Instant.ofEpochMilli(NOW), ZoneOffset.UTC));

    @AfterContainer
    static void close() {
        distributor.close();
    }

    @Property(tries = 1000)
    void randomBodies(@ForAll @Size(max = 2000) byte[] body) throws Exception {
        check(Snappy.compress(body));
    }

    @Property(tries = 1500)
    void validRequests(@ForAll("requests") WriteV2.Request request) throws Exception {
        check(Snappy.compress(request.toByteArray()));
    }

    @Property(tries = 2000)
    void damagedRequests(@ForAll("requests") WriteV2.Request request,
                         @ForAll("mutations") List<WireMutation> mutations) throws Exception {
        check(Snappy.compress(WireMutation.apply(request.toByteArray(), mutations)));
    }

    private static void check(byte[] body) throws Exception {
        synchronized (sink) {
            sink.sent.clear();
        }
        PushResult r = distributor.push("fuzz", body, RemoteWriteVersion.V2).toCompletableFuture().get(10, TimeUnit.SECONDS);
        List<DistributorTest.Written> sent;
        synchronized (sink) {
            sent = new ArrayList<>(sink.sent);
        }
        assertTrue(r.status() == 200 || r.status() == 400 || r.status() == 413, r.status() + " " + r.message());
        Statistics.label("status").collect(r.status());
        if (r.status() != 200) return;
        // Series without samples carry nothing to store; 2.0 writes none, 1.0 writes them.
        List<String> produced = PushDecoderFuzzTest.produced(sent).series().stream()
                .filter(s -> WITH_SAMPLES.matcher(s).find()).toList();
        assertEquals(independentDecode(Snappy.uncompress(body)), produced,
                "a 200 must mean every sample of the body was produced");
    }

    /**
     * The body's series with samples as "labels samples" strings, sorted: labels resolved through
     * the symbol table, empty values left out, series without labels dropped.
     */
    static List<String> independentDecode(byte[] request) throws Exception {
        UnknownFieldSet root = UnknownFieldSet.parseFrom(request);
        List<ByteString> symbols = root.hasField(4) ? root.getField(4).getLengthDelimitedList() : List.of();
        List<String> series = new ArrayList<>();
        for (ByteString ts : lengthDelimited(root, 5)) {
            UnknownFieldSet s = UnknownFieldSet.parseFrom(ts);
            List<Long> refs = new ArrayList<>();
            if (s.hasField(1)) {
                refs.addAll(s.getField(1).getVarintList());
                for (ByteString packed : s.getField(1).getLengthDelimitedList()) {
                    com.google.protobuf.CodedInputStream in = packed.newCodedInput();
                    while (!in.isAtEnd()) refs.add((long) in.readUInt32());
                }
            }
            Map<String, String> labels = new TreeMap<>();
            for (int i = 0; i + 1 < refs.size(); i += 2) {
                String value = symbols.get(refs.get(i + 1).intValue()).toStringUtf8();
                if (!value.isEmpty()) labels.put(symbols.get(refs.get(i).intValue()).toStringUtf8(), value);
            }
            if (labels.isEmpty()) continue;
            assertTrue(lengthDelimited(s, 3).isEmpty(), "native histograms are refused, not answered 200");
            StringBuilder text = new StringBuilder(Labels.of(labels.entrySet().stream()
                    .flatMap(e -> Stream.of(e.getKey(), e.getValue())).toArray(String[]::new)).toString());
            for (ByteString sample : lengthDelimited(s, 2)) {
                UnknownFieldSet f = UnknownFieldSet.parseFrom(sample);
                List<Long> bits = f.hasField(1) ? f.getField(1).getFixed64List() : List.of();
                List<Long> ts2 = f.hasField(2) ? f.getField(2).getVarintList() : List.of();
                text.append(' ').append(ts2.isEmpty() ? 0 : ts2.get(ts2.size() - 1)).append('=')
                        .append(bits.isEmpty() ? 0 : bits.get(bits.size() - 1));
            }
            if (!lengthDelimited(s, 2).isEmpty()) series.add(text.toString());
        }
        series.sort(null);
        return series;
    }

    private static List<ByteString> lengthDelimited(UnknownFieldSet set, int field) {
        return set.hasField(field) ? set.getField(field).getLengthDelimitedList() : List.of();
    }

    // ---- generators ---------------------------------------------------------------------------

    /** A label set as [name, value] pairs and its samples, metadata and histogram count. */
    private record SeriesSpec(List<String[]> labels, List<WriteV2.Sample> samples, int metadataType, String help,
                              String unit, int histograms) {}

    @Provide
    Arbitrary<WriteV2.Request> requests() {
        return series().list().ofMaxSize(6).map(specs -> {
            V2Requests b = new V2Requests();
            for (SeriesSpec spec : specs) {
                WriteV2.TimeSeries.Builder ts = b.series(spec.labels().stream().flatMap(Arrays::stream).toArray(String[]::new));
                ts.addAllSamples(spec.samples());
                if (spec.metadataType() > 0 || !spec.help().isEmpty() || !spec.unit().isEmpty()) {
                    ts.setMetadata(WriteV2.Metadata.newBuilder().setTypeValue(spec.metadataType())
                            .setHelpRef(b.ref(spec.help())).setUnitRef(b.ref(spec.unit())));
                }
                for (int i = 0; i < spec.histograms(); i++) ts.addHistograms(ByteString.copyFrom(new byte[] {0x08, 0x01}));
                b.add(ts);
            }
            return b.build();
        });
    }

    private static Arbitrary<SeriesSpec> series() {
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
        Arbitrary<List<WriteV2.Sample>> samples = Combinators.combine(timestamp, sampleValue)
                .as(V2Requests::sample).list().ofMaxSize(4);
        Arbitrary<Integer> type = Arbitraries.frequency(Tuple.of(4, 0), Tuple.of(1, 1), Tuple.of(1, 2), Tuple.of(1, 5),
                Tuple.of(1, 9));
        Arbitrary<String> text = Arbitraries.of("", "help", "é".repeat(700), "seconds");
        Arbitrary<Integer> histograms = Arbitraries.frequency(Tuple.of(9, 0), Tuple.of(1, 1));
        Arbitrary<Boolean> sorted = Arbitraries.frequency(Tuple.of(6, true), Tuple.of(1, false));
        Arbitrary<List<String[]>> labelSet = Combinators.combine(metric, labels, sorted).as((m, ls, sort) -> {
            List<String[]> all = new ArrayList<>(ls);
            if (!m.isEmpty()) all.add(new String[] {"__name__", m});
            if (!sort) return all;
            TreeMap<String, String> unique = new TreeMap<>(UTF8_ORDER); // mostly sorted and unique, as senders must
            for (String[] l : all) unique.put(l[0], l[1]);
            return unique.entrySet().stream().map(e -> new String[] {e.getKey(), e.getValue()}).toList();
        });
        return Combinators.combine(labelSet, samples, type, text, text, histograms).as(SeriesSpec::new);
    }

    @Provide
    Arbitrary<List<WireMutation>> mutations() {
        return PushDecoderFuzzTest.mutation(Arbitraries.of(WireMutation.Kind.values())).list().ofMinSize(1).ofMaxSize(3);
    }

    private static final Comparator<String> UTF8_ORDER = (a, b) -> Arrays.compareUnsigned(
            a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8));
}
