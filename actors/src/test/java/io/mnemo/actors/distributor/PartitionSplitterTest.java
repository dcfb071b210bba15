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

import io.mnemo.actors.distributor.PartitionSplitter.Split;
import io.mnemo.actors.distributor.SeriesValidator.Reason;
import io.mnemo.actors.prompb.Remote;
import io.mnemo.tsdb.Labels;
import io.mnemo.tsdb.StaleNaN;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class PartitionSplitterTest {
    private static final String TENANT = "team-ä";
    private final PartitionSplitter splitter = new PartitionSplitter(SeriesValidator.withDefaults());

    private static List<Remote.TimeSeries> validSeries(Random random, int count) {
        List<Remote.TimeSeries> out = new ArrayList<>();
        Remote.Exemplar exemplar = Remote.Exemplar.newBuilder().addLabels(label("trace_id", "t1")).setValue(2).setTimestamp(3).build();
        for (int i = 0; i < count; i++) {
            Remote.TimeSeries.Builder s = series("__name__", "metric_" + i % 7, "empty", "", "instance", "host-" + i,
                    "zone", random.nextBoolean() ? "a" : "ü");
            int samples = random.nextInt(4); // some series carry no sample at all
            for (int k = 0; k < samples; k++) s.addSamples(sample(random.nextLong(), k == 1 ? StaleNaN.VALUE : random.nextGaussian()));
            if (i % 5 == 0) s.addExemplars(exemplar);
            out.add(s.build());
        }
        return out;
    }

    private static byte[] encode(List<Remote.TimeSeries> series) {
        return Remote.WriteRequest.newBuilder().addAllTimeseries(series)
                .addMetadata(Remote.MetricMetadata.newBuilder().setMetricFamilyName("metric_0")).build().toByteArray();
    }

    private Split split(byte[] request, int partitions) {
        return splitter.split(TENANT, new WriteRequestReader().reset(request), partitions);
    }

    @Test
    void recordsHoldExactlyTheInputSeriesInTheirPartitions() throws Exception {
        Random random = new Random(5);
        List<Remote.TimeSeries> input = validSeries(random, 1_000);
        for (int partitions : new int[] {1, 4, 7}) {
            Split split = split(encode(input), partitions);
            assertEquals(partitions, split.partitions());
            assertFalse(split.hasRejections());
            List<Remote.TimeSeries> output = new ArrayList<>();
            int totalSamples = 0;
            for (int p = 0; p < partitions; p++) {
                byte[] record = split.record(p);
                if (record == null) {
                    assertEquals(0, split.seriesCount(p));
                    continue;
                }
                Remote.WriteRequest decoded = Remote.WriteRequest.parseFrom(record);
                assertEquals(0, decoded.getMetadataCount());
                assertEquals(split.seriesCount(p), decoded.getTimeseriesCount());
                int samples = 0;
                for (Remote.TimeSeries ts : decoded.getTimeseriesList()) {
                    assertEquals(p, PartitionSharder.partitionFor(TENANT, Fixtures.labelsOf(ts), partitions), "partition of " + ts);
                    samples += ts.getSamplesCount();
                    output.add(ts);
                }
                assertEquals(split.sampleCount(p), samples);
                totalSamples += samples;
            }
            // Same series, unchanged (exemplars, empty labels and all), each exactly once, order kept per partition.
            assertEquals(input.size(), output.size());
            assertEquals(new HashSet<>(input), new HashSet<>(output));
            assertEquals(input.size(), split.acceptedSeries());
            assertEquals(input.stream().mapToInt(Remote.TimeSeries::getSamplesCount).sum(), totalSamples);
            assertEquals(totalSamples, split.acceptedSamples());
        }
    }

    @Test
    void recordsAreReadableByTheIngestersReader() {
        List<Remote.TimeSeries> input = validSeries(new Random(9), 200);
        Split split = split(encode(input), 4);
        WriteRequestReader r = new WriteRequestReader();
        Set<Labels> seen = new HashSet<>();
        for (int p = 0; p < 4; p++) {
            if (split.record(p) == null) continue;
            r.reset(split.record(p));
            while (r.nextSeries()) {
                Remote.TimeSeries original = input.get(Integer.parseInt(r.labels().get("instance").substring(5)));
                assertEquals(original.getSamplesCount(), r.sampleCount());
                for (int i = 0; i < r.sampleCount(); i++) {
                    assertEquals(original.getSamples(i).getTimestamp(), r.sampleTimestamp(i));
                    assertEquals(Double.doubleToRawLongBits(original.getSamples(i).getValue()), r.sampleValueBits(i));
                }
                assertTrue(seen.add(r.labels()));
            }
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
            assertEquals(new HashSet<>(Remote.WriteRequest.parseFrom(first.record(p)).getTimeseriesList()),
                    new HashSet<>(Remote.WriteRequest.parseFrom(second.record(p)).getTimeseriesList()));
        }
    }

    /** Mimir: valid series are written, invalid ones counted, the push answered with the first error. */
    @Test
    void invalidSeriesAreLeftOutAndReported() throws Exception {
        List<Remote.TimeSeries> valid = validSeries(new Random(2), 20);
        List<Remote.TimeSeries> input = new ArrayList<>(valid);
        input.add(3, series("job", "no-name").addSamples(sample(1, 1)).addSamples(sample(2, 2)).build());
        input.add(8, series("__name__", "m", "bad-label", "x").addSamples(sample(1, 1)).build());
        input.add(9, series("__name__", "m", "b", "1", "a", "1").build());
        input.add(10, series("a", "", "b", "").addSamples(sample(1, 1)).build()); // no labels: dropped silently
        input.add(11, series().addSamples(sample(1, 1)).build());
        Split split = split(encode(input), 4);

        assertTrue(split.hasRejections());
        assertEquals(3, split.rejectedSeries());
        assertEquals(3, split.rejectedSamples());
        assertEquals(2, split.rejectedSamples(Reason.MISSING_METRIC_NAME));
        assertEquals(1, split.rejectedSeries(Reason.INVALID_LABEL));
        assertEquals(1, split.rejectedSeries(Reason.LABELS_NOT_SORTED));
        assertEquals(0, split.rejectedSamples(Reason.LABELS_NOT_SORTED));
        assertEquals(2, split.droppedEmptySeries());
        assertEquals(List.of(Reason.MISSING_METRIC_NAME, Reason.INVALID_LABEL, Reason.LABELS_NOT_SORTED),
                split.rejections().stream().map(SeriesValidator.Rejection::reason).toList());
        assertTrue(split.firstRejection().message().contains("{job=\"no-name\"}"), split.firstRejection().message());

        assertEquals(20, split.acceptedSeries());
        Set<Remote.TimeSeries> written = new HashSet<>();
        for (int p = 0; p < 4; p++) {
            if (split.record(p) != null) written.addAll(Remote.WriteRequest.parseFrom(split.record(p)).getTimeseriesList());
        }
        assertEquals(new HashSet<>(valid), written);
    }

    @Test
    void onlyTheFirstFewMessagesAreKept() {
        List<Remote.TimeSeries> input = new ArrayList<>();
        for (int i = 0; i < 50; i++) input.add(series("__name__", "m", "bad-" + i, "x").addSamples(sample(1, 1)).build());
        Split split = new PartitionSplitter(SeriesValidator.withDefaults(), 3).split(TENANT, new WriteRequestReader().reset(encode(input)), 4);
        assertEquals(50, split.rejectedSeries());
        assertEquals(3, split.rejections().size());
        assertTrue(split.rejections().get(2).message().contains("'bad-2'"), split.rejections().get(2).message());
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
        byte[] cutIntoMetadata = Arrays.copyOf(good, good.length - 3); // after every series: still rejected
        byte[] cutIntoSeries = Arrays.copyOf(good, good.length / 2);
        for (byte[] request : List.of(cutIntoMetadata, cutIntoSeries)) {
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
                n += Remote.WriteRequest.parseFrom(split.record(p)).getTimeseriesCount();
            }
            assertEquals(input.size(), n);
        }
    }

    @Test
    void varintsAreMinimal() {
        byte[] b = new byte[5];
        for (int v : new int[] {0, 1, 127, 128, 16_383, 16_384, 2_097_151, 2_097_152, Integer.MAX_VALUE}) {
            int end = PartitionSplitter.writeVarint(b, 0, v);
            assertEquals(PartitionSplitter.varintSize(v), end, "size of " + v);
        }
    }
}
