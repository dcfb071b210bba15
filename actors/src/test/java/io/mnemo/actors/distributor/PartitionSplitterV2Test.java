package io.mnemo.actors.distributor;

import static io.mnemo.actors.distributor.V2Requests.sample;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mnemo.actors.distributor.PartitionSplitter.Split;
import io.mnemo.actors.prompb.Remote;
import io.mnemo.actors.prompb.WriteV2;
import io.mnemo.actors.prompb.WriteV2.Metadata.MetricType;
import io.mnemo.tsdb.StaleNaN;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Remote write 2.0 pushes split into the same ingest records as 1.0 ones, with 2.0's metadata, created timestamps and rules. */
class PartitionSplitterV2Test {
    private static final String TENANT = "team-a";
    private final PartitionSplitter v1 = new PartitionSplitter(SeriesValidator.withDefaults());
    private final PartitionSplitter v2 = new PartitionSplitter(SeriesValidator.withDefaults());

    private Split splitV2(byte[] request, int partitions, PushLimits limits) {
        return v2.splitV2(TENANT, new RequestV2Reader().reset(request), partitions, limits);
    }

    private Split splitV2(byte[] request, int partitions) {
        return splitV2(request, partitions, PushLimits.NONE);
    }

    /** Metadata series of a split's records: family → "type|help|unit", and the partition each came in. */
    private static Map<String, String> metadata(Split split, Map<String, Integer> partitionOf) throws Exception {
        Map<String, String> out = new HashMap<>();
        for (int p = 0; p < split.partitions(); p++) {
            if (split.record(p) == null) continue;
            WriteV2.Request r = WriteV2.Request.parseFrom(split.record(p));
            for (WriteV2.TimeSeries ts : r.getTimeseriesList()) {
                if (!ts.hasMetadata()) continue;
                assertEquals(0, ts.getSamplesCount());
                assertEquals(2, ts.getLabelsRefsCount(), "only __name__");
                String family = r.getSymbols(ts.getLabelsRefs(1));
                WriteV2.Metadata m = ts.getMetadata();
                String previous = out.put(family, m.getType().getNumber() + "|" + r.getSymbols(m.getHelpRef()) + "|"
                        + r.getSymbols(m.getUnitRef()));
                assertNull(previous, "once per push: " + family);
                partitionOf.put(family, p);
            }
        }
        return out;
    }

    @Test
    void floatsGoToTheRecordsAsTheSameSeriesIn1Point0() {
        Random random = new Random(3);
        Remote.WriteRequest.Builder one = Remote.WriteRequest.newBuilder();
        V2Requests two = new V2Requests();
        for (int i = 0; i < 500; i++) {
            String[] labels = {"__name__", "metric_" + i % 7, "instance", "host-" + i, "zone", random.nextBoolean() ? "a" : "ü"};
            Remote.TimeSeries.Builder s1 = Fixtures.series(labels);
            WriteV2.TimeSeries.Builder s2 = two.series(labels);
            for (int k = 0; k < 1 + random.nextInt(3); k++) {
                long t = random.nextLong();
                double v = k == 1 ? StaleNaN.VALUE : random.nextGaussian();
                s1.addSamples(Fixtures.sample(t, v));
                s2.addSamples(sample(t, v));
            }
            one.addTimeseries(s1);
            two.add(s2);
        }
        byte[] body1 = one.build().toByteArray();
        Split expected = v1.split(TENANT, new WriteRequestReader().reset(body1), null, 4);
        Split actual = splitV2(two.bytes(), 4);
        assertFalse(actual.hasRejections());
        for (int p = 0; p < 4; p++) {
            assertArrayEquals(expected.record(p), actual.record(p), "partition " + p + ": the very same record");
            assertEquals(expected.sampleCount(p), actual.sampleCount(p));
        }
        assertEquals(expected.acceptedSamples(), actual.acceptedSamples());
    }

    @Test
    void unsortedLabelsAreSortedAsPrometheusDoes() {
        V2Requests sorted = new V2Requests();
        sorted.add(sorted.series("__name__", "up", "instance", "h", "job", "j").addSamples(sample(1, 1)));
        V2Requests unsorted = new V2Requests();
        unsorted.add(unsorted.series("job", "j", "__name__", "up", "instance", "h").addSamples(sample(1, 1)));
        Split a = splitV2(sorted.bytes(), 2);
        Split b = splitV2(unsorted.bytes(), 2);
        assertFalse(b.hasRejections(), () -> b.rejections().toString());
        assertEquals(a.seriesCount(0), b.seriesCount(0));
        assertEquals(a.seriesCount(1), b.seriesCount(1));

        V2Requests duplicate = new V2Requests();
        duplicate.add(duplicate.series("job", "j", "__name__", "up", "job", "k").addSamples(sample(1, 1)));
        Split d = splitV2(duplicate.bytes(), 2);
        assertEquals(1, d.rejectedSeries(DiscardReason.DUPLICATE_LABEL_NAMES));
        assertTrue(d.firstRejection().message().contains("label name 'job' more than once"), d.firstRejection().message());
    }

    @Test
    void seriesRulesAndMessagesAreThoseOf1Point0() {
        String longValue = "v".repeat(SeriesValidator.DEFAULT_MAX_LABEL_VALUE_LENGTH + 1);
        Remote.WriteRequest one = Fixtures.request(
                Fixtures.series("job", "nameless").addSamples(Fixtures.sample(1, 1)),
                Fixtures.series("__name__", "long", "v", longValue).addSamples(Fixtures.sample(1, 1)));
        V2Requests two = new V2Requests();
        two.add(two.series("job", "nameless").addSamples(sample(1, 1)));
        two.add(two.series("__name__", "long", "v", longValue).addSamples(sample(1, 1)));
        Split expected = v1.split(TENANT, new WriteRequestReader().reset(one.toByteArray()), null, 1);
        Split actual = splitV2(two.bytes(), 1);
        assertEquals(expected.rejections(), actual.rejections());
        assertEquals(1, actual.discarded(DiscardReason.MISSING_METRIC_NAME));
        assertEquals(1, actual.discarded(DiscardReason.LABEL_VALUE_TOO_LONG));
        assertNull(actual.record(0));
    }

    /** Unlike 1.0 (Mimir drops them silently), 2.0 refuses a series without labels, as Prometheus 3 does: never a silent 2xx. */
    @Test
    void aSeriesWithoutLabelsIsRefusedNotDropped() {
        V2Requests b = new V2Requests();
        b.add(WriteV2.TimeSeries.newBuilder().addSamples(sample(1, 1)));
        b.add(b.series("__name__", "").addSamples(sample(1, 1)));
        Split split = splitV2(b.bytes(), 1);
        assertEquals(2, split.discarded(DiscardReason.MISSING_METRIC_NAME));
        assertEquals("received a series with no labels (err-mnemo-missing-metric-name)", split.firstRejection().message());
        assertEquals(0, split.droppedEmptySeries());
    }

    /** As in 1.0: a valid native histogram sample goes into the record as it came, and is counted as written. */
    @Test
    void nativeHistogramsAreCarriedAsIn1Point0() throws Exception {
        V2Requests b = new V2Requests();
        byte[] histogram = {0x08, 1, 0x30, 1, 0x78, 0x05}; // count 1 in the zero bucket, timestamp 5
        b.add(b.series("__name__", "h", "job", "a").addHistograms(com.google.protobuf.ByteString.copyFrom(histogram)));
        b.add(b.series("__name__", "f", "job", "a").addSamples(sample(1, 1)));
        Split split = splitV2(b.bytes(), 1);
        assertFalse(split.hasRejections(), () -> split.firstRejection().message());
        assertEquals(1, split.acceptedSamples());
        assertEquals(1, split.acceptedHistograms());
        WriteV2.Request record = WriteV2.Request.parseFrom(split.record(0));
        assertEquals(List.of(com.google.protobuf.ByteString.copyFrom(histogram)), record.getTimeseriesList().stream()
                .flatMap(ts -> ts.getHistogramsList().stream()).toList());
    }

    @Test
    void seriesMetadataBecomesItsFamilysMetadataOncePerPush() throws Exception {
        V2Requests b = new V2Requests();
        WriteV2.Metadata counter = b.metadata(MetricType.METRIC_TYPE_COUNTER, "Requests.", "requests");
        WriteV2.Metadata histogram = b.metadata(MetricType.METRIC_TYPE_HISTOGRAM, "Latency.", "seconds");
        WriteV2.Metadata summary = b.metadata(MetricType.METRIC_TYPE_SUMMARY, "Sizes.", "bytes");
        for (int i = 0; i < 50; i++) {
            b.add(b.series("__name__", "http_requests_total", "i", "" + i).addSamples(sample(1, i)).setMetadata(counter));
        }
        for (String part : new String[] {"_bucket", "_sum", "_count"}) {
            b.add(b.series("__name__", "latency_seconds" + part).addSamples(sample(1, 1)).setMetadata(histogram));
        }
        b.add(b.series("__name__", "size_count").addSamples(sample(1, 1)).setMetadata(summary));
        b.add(b.series("__name__", "size_bucket").addSamples(sample(1, 1)).setMetadata(summary)); // no _bucket in a summary
        b.add(b.series("__name__", "gauge_only").addSamples(sample(1, 1))
                .setMetadata(b.metadata(MetricType.METRIC_TYPE_GAUGE, "", "")));
        b.add(b.series("__name__", "says_nothing").addSamples(sample(1, 1))
                .setMetadata(b.metadata(MetricType.METRIC_TYPE_UNSPECIFIED, "", "")));
        b.add(b.series("__name__", "metadata_only") // no sample: its metadata is kept, the series is not written
                .setMetadata(b.metadata(MetricType.METRIC_TYPE_INFO, "Build.", "")));
        Split split = splitV2(b.bytes(), 4);
        assertFalse(split.hasRejections(), () -> split.rejections().toString());
        Map<String, Integer> partitions = new HashMap<>();
        Map<String, String> md = metadata(split, partitions);
        assertEquals(Map.of("http_requests_total", "1|Requests.|requests", "latency_seconds", "3|Latency.|seconds",
                "size", "5|Sizes.|bytes", "size_bucket", "5|Sizes.|bytes", "gauge_only", "2||", "metadata_only", "6|Build.|"), md);
        for (Map.Entry<String, Integer> e : partitions.entrySet()) {
            assertEquals(Math.floorMod((TENANT + '\u0000' + e.getKey()).hashCode(), 4), e.getValue(), "1.0's partition of " + e.getKey());
        }
        assertEquals(50 + 3 + 2 + 2, split.acceptedSeries(), "the sample-less series is not written");
    }

    @Test
    void metadataIsLimitedAsIn1Point0() throws Exception {
        V2Requests b = new V2Requests();
        b.add(b.series("__name__", "long_unit").addSamples(sample(1, 1))
                .setMetadata(b.metadata(MetricType.METRIC_TYPE_GAUGE, "h", "u".repeat(20))));
        b.add(b.series("__name__", "long_help").addSamples(sample(1, 1))
                .setMetadata(b.metadata(MetricType.METRIC_TYPE_GAUGE, "x".repeat(30), "")));
        Split split = splitV2(b.bytes(), 1, new PushLimits(Long.MIN_VALUE, Long.MAX_VALUE, 10));
        assertEquals(1, split.discarded(DiscardReason.METADATA_UNIT_TOO_LONG));
        assertTrue(split.firstRejection().message().contains("metric name: 'long_unit'"), split.firstRejection().message());
        assertEquals(2, split.acceptedSamples(), "the samples are stored");
        assertEquals(Map.of("long_help", "2|" + "x".repeat(10) + "|"), metadata(split, new HashMap<>()));
    }

    @Test
    void createdTimestampsAreKeptInTheRecord() throws Exception {
        V2Requests b = new V2Requests();
        b.add(b.series("__name__", "c_total").addSamples(sample(5_000, 3)).setCreatedTimestamp(1_000));
        b.add(b.series("__name__", "g").addSamples(sample(5_000, 3)));
        Split split = splitV2(b.bytes(), 1);
        WriteV2.Request record = WriteV2.Request.parseFrom(split.record(0));
        List<Long> created = new ArrayList<>();
        for (WriteV2.TimeSeries ts : record.getTimeseriesList()) created.add(ts.getCreatedTimestamp());
        assertEquals(List.of(1_000L, 0L), created);
        io.mnemo.actors.ingest.IngestRecordReader r = new io.mnemo.actors.ingest.IngestRecordReader().reset(split.record(0));
        assertTrue(r.nextSeries());
        assertEquals(5_000, r.sampleTimestamp(0), "the ingester's reader skips the field");
    }

    @Test
    void samplesOutsideTheTenantsTimeLimitsAreRefusedAndTheRestCounted() {
        V2Requests b = new V2Requests();
        b.add(b.series("__name__", "m").addSamples(sample(5, 1)).addSamples(sample(50, 2)).addSamples(sample(500, 3)));
        Split split = splitV2(b.bytes(), 1, new PushLimits(10, 100, 1024));
        assertEquals(1, split.acceptedSamples());
        assertEquals(1, split.discarded(DiscardReason.TOO_FAR_IN_PAST));
        assertEquals(1, split.discarded(DiscardReason.TOO_FAR_IN_FUTURE));
    }
}
