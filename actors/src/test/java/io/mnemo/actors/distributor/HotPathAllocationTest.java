package io.mnemo.actors.distributor;

import static io.mnemo.actors.distributor.Fixtures.sample;
import static io.mnemo.actors.distributor.Fixtures.series;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.mnemo.actors.prompb.Remote;
import java.lang.management.ManagementFactory;
import io.mnemo.tsdb.SeriesHasher;
import org.junit.jupiter.api.Test;

/** Decoding, validating, hashing and splitting allocate nothing per series or sample once warmed up. */
class HotPathAllocationTest {
    private static final int SERIES = 20_000;
    private static final int SAMPLES = 10;

    private static byte[] bigRequest() {
        Remote.WriteRequest.Builder b = Remote.WriteRequest.newBuilder();
        for (int i = 0; i < SERIES; i++) {
            Remote.TimeSeries.Builder s = series("__name__", "metric_" + i % 100, "instance", "host-" + i, "job", "node",
                    "zone-ü", "eu-" + i % 3); // a UTF-8 label name: validated in place too
            for (int k = 0; k < SAMPLES; k++) s.addSamples(sample(1_000L * k, k));
            b.addTimeseries(s);
        }
        return b.build().toByteArray();
    }

    private static com.sun.management.ThreadMXBean threads() {
        java.lang.management.ThreadMXBean bean = ManagementFactory.getThreadMXBean();
        assumeTrue(bean instanceof com.sun.management.ThreadMXBean, "needs HotSpot's allocation counter");
        com.sun.management.ThreadMXBean t = (com.sun.management.ThreadMXBean) bean;
        assumeTrue(t.isThreadAllocatedMemorySupported() && t.isThreadAllocatedMemoryEnabled());
        return t;
    }

    @Test
    void readingValidatingAndHashingDoNotAllocate() {
        com.sun.management.ThreadMXBean threads = threads();
        byte[] request = bigRequest();
        WriteRequestReader reader = new WriteRequestReader();
        SeriesValidator validator = SeriesValidator.withDefaults();
        long checksum = 0;
        long allocated = Long.MAX_VALUE;
        for (int round = 0; round < 5; round++) { // the last rounds run warm
            long before = threads.getThreadAllocatedBytes(Thread.currentThread().getId());
            reader.reset(request);
            while (reader.nextSeries()) {
                if (validator.validate(reader) != null) throw new AssertionError("invalid");
                for (int i = 0; i < reader.labelCount(); i++) {
                    checksum += SeriesHasher.bytes(reader.buffer(), reader.labelValueOffset(i), reader.labelValueLength(i));
                }
                for (int i = 0; i < reader.sampleCount(); i++) checksum += reader.sampleTimestamp(i) + reader.sampleValueBits(i);
            }
            allocated = Math.min(allocated, threads.getThreadAllocatedBytes(Thread.currentThread().getId()) - before);
        }
        assertTrue(checksum != 0);
        // 200k samples: even one object per series would be hundreds of kilobytes.
        assertTrue(allocated < 4_096, "allocated " + allocated + " bytes for " + SERIES + " series");
    }

    /** Native histograms are decoded to be checked, into the splitter's reused instances. */
    @Test
    void checkingNativeHistogramsAllocatesNothingPerSample() {
        com.sun.management.ThreadMXBean threads = threads();
        Remote.Histogram.Builder h = Remote.Histogram.newBuilder().setCountInt(36).setSum(3).setSchema(3).setTimestamp(5)
                .addPositiveSpans(Remote.BucketSpan.newBuilder().setOffset(2).setLength(8))
                .addNegativeSpans(Remote.BucketSpan.newBuilder().setOffset(-1).setLength(2)).addNegativeDeltas(0).addNegativeDeltas(0);
        for (int i = 0; i < 8; i++) h.addPositiveDeltas(1); // counts 1..8: 36
        com.google.protobuf.UnknownFieldSet.Field.Builder f = com.google.protobuf.UnknownFieldSet.Field.newBuilder();
        for (int k = 0; k < SAMPLES; k++) f.addLengthDelimited(h.setTimestamp(1_000L * k + 1).build().toByteString());
        com.google.protobuf.UnknownFieldSet histograms = com.google.protobuf.UnknownFieldSet.newBuilder().addField(4, f.build()).build();
        Remote.WriteRequest.Builder b = Remote.WriteRequest.newBuilder();
        for (int i = 0; i < SERIES / 4; i++) {
            b.addTimeseries(series("__name__", "hist_" + i % 100, "instance", "host-" + i).setUnknownFields(histograms));
        }
        byte[] request = b.build().toByteArray();
        WriteRequestReader reader = new WriteRequestReader();
        PartitionSplitter splitter = new PartitionSplitter(SeriesValidator.withDefaults());
        long overhead = Long.MAX_VALUE;
        for (int round = 0; round < 5; round++) {
            long before = threads.getThreadAllocatedBytes(Thread.currentThread().getId());
            PartitionSplitter.Split split = splitter.split("tenant", reader.reset(request), null, 4);
            long allocated = threads.getThreadAllocatedBytes(Thread.currentThread().getId()) - before;
            long output = 0;
            for (int p = 0; p < 4; p++) output += split.record(p).length;
            assertEquals(SERIES / 4 * SAMPLES, split.acceptedHistograms(), () -> String.valueOf(split.firstRejection()));
            overhead = Math.min(overhead, allocated - output);
        }
        // 50k histograms: one object per sample would be megabytes.
        assertTrue(overhead < 8_192, "allocated " + overhead + " bytes beyond the records");
    }

    @Test
    void splittingAllocatesLittleMoreThanItsOutput() {
        com.sun.management.ThreadMXBean threads = threads();
        byte[] request = bigRequest();
        WriteRequestReader reader = new WriteRequestReader();
        PartitionSplitter splitter = new PartitionSplitter(SeriesValidator.withDefaults());
        long overhead = Long.MAX_VALUE;
        for (int round = 0; round < 5; round++) {
            long before = threads.getThreadAllocatedBytes(Thread.currentThread().getId());
            PartitionSplitter.Split split = splitter.split("tenant", reader.reset(request), null, 4);
            long allocated = threads.getThreadAllocatedBytes(Thread.currentThread().getId()) - before;
            long output = 0;
            for (int p = 0; p < 4; p++) output += split.record(p).length;
            assertEquals(SERIES, split.acceptedSeries());
            overhead = Math.min(overhead, allocated - output);
        }
        assertTrue(overhead < 8_192, "allocated " + overhead + " bytes beyond the records");
    }

    /** Samples outside the tenant's time limits are skipped in place: no object per refused sample. */
    @Test
    void refusingSamplesAllocatesNothingPerSample() {
        com.sun.management.ThreadMXBean threads = threads();
        byte[] request = bigRequest();
        WriteRequestReader reader = new WriteRequestReader();
        PartitionSplitter splitter = new PartitionSplitter(SeriesValidator.withDefaults(), 1);
        PushLimits limits = new PushLimits(2_000, 6_000, 1024); // keeps 2000..6000 of 0..9000: 5 of 10 samples
        long overhead = Long.MAX_VALUE;
        for (int round = 0; round < 5; round++) {
            long before = threads.getThreadAllocatedBytes(Thread.currentThread().getId());
            PartitionSplitter.Split split = splitter.split("tenant", reader.reset(request), null, 4, limits);
            long allocated = threads.getThreadAllocatedBytes(Thread.currentThread().getId()) - before;
            long output = 0;
            for (int p = 0; p < 4; p++) output += split.record(p).length;
            assertEquals(SERIES * 5, split.acceptedSamples());
            assertEquals(SERIES * 3, split.discarded(DiscardReason.TOO_FAR_IN_FUTURE));
            assertEquals(SERIES * 2, split.discarded(DiscardReason.TOO_FAR_IN_PAST));
            overhead = Math.min(overhead, allocated - output);
        }
        // 100,000 refused samples; the one kept message is a few hundred bytes.
        assertTrue(overhead < 12_288, "allocated " + overhead + " bytes beyond the records");
    }

    /**
     * Remote write 2.0: refs resolved to byte ranges, labels sorted in place, and metadata on every
     * series (as Prometheus 3 sends it) kept once per family: what is allocated besides the records
     * grows with the families (100 here), not with the series.
     */
    @Test
    void splittingRemoteWrite2AllocatesPerFamilyNotPerSeries() {
        com.sun.management.ThreadMXBean threads = threads();
        V2Requests b = new V2Requests();
        for (int i = 0; i < SERIES; i++) {
            io.mnemo.actors.prompb.WriteV2.TimeSeries.Builder s = b.series("job", "node", "__name__", "metric_" + i % 100,
                    "instance", "host-" + i, "zone-ü", "eu-" + i % 3) // unsorted: sorted in place
                    .setMetadata(b.metadata(io.mnemo.actors.prompb.WriteV2.Metadata.MetricType.METRIC_TYPE_GAUGE,
                            "Help of " + i % 100, "seconds"));
            for (int k = 0; k < SAMPLES; k++) s.addSamples(V2Requests.sample(1_000L * k, k));
            b.add(s);
        }
        byte[] request = b.bytes();
        RequestV2Reader reader = new RequestV2Reader();
        PartitionSplitter splitter = new PartitionSplitter(SeriesValidator.withDefaults());
        long overhead = Long.MAX_VALUE;
        for (int round = 0; round < 5; round++) {
            long before = threads.getThreadAllocatedBytes(Thread.currentThread().getId());
            PartitionSplitter.Split split = splitter.splitV2("tenant", reader.reset(request), 4, PushLimits.NONE);
            long allocated = threads.getThreadAllocatedBytes(Thread.currentThread().getId()) - before;
            long output = 0;
            for (int p = 0; p < 4; p++) output += split.record(p).length;
            assertEquals(SERIES, split.acceptedSeries());
            assertEquals(SERIES * SAMPLES, split.acceptedSamples());
            overhead = Math.min(overhead, allocated - output);
        }
        // One object per series would be at least 320 kB; a family's metadata costs a few hundred bytes.
        assertTrue(overhead < 65_536, "allocated " + overhead + " bytes beyond the records");
    }

    /** Exemplars are read, validated and written in place: nothing per exemplar beyond the records. */
    @Test
    void splittingExemplarsAllocatesNothingPerExemplar() {
        com.sun.management.ThreadMXBean threads = threads();
        Remote.WriteRequest.Builder b = Remote.WriteRequest.newBuilder();
        for (int i = 0; i < SERIES; i++) {
            Remote.TimeSeries.Builder s = series("__name__", "metric_" + i % 100, "instance", "host-" + i);
            s.addSamples(sample(10_000, i));
            for (int e = 0; e < 3; e++) {
                s.addExemplars(Remote.Exemplar.newBuilder().setTimestamp(10_000 + e).setValue(e)
                        .addLabels(Fixtures.label("trace_id", "%032x".formatted(i * 3L + e))).addLabels(Fixtures.label("span_id", "s")));
            }
            b.addTimeseries(s);
        }
        byte[] request = b.build().toByteArray();
        WriteRequestReader reader = new WriteRequestReader();
        PartitionSplitter splitter = new PartitionSplitter(SeriesValidator.withDefaults());
        long overhead = Long.MAX_VALUE;
        for (int round = 0; round < 5; round++) {
            long before = threads.getThreadAllocatedBytes(Thread.currentThread().getId());
            PartitionSplitter.Split split = splitter.split("tenant", reader.reset(request), null, 4);
            long allocated = threads.getThreadAllocatedBytes(Thread.currentThread().getId()) - before;
            long output = 0;
            for (int p = 0; p < 4; p++) output += split.record(p).length;
            assertEquals(SERIES * 3, split.acceptedExemplars());
            overhead = Math.min(overhead, allocated - output);
        }
        // 60,000 exemplars: one object each would be over a megabyte.
        assertTrue(overhead < 65_536, "allocated " + overhead + " bytes beyond the records");
    }
}
