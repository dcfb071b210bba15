package io.mnemo.actors.distributor;

import io.mnemo.actors.TenantLimits;
import java.time.Duration;

/**
 * A tenant's limits as they apply to one push, resolved against the wall clock when it arrived:
 * the range of sample timestamps accepted (Mimir's {@code creation_grace_period} ahead of now, and
 * {@code past_grace_period} plus the out-of-order window behind it when that is on), and the
 * longest metadata family name, HELP and unit, whether the tenant keeps exemplars, and its native
 * histogram limits.
 *
 * @param oldestTimestamp   samples before this (ms) are refused as too far in the past
 * @param newestTimestamp   samples after this (ms) are refused as too far in the future
 * @param maxMetadataLength longest metadata family name and unit (bytes); a longer HELP is cut to it
 * @param exemplars         false when the tenant's max-global-exemplars-per-user is 0: its exemplars are refused
 * @param nativeHistograms  false when the tenant's native-histograms-ingestion-enabled is off: its histograms are refused
 * @param maxNativeHistogramBuckets most buckets of a native histogram sample; 0: no limit
 * @param reduceNativeHistograms a histogram over the bucket limit is reduced in resolution until it fits,
 *                          rather than refused (and one of schema 9 to 52 is reduced to 8, rather than refused)
 */
public record PushLimits(long oldestTimestamp, long newestTimestamp, int maxMetadataLength, boolean exemplars,
                         boolean nativeHistograms, int maxNativeHistogramBuckets, boolean reduceNativeHistograms) {
    static final String CREATION_GRACE_PERIOD = "mnemo.limits.creation-grace-period";
    static final String PAST_GRACE_PERIOD = "mnemo.limits.past-grace-period";
    static final String MAX_METADATA_LENGTH = "mnemo.limits.max-metadata-length";
    static final String MAX_GLOBAL_EXEMPLARS_PER_USER = "mnemo.limits.max-global-exemplars-per-user";
    static final String NATIVE_HISTOGRAMS_INGESTION_ENABLED = "mnemo.limits.native-histograms-ingestion-enabled";
    static final String MAX_NATIVE_HISTOGRAM_BUCKETS = "mnemo.limits.max-native-histogram-buckets";
    static final String REDUCE_NATIVE_HISTOGRAM_OVER_MAX_BUCKETS = "mnemo.limits.reduce-native-histogram-over-max-buckets";

    /** No limits: the node's warm-ups, whose synthetic samples are decades old, and tests. */
    public static final PushLimits NONE = new PushLimits(Long.MIN_VALUE, Long.MAX_VALUE, Integer.MAX_VALUE);

    /** Limits of a tenant that keeps exemplars. */
    public PushLimits(long oldestTimestamp, long newestTimestamp, int maxMetadataLength) {
        this(oldestTimestamp, newestTimestamp, maxMetadataLength, true);
    }

    /** Limits with native histograms' defaults: accepted, any number of buckets. */
    public PushLimits(long oldestTimestamp, long newestTimestamp, int maxMetadataLength, boolean exemplars) {
        this(oldestTimestamp, newestTimestamp, maxMetadataLength, exemplars, true, 0, true);
    }

    public PushLimits {
        if (maxMetadataLength <= 0) throw new IllegalArgumentException("maxMetadataLength must be positive");
        if (maxNativeHistogramBuckets < 0) throw new IllegalArgumentException("maxNativeHistogramBuckets must not be negative");
    }

    /** The limits of a tenant for a push that arrived at {@code nowMillis}. */
    public static PushLimits at(long nowMillis, TenantLimits.Limits limits) {
        long past = millis(limits.pastGracePeriod());
        long oldest = past == 0 ? Long.MIN_VALUE : minus(minus(nowMillis, millis(limits.outOfOrderTimeWindow())), past);
        long newest = plus(nowMillis, millis(limits.creationGracePeriod()));
        return new PushLimits(oldest, newest, limits.maxMetadataLength(), limits.maxGlobalExemplarsPerUser() > 0,
                limits.nativeHistogramsIngestionEnabled(), limits.maxNativeHistogramBuckets(),
                limits.reduceNativeHistogramOverMaxBuckets());
    }

    /** Why a sample with this timestamp is refused, or null when it is accepted. */
    public DiscardReason check(long timestamp) {
        if (timestamp > newestTimestamp) return DiscardReason.TOO_FAR_IN_FUTURE;
        if (timestamp < oldestTimestamp) return DiscardReason.TOO_FAR_IN_PAST;
        return null;
    }

    public boolean accepts(long timestamp) {
        return timestamp >= oldestTimestamp && timestamp <= newestTimestamp;
    }

    /** The duration in ms; durations beyond what a long holds (a configured 10^12 days) are as long as it gets. */
    private static long millis(Duration d) {
        return d.compareTo(Duration.ofMillis(Long.MAX_VALUE)) >= 0 ? Long.MAX_VALUE : d.toMillis();
    }

    /** a - b for b >= 0, no lower than Long.MIN_VALUE. */
    private static long minus(long a, long b) {
        return a < Long.MIN_VALUE + b ? Long.MIN_VALUE : a - b;
    }

    /** a + b for b >= 0, no higher than Long.MAX_VALUE. */
    private static long plus(long a, long b) {
        return a > Long.MAX_VALUE - b ? Long.MAX_VALUE : a + b;
    }
}
