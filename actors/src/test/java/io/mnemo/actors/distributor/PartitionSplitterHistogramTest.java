package io.mnemo.actors.distributor;

import static io.mnemo.actors.distributor.Fixtures.sample;
import static io.mnemo.actors.distributor.Fixtures.series;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import com.google.protobuf.UnknownFieldSet;
import io.mnemo.actors.distributor.PartitionSplitter.Split;
import io.mnemo.actors.prompb.Remote;
import io.mnemo.actors.prompb.WriteV2;
import io.mnemo.tsdb.StaleNaN;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Native histogram samples through the splitter: Mimir's distributor checks (ingestion enabled,
 * time limits, schema, bucket limit with resolution reduction) and Prometheus's histogram rules,
 * each refusal with its reason and message, and what the records carry.
 */
class PartitionSplitterHistogramTest {
    private static final long T = 1_700_000_000_000L;
    private static final String SERIES = "{__name__=\"h\", job=\"a\"}";
    private final PartitionSplitter splitter = new PartitionSplitter(SeriesValidator.withDefaults());

    private static PushLimits limits(boolean enabled, int maxBuckets, boolean reduce) {
        return new PushLimits(T - 60_000, T + 60_000, 1024, true, enabled, maxBuckets, reduce);
    }

    private static final PushLimits DEFAULTS = limits(true, 0, true);

    private static Remote.BucketSpan span(int offset, int length) {
        return Remote.BucketSpan.newBuilder().setOffset(offset).setLength(length).build();
    }

    /** Schema 1, positive buckets 1..8 with counts 1..8 (deltas of 1): 36 observations. */
    private static Remote.Histogram.Builder eightBuckets() {
        Remote.Histogram.Builder h = Remote.Histogram.newBuilder().setCountInt(36).setSum(100).setSchema(1)
                .addPositiveSpans(span(1, 8)).setTimestamp(T);
        for (int i = 0; i < 8; i++) h.addPositiveDeltas(1);
        return h;
    }

    private static Remote.TimeSeries.Builder withHistograms(Remote.TimeSeries.Builder s, Remote.Histogram... hs) {
        UnknownFieldSet.Field.Builder f = UnknownFieldSet.Field.newBuilder();
        for (Remote.Histogram h : hs) f.addLengthDelimited(h.toByteString());
        return s.setUnknownFields(UnknownFieldSet.newBuilder().addField(4, f.build()).build());
    }

    private Split split(PushLimits limits, Remote.TimeSeries.Builder... series) {
        Remote.WriteRequest.Builder r = Remote.WriteRequest.newBuilder();
        for (Remote.TimeSeries.Builder s : series) r.addTimeseries(s);
        return splitter.split("t", new WriteRequestReader().reset(r.build().toByteArray()), null, 1, limits);
    }

    private Split splitOne(PushLimits limits, Remote.Histogram h) {
        return split(limits, withHistograms(series("__name__", "h", "job", "a"), h),
                series("__name__", "f", "job", "a").addSamples(sample(T, 1)));
    }

    /** The histograms the records carry, as Prometheus's classes read them. */
    private static List<Remote.Histogram> written(Split split) throws Exception {
        List<Remote.Histogram> out = new ArrayList<>();
        for (int p = 0; p < split.partitions(); p++) {
            if (split.record(p) == null) continue;
            for (WriteV2.TimeSeries ts : WriteV2.Request.parseFrom(split.record(p)).getTimeseriesList()) {
                for (ByteString h : ts.getHistogramsList()) out.add(Remote.Histogram.parseFrom(h));
            }
        }
        return out;
    }

    private static List<ByteString> writtenBytes(Split split) throws Exception {
        List<ByteString> out = new ArrayList<>();
        for (WriteV2.TimeSeries ts : WriteV2.Request.parseFrom(split.record(0)).getTimeseriesList()) out.addAll(ts.getHistogramsList());
        return out;
    }

    private static void refused(Split split, DiscardReason reason, String message) {
        assertEquals(1, split.discarded(reason));
        assertEquals(1, split.discarded());
        assertEquals(message, split.firstRejection().message());
        assertEquals(1, split.acceptedSamples(), "the float beside it is written");
        assertEquals(0, split.acceptedHistograms());
    }

    @Test
    void aValidHistogramIsCarriedByteForByte() throws Exception {
        Remote.Histogram h = eightBuckets().build();
        Split split = splitOne(DEFAULTS, h);
        assertFalse(split.hasRejections());
        assertEquals(List.of(h.toByteString()), writtenBytes(split));
        assertEquals(1, split.acceptedHistograms());
    }

    @Test
    void disabledIngestionRefusesNamingTheSeriesAndTheLimit() {
        refused(splitOne(limits(false, 0, true), eightBuckets().build()), DiscardReason.NATIVE_HISTOGRAMS_DISABLED,
                "received a native histogram sample, but native histograms ingestion is disabled for this tenant, timestamp: "
                        + T + " series: '" + SERIES + "' (err-mnemo-native-histograms-ingestion-disabled). To accept such"
                        + " samples, set mnemo.limits.native-histograms-ingestion-enabled = true or ask your service administrator.");
        assertEquals("native_histograms_ingestion_disabled", DiscardReason.NATIVE_HISTOGRAMS_DISABLED.label());
    }

    @Test
    void theTimeLimitsOfFloatSamplesApply() {
        refused(splitOne(DEFAULTS, eightBuckets().setTimestamp(T + 60_001).build()), DiscardReason.TOO_FAR_IN_FUTURE,
                "received a sample whose timestamp is too far in the future, timestamp: " + (T + 60_001) + " series: '" + SERIES
                        + "' (err-mnemo-too-far-in-future). To accept such samples, raise mnemo.limits.creation-grace-period"
                        + " or ask your service administrator.");
        Split past = splitOne(DEFAULTS, eightBuckets().setTimestamp(T - 60_001).build());
        assertEquals(1, past.discarded(DiscardReason.TOO_FAR_IN_PAST));
        assertTrue(past.firstRejection().message().contains("too far in the past, timestamp: " + (T - 60_001)));
    }

    @Test
    void anUnknownSchemaIsRefusedWithMimirsMessage() {
        for (int schema : new int[] {-5, 53, -52, -54}) {
            refused(splitOne(DEFAULTS, Remote.Histogram.newBuilder().setSchema(schema).setTimestamp(T).build()),
                    DiscardReason.INVALID_NATIVE_HISTOGRAM_SCHEMA, "received a native histogram sample with an invalid schema: "
                            + schema + ", timestamp: " + T + " series: '" + SERIES + "' (err-mnemo-invalid-native-histogram-schema)");
        }
        // 9..52 is refused too when reducing is off (as Mimir does whatever the setting).
        refused(splitOne(limits(true, 0, false), eightBuckets().setSchema(9).build()), DiscardReason.INVALID_NATIVE_HISTOGRAM_SCHEMA,
                "received a native histogram sample with an invalid schema: 9, timestamp: " + T + " series: '" + SERIES
                        + "' (err-mnemo-invalid-native-histogram-schema)");
        assertEquals("invalid_native_histogram_schema", DiscardReason.INVALID_NATIVE_HISTOGRAM_SCHEMA.label());
    }

    /** Schema 10 to 8: bucket i becomes ((i - 1) >> 2) + 1, so 1..4 -> 1 and 5..8 -> 2. */
    @Test
    void aSchemaFinerThan8IsReducedTo8WhenReducingIsOn() throws Exception {
        Split split = splitOne(DEFAULTS, eightBuckets().setSchema(10).build());
        assertFalse(split.hasRejections(), () -> split.firstRejection().message());
        assertEquals(List.of(Remote.Histogram.newBuilder().setCountInt(36).setSum(100).setSchema(8).addPositiveSpans(span(1, 2))
                .addPositiveDeltas(10).addPositiveDeltas(16).setTimestamp(T).setZeroCountInt(0).build()), written(split));
    }

    /**
     * 8 buckets over a limit of 4: one schema down (1 -> 0) merges pairs, (1,2)(3,4)(5,6)(7,8) ->
     * 3, 7, 11, 15, Prometheus's ReduceResolution from 1 to 0 on counts 1..8, which fits.
     */
    @Test
    void overTheBucketLimitTheResolutionIsReduced() throws Exception {
        Split split = splitOne(limits(true, 4, true), eightBuckets().setResetHint(Remote.Histogram.ResetHint.NO).build());
        assertFalse(split.hasRejections(), () -> split.firstRejection().message());
        assertEquals(List.of(Remote.Histogram.newBuilder().setCountInt(36).setSum(100).setZeroCountInt(0)
                .addPositiveSpans(span(1, 4)).addPositiveDeltas(3).addPositiveDeltas(4).addPositiveDeltas(4).addPositiveDeltas(4)
                .setResetHint(Remote.Histogram.ResetHint.NO).setTimestamp(T).build()), written(split));
        assertEquals(1, split.acceptedHistograms());
        // Twice over: two schemas down, 36 in (1..4)(5..8) -> 10, 26, both sides, with a gap that stays one.
        // Negative counts 1 2 3 4 at buckets 1 2 7 8.
        Remote.Histogram.Builder both = eightBuckets().setCountInt(46).addNegativeSpans(span(1, 2)).addNegativeSpans(span(4, 2))
                .addNegativeDeltas(1).addNegativeDeltas(1).addNegativeDeltas(1).addNegativeDeltas(1);
        Split twice = splitOne(limits(true, 4, true), both.build());
        assertFalse(twice.hasRejections(), () -> twice.firstRejection().message());
        // Schema 1 -> 0: positive 3 7 11 15 (4), negative 1,2 -> 1 (3); 7,8 -> 4 (7): 6 buckets > 4.
        // Schema 0 -> -1: positive (1,2)(3,4) -> 1: 10, 2: 26; negative 1 -> 1 (3), 4 -> 2 (7): 4 buckets.
        assertEquals(List.of(Remote.Histogram.newBuilder().setCountInt(46).setSum(100).setSchema(-1).setZeroCountInt(0)
                .addNegativeSpans(span(1, 2)).addNegativeDeltas(3).addNegativeDeltas(4)
                .addPositiveSpans(span(1, 2)).addPositiveDeltas(10).addPositiveDeltas(16).setTimestamp(T).build()), written(twice));
    }

    @Test
    void aFloatHistogramIsReducedToo() throws Exception {
        Remote.Histogram.Builder f = Remote.Histogram.newBuilder().setCountFloat(36).setSum(100).setSchema(1)
                .addPositiveSpans(span(1, 8)).setTimestamp(T).setResetHint(Remote.Histogram.ResetHint.GAUGE);
        for (int i = 1; i <= 8; i++) f.addPositiveCounts(i);
        Split split = splitOne(limits(true, 4, true), f.build());
        assertFalse(split.hasRejections(), () -> split.firstRejection().message());
        assertEquals(List.of(Remote.Histogram.newBuilder().setCountFloat(36).setSum(100).setZeroCountFloat(0)
                .addPositiveSpans(span(1, 4)).addPositiveCounts(3).addPositiveCounts(7).addPositiveCounts(11).addPositiveCounts(15)
                .setResetHint(Remote.Histogram.ResetHint.GAUGE).setTimestamp(T).build()), written(split));
    }

    @Test
    void overTheBucketLimitWithoutReducingIsRefused() {
        refused(splitOne(limits(true, 4, false), eightBuckets().build()), DiscardReason.MAX_NATIVE_HISTOGRAM_BUCKETS,
                "received a native histogram sample with too many buckets, timestamp: " + T + " series: " + SERIES
                        + ", buckets: 8, limit: 4 (err-mnemo-max-native-histogram-buckets). To accept such samples, raise"
                        + " mnemo.limits.max-native-histogram-buckets or turn on"
                        + " mnemo.limits.reduce-native-histogram-over-max-buckets, or ask your service administrator.");
        assertEquals("max_native_histogram_buckets", DiscardReason.MAX_NATIVE_HISTOGRAM_BUCKETS.label());
    }

    @Test
    void atTheLimitNothingIsReduced() throws Exception {
        Remote.Histogram h = eightBuckets().build();
        Split split = splitOne(limits(true, 8, false), h);
        assertFalse(split.hasRejections());
        assertEquals(List.of(h.toByteString()), writtenBytes(split));
    }

    /** Schema -3, buckets 1, 5, 9 -> at -4: 1, 3, 5, still 3 > 2, and -4 is the lowest. */
    @Test
    void aHistogramThatCannotBeReducedEnoughIsRefused() {
        Remote.Histogram h = Remote.Histogram.newBuilder().setCountInt(3).setSchema(-3).addPositiveSpans(span(1, 1))
                .addPositiveSpans(span(3, 1)).addPositiveSpans(span(3, 1)).addPositiveDeltas(1).addPositiveDeltas(0)
                .addPositiveDeltas(0).setTimestamp(T).build();
        Split split = splitOne(limits(true, 2, true), h);
        refused(split, DiscardReason.NOT_REDUCIBLE_NATIVE_HISTOGRAM, "received a native histogram sample with too many buckets"
                + " and cannot reduce, timestamp: " + T + " series: " + SERIES + ", buckets: 3, limit: 2"
                + " (err-mnemo-not-reducible-native-histogram)");
        assertEquals("max_native_histogram_buckets", DiscardReason.NOT_REDUCIBLE_NATIVE_HISTOGRAM.label());
    }

    @Test
    void customBucketsOverTheLimitCannotBeReduced() throws Exception {
        Remote.Histogram.Builder nhcb = Remote.Histogram.newBuilder().setCountInt(6).setSum(3).setSchema(-53)
                .addPositiveSpans(span(0, 3)).addPositiveDeltas(1).addPositiveDeltas(1).addPositiveDeltas(1)
                .addCustomValues(1).addCustomValues(2).setTimestamp(T);
        refused(splitOne(limits(true, 2, true), nhcb.build()), DiscardReason.NATIVE_HISTOGRAM_CUSTOM_BUCKETS_NOT_REDUCIBLE,
                "received a native histogram sample with more custom buckets than the limit, timestamp: " + T + " series: "
                        + SERIES + ", buckets: 3, limit: 2 (err-mnemo-native-histogram-custom-buckets-not-reducible)");
        Split under = splitOne(limits(true, 3, true), nhcb.build());
        assertFalse(under.hasRejections(), () -> under.firstRejection().message());
        assertEquals(List.of(nhcb.build()), written(under));
    }

    /** Prometheus's validate() failures, refused with its text and a per-rule id. */
    @Test
    void histogramsPrometheusRefusesAreRefusedHere() {
        String prefix = "received a native histogram sample that is not valid: ";
        String suffix = ", timestamp: " + T + " series: '" + SERIES + "' (err-mnemo-native-histogram-";
        refused(splitOne(DEFAULTS, eightBuckets().setCountInt(35).build()), DiscardReason.INVALID_NATIVE_HISTOGRAM,
                prefix + "36 observations found in buckets, but the Count field is 35: histogram's observation count should"
                        + " equal the number of observations found in the buckets (in absence of NaN)" + suffix + "count-mismatch)");
        refused(splitOne(DEFAULTS, eightBuckets().setPositiveDeltas(3, -5).build()), DiscardReason.INVALID_NATIVE_HISTOGRAM,
                prefix + "positive side: bucket number 4 has observation count of -2: histogram has a bucket whose observation"
                        + " count is negative" + suffix + "negative-bucket-count)");
        refused(splitOne(DEFAULTS, eightBuckets().addPositiveDeltas(0).build()), DiscardReason.INVALID_NATIVE_HISTOGRAM,
                prefix + "positive side: spans need 8 buckets, have 9 buckets: histogram spans specify different number of"
                        + " buckets than provided" + suffix + "spans-buckets-mismatch)");
        Remote.Histogram.Builder floats = Remote.Histogram.newBuilder().setCountFloat(3).addPositiveSpans(span(0, 3))
                .addPositiveCounts(1).addPositiveCounts(2).setTimestamp(T);
        refused(splitOne(DEFAULTS, floats.build()), DiscardReason.INVALID_NATIVE_HISTOGRAM,
                prefix + "positive side: spans need 3 buckets, have 2 buckets: histogram spans specify different number of"
                        + " buckets than provided" + suffix + "spans-buckets-mismatch)");
        refused(splitOne(DEFAULTS, floats.addPositiveCounts(-1).build()), DiscardReason.INVALID_NATIVE_HISTOGRAM,
                prefix + "positive side: bucket number 3 has observation count of -1: histogram has a bucket whose observation"
                        + " count is negative" + suffix + "negative-bucket-count)");
        Remote.Histogram decreasing = Remote.Histogram.newBuilder().setCountInt(2).setSchema(-53).addPositiveSpans(span(0, 2))
                .addPositiveDeltas(1).addPositiveDeltas(0).addCustomValues(2).addCustomValues(1).setTimestamp(T).build();
        refused(splitOne(DEFAULTS, decreasing), DiscardReason.INVALID_NATIVE_HISTOGRAM,
                prefix + "custom buckets: previous bound is 2.000000 and current is 1.000000: histogram custom bounds must be"
                        + " in strictly increasing order" + suffix + "custom-buckets-invalid)");
        assertEquals("invalid_native_histogram", DiscardReason.INVALID_NATIVE_HISTOGRAM.label());
    }

    @Test
    void staleMarkersPassUnchanged() throws Exception {
        // A stale marker with buckets and a count they do not add up to, over the bucket limit: as it came.
        Remote.Histogram stale = eightBuckets().setCountInt(0).setSum(StaleNaN.VALUE).build();
        Split split = splitOne(limits(true, 2, true), stale);
        assertFalse(split.hasRejections(), () -> split.firstRejection().message());
        assertEquals(List.of(stale.toByteString()), writtenBytes(split));
        Remote.Histogram plain = Remote.Histogram.newBuilder().setSum(StaleNaN.VALUE).setTimestamp(T).build();
        assertEquals(List.of(plain.toByteString()), writtenBytes(splitOne(DEFAULTS, plain)));
    }

    @Test
    void aDamagedHistogramRefusesTheRequestWhole() {
        Remote.TimeSeries.Builder s = series("__name__", "h", "job", "a").setUnknownFields(UnknownFieldSet.newBuilder()
                .addField(4, UnknownFieldSet.Field.newBuilder().addLengthDelimited(ByteString.copyFrom(new byte[] {3 << 3, 1})).build())
                .build());
        RemoteWriteException e = assertThrows(RemoteWriteException.class, () -> split(DEFAULTS, s));
        assertTrue(e.getMessage().contains("Histogram.sum (field 3)") && e.getMessage().contains(SERIES), e.getMessage());
    }

    @Test
    void someRefusedSomeKeptInOneSeries() throws Exception {
        Remote.Histogram ok = eightBuckets().build();
        Remote.Histogram future = eightBuckets().setTimestamp(T + 3_600_000).build();
        Split split = split(DEFAULTS, withHistograms(series("__name__", "h", "job", "a"), ok, future, ok));
        assertEquals(2, split.acceptedHistograms());
        assertEquals(1, split.discarded(DiscardReason.TOO_FAR_IN_FUTURE));
        assertEquals(List.of(ok.toByteString(), ok.toByteString()), writtenBytes(split));
        assertNull(splitOne(DEFAULTS, ok).firstRejection());
    }

    /** An exemplar of a histogram-only series is measured against the histograms' timestamps, as Mimir does. */
    @Test
    void exemplarsOfHistogramSeriesAreMeasuredAgainstTheHistograms() {
        PushLimits wide = new PushLimits(T - 3_600_000, T + 60_000, 1024, true, true, 0, true);
        Remote.TimeSeries.Builder s = withHistograms(series("__name__", "h", "job", "a"), eightBuckets().build())
                .addExemplars(DistributorTest.exemplar(T - 1_000, 3, "trace_id", "x"))
                .addExemplars(DistributorTest.exemplar(T - 301_000, 3, "trace_id", "y"));
        Split split = split(wide, s);
        assertEquals(1, split.acceptedExemplars());
        assertEquals(1, split.discarded(DiscardReason.EXEMPLAR_TOO_OLD));
    }
}
