package io.mnemo.actors.distributor;

import static io.mnemo.actors.distributor.Fixtures.label;
import static io.mnemo.actors.distributor.Fixtures.sample;
import static io.mnemo.actors.distributor.Fixtures.series;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import com.google.protobuf.UnknownFieldSet;
import io.mnemo.actors.distributor.PartitionSplitter.Split;
import io.mnemo.actors.prompb.Remote;
import io.mnemo.actors.prompb.WriteV2;
import io.mnemo.actors.TenantLimits;
import io.mnemo.actors.ingest.IngestRecordReader;
import io.mnemo.tsdb.Labels;
import io.mnemo.tsdb.StaleNaN;
import java.util.ArrayList;
import java.util.Arrays;
import java.time.Duration;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class PartitionSplitterTest {
    private static final String TENANT = "team-ä";
    private final PartitionSplitter splitter = new PartitionSplitter(SeriesValidator.withDefaults());

    /** A series as the records must carry it: labels without empty values, samples as raw bits, no histograms. */
    record Carried(Labels labels, List<String> samples, List<ByteString> histograms) {}

    private static List<Remote.TimeSeries> validSeries(Random random, int count) {
        List<Remote.TimeSeries> out = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            Remote.TimeSeries.Builder s = series("__name__", "metric_" + i % 7, "empty", "", "instance", "host-" + i,
                    "zone", random.nextBoolean() ? "a" : "ü");
            int samples = random.nextInt(4); // some series carry no sample at all
            long oldest = 3; // a valid exemplar is at most 5 minutes older than its series' oldest sample
            for (int k = 0; k < samples; k++) {
                long t = random.nextLong();
                if (k == 0 || t < oldest) oldest = t;
                s.addSamples(sample(t, k == 1 ? StaleNaN.VALUE : random.nextGaussian()));
            }
            if (i % 5 == 0) {
                s.addExemplars(Remote.Exemplar.newBuilder().addLabels(label("trace_id", "t1")).setValue(2)
                        .setTimestamp(oldest == 0 ? 1 : oldest).build());
            }
            out.add(s.build());
        }
        return out;
    }

    private static Carried carried(Remote.TimeSeries ts) {
        List<String> samples = new ArrayList<>();
        for (Remote.Sample s : ts.getSamplesList()) samples.add(s.getTimestamp() + "=" + Double.doubleToRawLongBits(s.getValue()));
        UnknownFieldSet.Field h = ts.getUnknownFields().getField(4);
        return new Carried(Fixtures.labelsOf(ts), samples, h == null ? List.of() : h.getLengthDelimitedList());
    }

    /** A record decoded with remote write 2.0's own schema: the proof that it is one. */
    private static List<Carried> decode(byte[] record) throws Exception {
        WriteV2.Request request = WriteV2.Request.parseFrom(record);
        assertEquals("", request.getSymbols(0), "remote write 2.0: the first symbol is the empty string");
        assertEquals(request.getSymbolsCount(), new HashSet<>(request.getSymbolsList()).size(), "each string once");
        List<Carried> out = new ArrayList<>();
        for (WriteV2.TimeSeries ts : request.getTimeseriesList()) {
            if (ts.hasMetadata()) continue;
            Labels.Builder labels = new Labels.Builder();
            for (int i = 0; i < ts.getLabelsRefsCount(); i += 2) {
                labels.set(request.getSymbols(ts.getLabelsRefs(i)), request.getSymbols(ts.getLabelsRefs(i + 1)));
            }
            List<String> samples = new ArrayList<>();
            for (WriteV2.Sample s : ts.getSamplesList()) samples.add(s.getTimestamp() + "=" + Double.doubleToRawLongBits(s.getValue()));
            out.add(new Carried(labels.build(), samples, ts.getHistogramsList()));
        }
        return out;
    }

    private static byte[] encode(List<Remote.TimeSeries> series) {
        return Remote.WriteRequest.newBuilder().addAllTimeseries(series).build().toByteArray();
    }

    private Split split(byte[] request, int partitions) {
        return splitter.split(TENANT, new WriteRequestReader().reset(request), null, partitions);
    }

    @Test
    void recordsHoldExactlyTheInputSeriesInTheirPartitions() throws Exception {
        Random random = new Random(5);
        List<Remote.TimeSeries> input = validSeries(random, 1_000);
        for (int partitions : new int[] {1, 4, 7}) {
            Split split = split(encode(input), partitions);
            assertEquals(partitions, split.partitions());
            assertFalse(split.hasRejections());
            List<Carried> output = new ArrayList<>();
            int totalSamples = 0;
            for (int p = 0; p < partitions; p++) {
                byte[] record = split.record(p);
                if (record == null) {
                    assertEquals(0, split.seriesCount(p));
                    continue;
                }
                List<Carried> decoded = decode(record);
                assertEquals(split.seriesCount(p), decoded.size());
                int samples = 0;
                for (Carried c : decoded) {
                    assertEquals(p, PartitionSharder.partitionFor(TENANT, c.labels(), partitions), "partition of " + c);
                    samples += c.samples().size();
                    output.add(c);
                }
                assertEquals(split.sampleCount(p), samples);
                totalSamples += samples;
            }
            // The same series (labels without empty values, samples bit for bit, histograms), each exactly once.
            assertEquals(input.size(), output.size());
            assertEquals(new HashSet<>(input.stream().map(PartitionSplitterTest::carried).toList()), new HashSet<>(output));
            assertEquals(input.size(), split.acceptedSeries());
            assertEquals(input.stream().mapToInt(Remote.TimeSeries::getSamplesCount).sum(), totalSamples);
            assertEquals(totalSamples, split.acceptedSamples());
        }
    }

    @Test
    void recordsAreFarSmallerThanTheRequest() {
        List<Remote.TimeSeries> input = new ArrayList<>();
        for (int i = 0; i < 2_000; i++) { // a scrape of 200 targets, 10 series each, 8 labels
            input.add(series("__name__", "http_requests_total", "code", Integer.toString(200 + i % 10), "container", "app",
                    "instance", "10.0.0." + i / 10 + ":8080", "job", "kubernetes-pods", "namespace", "production",
                    "pod", "app-7d9f8c-" + i / 10, "region", "eu-west-1").addSamples(sample(1_700_000_000_000L, i)).build());
        }
        byte[] request = encode(input);
        Split split = split(request, 4);
        long recordBytes = 0;
        for (int p = 0; p < 4; p++) recordBytes += split.record(p).length;
        assertTrue(recordBytes * 3 < request.length, "records " + recordBytes + " bytes for a request of " + request.length);
    }

    @Test
    void metadataGoesToTheFamilysPartitionAsASeriesWithoutSamples() throws Exception {
        Remote.WriteRequest.Builder request = Remote.WriteRequest.newBuilder()
                .addTimeseries(series("__name__", "up", "job", "a").addSamples(sample(1, 1)));
        for (int i = 0; i < 20; i++) {
            request.addMetadata(Remote.MetricMetadata.newBuilder().setMetricFamilyName("family_" + i)
                    .setType(Remote.MetricMetadata.MetricType.COUNTER).setHelp("Help of " + i).setUnit(i % 2 == 0 ? "seconds" : ""));
        }
        byte[] body = request.build().toByteArray();
        Split split = splitter.split(TENANT, new WriteRequestReader().reset(body), new MetadataReader().reset(body, 0, body.length), 4);
        assertEquals(1, split.acceptedSeries(), "metadata entries are not series");
        Set<String> families = new HashSet<>();
        for (int p = 0; p < 4; p++) {
            if (split.record(p) == null) continue;
            WriteV2.Request r = WriteV2.Request.parseFrom(split.record(p));
            for (WriteV2.TimeSeries ts : r.getTimeseriesList()) {
                if (!ts.hasMetadata()) continue;
                assertEquals(0, ts.getSamplesCount());
                assertEquals("__name__", r.getSymbols(ts.getLabelsRefs(0)));
                String family = r.getSymbols(ts.getLabelsRefs(1));
                int i = Integer.parseInt(family.substring("family_".length()));
                assertEquals(Math.floorMod((TENANT + '\u0000' + family).hashCode(), 4), p, "partition of " + family);
                assertEquals(WriteV2.Metadata.MetricType.METRIC_TYPE_COUNTER, ts.getMetadata().getType());
                assertEquals("Help of " + i, r.getSymbols(ts.getMetadata().getHelpRef()));
                assertEquals(i % 2 == 0 ? "seconds" : "", r.getSymbols(ts.getMetadata().getUnitRef()));
                assertTrue(families.add(family));
            }
        }
        assertEquals(20, families.size());
    }

    @Test
    void recordsAreReadableByTheIngestersReader() throws Exception {
        List<Remote.TimeSeries> input = validSeries(new Random(9), 200);
        Split split = split(encode(input), 4);
        IngestRecordReader r = new IngestRecordReader();
        Set<Labels> seen = new HashSet<>();
        for (int p = 0; p < 4; p++) {
            if (split.record(p) == null) continue;
            List<Carried> expected = decode(split.record(p));
            r.reset(split.record(p));
            int i = 0;
            while (r.nextSeries()) {
                Carried c = expected.get(i++);
                assertEquals(c.labels(), r.labels());
                assertEquals(c.samples().size(), r.sampleCount());
                for (int k = 0; k < r.sampleCount(); k++) {
                    assertEquals(c.samples().get(k), r.sampleTimestamp(k) + "=" + r.sampleValueBits(k));
                }
                assertEquals(c.histograms().size(), r.histogramCount());
                assertTrue(seen.add(r.labels()));
            }
            assertEquals(expected.size(), i);
        }
        assertEquals(200, seen.size());
    }

    @Test
    void seriesOrderDoesNotChangeTheLayout() throws Exception {
        Random random = new Random(1);
        List<Remote.TimeSeries> input = validSeries(random, 300);
        Split first = split(encode(input), 4);
        Collections.shuffle(input, random);
        Split second = split(encode(input), 4);
        for (int p = 0; p < 4; p++) {
            assertEquals(first.seriesCount(p), second.seriesCount(p));
            assertEquals(first.sampleCount(p), second.sampleCount(p));
            assertEquals(new HashSet<>(decode(first.record(p))), new HashSet<>(decode(second.record(p))));
        }
    }

    /** Mimir: valid series are written, invalid ones counted, the push answered with the first error. */
    @Test
    void invalidSeriesAreLeftOutAndReported() throws Exception {
        List<Remote.TimeSeries> valid = validSeries(new Random(2), 20);
        List<Remote.TimeSeries> input = new ArrayList<>(valid);
        input.add(3, series("job", "no-name").addSamples(sample(1, 1)).addSamples(sample(2, 2)).build());
        input.add(8, series("", "x", "__name__", "m").addSamples(sample(1, 1)).build()); // an empty label name
        input.add(9, series("__name__", "m", "b", "1", "a", "1").build());
        input.add(10, series("a", "", "b", "").addSamples(sample(1, 1)).build()); // no labels: dropped silently
        input.add(11, series().addSamples(sample(1, 1)).build());
        Split split = split(encode(input), 4);

        assertTrue(split.hasRejections());
        assertEquals(3, split.rejectedSeries());
        assertEquals(3, split.discarded());
        assertEquals(2, split.discarded(DiscardReason.MISSING_METRIC_NAME));
        assertEquals(1, split.rejectedSeries(DiscardReason.INVALID_LABEL));
        assertEquals(1, split.rejectedSeries(DiscardReason.LABELS_NOT_SORTED));
        assertEquals(0, split.discarded(DiscardReason.LABELS_NOT_SORTED));
        assertEquals(2, split.droppedEmptySeries());
        assertEquals(List.of(DiscardReason.MISSING_METRIC_NAME, DiscardReason.INVALID_LABEL, DiscardReason.LABELS_NOT_SORTED),
                split.rejections().stream().map(Rejection::reason).toList());
        assertTrue(split.firstRejection().message().contains("{job=\"no-name\"}"), split.firstRejection().message());

        assertEquals(20, split.acceptedSeries());
        Set<Carried> written = new HashSet<>();
        for (int p = 0; p < 4; p++) {
            if (split.record(p) != null) written.addAll(decode(split.record(p)));
        }
        assertEquals(new HashSet<>(valid.stream().map(PartitionSplitterTest::carried).toList()), written);
    }

    /** All of a split's records, decoded, in partition order. */
    private static List<Carried> written(Split split) throws Exception {
        List<Carried> out = new ArrayList<>();
        for (int p = 0; p < split.partitions(); p++) if (split.record(p) != null) out.addAll(decode(split.record(p)));
        return out;
    }

    private static Remote.TimeSeries.Builder withHistogram(Remote.TimeSeries.Builder s, int count) {
        UnknownFieldSet.Field.Builder f = UnknownFieldSet.Field.newBuilder();
        // count_int = zero_count_int = 1 + i (a valid histogram: all in the zero bucket), timestamp 5.
        for (int i = 0; i < count; i++) {
            f.addLengthDelimited(ByteString.copyFrom(new byte[] {0x08, (byte) (1 + i), 0x30, (byte) (1 + i), 0x78, 0x05}));
        }
        return s.setUnknownFields(UnknownFieldSet.newBuilder().addField(4, f.build()).build());
    }

    /** Mimir: a sample outside the tenant's time limits is left out of its series; its other samples are kept. */
    @Test
    void samplesOutsideTheTimeLimitsAreLeftOutOfTheirSeries() throws Exception {
        PushLimits limits = new PushLimits(1_000, 5_000, 1024);
        byte[] request = encode(List.of(
                series("__name__", "m", "job", "a").addSamples(sample(500, 1)).addSamples(sample(1_000, 2))
                        .addSamples(sample(3_000, 3)).addSamples(sample(5_000, 4)).addSamples(sample(5_001, 5)).build(),
                series("__name__", "gone", "job", "b").addSamples(sample(9_000_000, 1)).build(),
                series("__name__", "kept", "job", "c").addSamples(sample(2_000, 1)).build()));
        Split split = splitter.split(TENANT, new WriteRequestReader().reset(request), null, 4, limits);

        assertEquals(1, split.discarded(DiscardReason.TOO_FAR_IN_PAST));
        assertEquals(2, split.discarded(DiscardReason.TOO_FAR_IN_FUTURE));
        assertEquals(0, split.rejectedSeries(), "no series is invalid");
        assertEquals(2, split.acceptedSeries(), "a series whose every sample was refused is not written");
        assertEquals(4, split.acceptedSamples());
        assertEquals(List.of(DiscardReason.TOO_FAR_IN_PAST, DiscardReason.TOO_FAR_IN_FUTURE, DiscardReason.TOO_FAR_IN_FUTURE),
                split.rejections().stream().map(Rejection::reason).toList());
        assertEquals("received a sample whose timestamp is too far in the past, timestamp: 500 series: "
                + "'{__name__=\"m\", job=\"a\"}' (err-mnemo-too-far-in-past). To accept such samples, raise "
                + "mnemo.limits.past-grace-period (0s turns the check off) or ask your service administrator.",
                split.firstRejection().message());
        assertEquals("received a sample whose timestamp is too far in the future, timestamp: 5001 series: "
                + "'{__name__=\"m\", job=\"a\"}' (err-mnemo-too-far-in-future). To accept such samples, raise "
                + "mnemo.limits.creation-grace-period or ask your service administrator.",
                split.rejections().get(1).message());
        Set<Carried> expected = Set.of(
                carried(series("__name__", "m", "job", "a").addSamples(sample(1_000, 2)).addSamples(sample(3_000, 3))
                        .addSamples(sample(5_000, 4)).build()),
                carried(series("__name__", "kept", "job", "c").addSamples(sample(2_000, 1)).build()));
        assertEquals(expected, new HashSet<>(written(split)));
    }

    @Test
    void limitsComeFromTheTenantsSettingsAndTheClock() {
        long now = 1_700_000_000_000L;
        TenantLimits.Limits defaults = new TenantLimits.Limits(Duration.ZERO, Duration.ofMinutes(10), Duration.ZERO,
                1024, 0, 0, 0, Duration.ZERO, Duration.ZERO, io.mnemo.actors.OtelTranslationStrategy.UNDERSCORE_ESCAPING_WITH_SUFFIXES,
                java.util.List.of(), false);
        PushLimits l = PushLimits.at(now, defaults);
        assertEquals(now + 600_000, l.newestTimestamp());
        assertEquals(Long.MIN_VALUE, l.oldestTimestamp(), "past-grace-period 0s: no lower bound");
        assertTrue(l.accepts(now + 600_000));
        assertEquals(DiscardReason.TOO_FAR_IN_FUTURE, l.check(now + 600_001));
        assertNull(l.check(Long.MIN_VALUE));

        PushLimits strict = PushLimits.at(now, new TenantLimits.Limits(Duration.ofMinutes(30), Duration.ZERO,
                Duration.ofHours(1), 100, 0, 0, 0, Duration.ZERO, Duration.ZERO, io.mnemo.actors.OtelTranslationStrategy.UNDERSCORE_ESCAPING_WITH_SUFFIXES,
                java.util.List.of(), false));
        assertEquals(now - 5_400_000, strict.oldestTimestamp(), "now - out-of-order window - past-grace-period");
        assertEquals(now, strict.newestTimestamp());
        assertEquals(DiscardReason.TOO_FAR_IN_PAST, strict.check(now - 5_400_001));
        assertEquals(100, strict.maxMetadataLength());
        // Extreme settings do not overflow into accepting everything.
        PushLimits extreme = PushLimits.at(now, new TenantLimits.Limits(Duration.ofDays(365L * 1_000_000_000),
                Duration.ofDays(365L * 1_000_000_000), Duration.ofDays(365L * 1_000_000_000), 1, 0, 0, 0, Duration.ZERO, Duration.ZERO, io.mnemo.actors.OtelTranslationStrategy.UNDERSCORE_ESCAPING_WITH_SUFFIXES,
                java.util.List.of(), false));
        assertEquals(Long.MAX_VALUE, extreme.newestTimestamp());
        assertEquals(Long.MIN_VALUE, extreme.oldestTimestamp());
    }

    /** Valid native histogram samples go into the records as they came, beside the floats. */
    @Test
    void nativeHistogramSamplesAreCarriedAsSent() throws Exception {
        List<Remote.TimeSeries> input = List.of(
                series("__name__", "plain", "job", "a").addSamples(sample(1, 1)).build(),
                withHistogram(series("__name__", "hist_only", "job", "a"), 2).build(),
                withHistogram(series("__name__", "mixed", "job", "a").addSamples(sample(2, 2)), 1).build());
        Split split = split(encode(input), 4);
        assertFalse(split.hasRejections(), () -> split.firstRejection().message());
        assertEquals(new HashSet<>(input.stream().map(PartitionSplitterTest::carried).toList()), new HashSet<>(written(split)));
        assertEquals(2, split.acceptedSamples());
        assertEquals(3, split.acceptedHistograms());
    }

    private static Remote.MetricMetadata metadata(String family, String help, String unit) {
        return Remote.MetricMetadata.newBuilder().setType(Remote.MetricMetadata.MetricType.GAUGE)
                .setMetricFamilyName(family).setHelp(help).setUnit(unit).build();
    }

    /** All metadata entries of a split's records: family -> [help, unit]. */
    private static Map<String, List<String>> writtenMetadata(Split split) throws Exception {
        Map<String, List<String>> out = new HashMap<>();
        for (int p = 0; p < split.partitions(); p++) {
            if (split.record(p) == null) continue;
            WriteV2.Request r = WriteV2.Request.parseFrom(split.record(p));
            for (WriteV2.TimeSeries ts : r.getTimeseriesList()) {
                if (!ts.hasMetadata()) continue;
                out.put(r.getSymbols(ts.getLabelsRefs(1)), List.of(r.getSymbols(ts.getMetadata().getHelpRef()),
                        r.getSymbols(ts.getMetadata().getUnitRef())));
            }
        }
        return out;
    }

    /** Mimir's metadata limits: family required, family and unit no longer than the limit, HELP cut to it. */
    @Test
    void metadataIsValidatedAndHelpCut() throws Exception {
        String longHelp = "a" + "é".repeat(600); // byte 20 falls inside an 'é'
        byte[] body = Remote.WriteRequest.newBuilder()
                .addTimeseries(series("__name__", "up", "job", "a").addSamples(sample(1, 1)))
                .addMetadata(metadata("ok", "fine", "seconds"))
                .addMetadata(metadata("a-b c", "UTF-8 family", ""))
                .addMetadata(metadata("long_help", longHelp, ""))
                .addMetadata(metadata("", "no family", ""))
                .addMetadata(metadata("f".repeat(21), "family too long", ""))
                .addMetadata(metadata("unit", "unit too long", "u".repeat(21)))
                .addMetadata(metadata("f".repeat(20), "family at the limit", "u".repeat(20)))
                .build().toByteArray();
        byte[] invalidFamily = {0x1A, 4, 0x12, 2, 'x', (byte) 0xFF}; // metadata { metric_family_name: "x\xFF" }
        byte[] request = Arrays.copyOf(body, body.length + invalidFamily.length);
        System.arraycopy(invalidFamily, 0, request, body.length, invalidFamily.length);

        Split split = splitter.split(TENANT, new WriteRequestReader().reset(request),
                new MetadataReader().reset(request, 0, request.length), 4, new PushLimits(Long.MIN_VALUE, Long.MAX_VALUE, 20));
        assertEquals(1, split.discarded(DiscardReason.METADATA_MISSING_METRIC_NAME));
        assertEquals(1, split.discarded(DiscardReason.METADATA_METRIC_NAME_TOO_LONG));
        assertEquals(1, split.discarded(DiscardReason.METADATA_UNIT_TOO_LONG));
        assertEquals(1, split.discarded(DiscardReason.METADATA_INVALID_METRIC_NAME));
        assertEquals(4, split.discarded());
        assertEquals(List.of("received a metric metadata with no metric name (err-mnemo-metadata-missing-metric-name)",
                "received a metric metadata whose metric name of 21 bytes is longer than the limit of 20, metric name: '"
                        + "f".repeat(21) + "' (err-mnemo-metric-name-too-long). To accept such metadata, raise "
                        + "mnemo.limits.max-metadata-length or ask your service administrator.",
                "received a metric metadata whose unit of 21 bytes is longer than the limit of 20, unit: '" + "u".repeat(21)
                        + "' metric name: 'unit' (err-mnemo-unit-too-long). To accept such metadata, raise "
                        + "mnemo.limits.max-metadata-length or ask your service administrator.",
                "received a metric metadata whose metric name is not valid UTF-8: 'x\uFFFD' (invalid bytes shown as \uFFFD)"
                        + " (err-mnemo-metadata-metric-name-invalid)"),
                split.rejections().stream().map(Rejection::message).toList());
        assertEquals(1, split.acceptedSeries(), "the series beside refused metadata is written");
        Map<String, List<String>> md = writtenMetadata(split);
        assertEquals(Set.of("ok", "a-b c", "long_help", "f".repeat(20)), md.keySet());
        assertEquals(List.of("fine", "seconds"), md.get("ok"));
        assertEquals("a" + "é".repeat(9), md.get("long_help").get(0), "cut to 19 bytes, before the 'é' at byte 19");
    }

    @Test
    void onlyTheFirstFewMessagesAreKept() {
        List<Remote.TimeSeries> input = new ArrayList<>();
        for (int i = 0; i < 50; i++) input.add(series("__name__", "m", "dup" + i, "x", "dup" + i, "y").addSamples(sample(1, 1)).build());
        Split split = new PartitionSplitter(SeriesValidator.withDefaults(), 3).split(TENANT, new WriteRequestReader().reset(encode(input)), null, 4);
        assertEquals(50, split.rejectedSeries());
        assertEquals(3, split.rejections().size());
        assertTrue(split.rejections().get(2).message().contains("'dup2'"), split.rejections().get(2).message());
        for (int p = 0; p < 4; p++) assertNull(split.record(p), "nothing valid, nothing written");
        assertEquals(0, split.acceptedSeries());
    }

    @Test
    void emptyRequestSplitsIntoNothing() {
        Split split = split(new byte[0], 4);
        for (int p = 0; p < 4; p++) assertNull(split.record(p));
        assertFalse(split.hasRejections());
        assertNull(split.firstRejection());
    }

    @Test
    void malformedRequestIsRejectedWhole() {
        byte[] good = encode(validSeries(new Random(4), 10));
        byte[] cutNearTheEnd = Arrays.copyOf(good, good.length - 3); // inside the last series
        byte[] cutIntoSeries = Arrays.copyOf(good, good.length / 2);
        for (byte[] request : List.of(cutNearTheEnd, cutIntoSeries)) {
            RemoteWriteException e = assertThrows(RemoteWriteException.class, () -> split(request, 4));
            assertTrue(e.getMessage().startsWith("malformed write request: "), e.getMessage());
        }
    }

    @Test
    void splitterIsReusableAcrossRequests() throws Exception {
        Random random = new Random(8);
        for (int round = 0; round < 5; round++) {
            List<Remote.TimeSeries> input = validSeries(random, 100 + round * 400); // grows the index arrays
            Split split = split(encode(input), 3);
            int n = 0;
            for (int p = 0; p < 3; p++) {
                assertNotNull(split.record(p));
                n += decode(split.record(p)).size();
            }
            assertEquals(input.size(), n);
        }
    }
}
