package io.mnemo.actors.distributor;

import io.mnemo.actors.TenantLimits;
import java.time.Duration;

/**
 * A tenant's limits as they apply to one push, resolved against the wall clock when it arrived:
 * the range of sample timestamps accepted (Mimir's {@code creation_grace_period} ahead of now, and
 * {@code past_grace_period} plus the out-of-order window behind it when that is on), and the
 * longest metadata family name, HELP and unit, and whether the tenant keeps exemplars.
 *
 * @param oldestTimestamp   samples before this (ms) are refused as too far in the past
 * @param newestTimestamp   samples after this (ms) are refused as too far in the future
 * @param maxMetadataLength longest metadata family name and unit (bytes); a longer HELP is cut to it
 * @param exemplars         false when the tenant's max-global-exemplars-per-user is 0: its exemplars are refused
 */
public record PushLimits(long oldestTimestamp, long newestTimestamp, int maxMetadataLength, boolean exemplars) {
    static final String CREATION_GRACE_PERIOD = "mnemo.limits.creation-grace-period";
    static final String PAST_GRACE_PERIOD = "mnemo.limits.past-grace-period";
    static final String MAX_METADATA_LENGTH = "mnemo.limits.max-metadata-length";
    static final String MAX_GLOBAL_EXEMPLARS_PER_USER = "mnemo.limits.max-global-exemplars-per-user";

    /** No limits: the node's warm-ups, whose synthetic samples are decades old, and tests. */
    public static final PushLimits NONE = new PushLimits(Long.MIN_VALUE, Long.MAX_VALUE, Integer.MAX_VALUE);

    /** Limits of a tenant that keeps exemplars. */
    public PushLimits(long oldestTimestamp, long newestTimestamp, int maxMetadataLength) {
        this(oldestTimestamp, newestTimestamp, maxMetadataLength, true);
    }

    public PushLimits {
        if (maxMetadataLength <= 0) throw new IllegalArgumentException("maxMetadataLength must be positive");
    }

    /** The limits of a tenant for a push that arrived at {@code nowMillis}. */
    public static PushLimits at(long nowMillis, TenantLimits.Limits limits) {
        long past = millis(limits.pastGracePeriod());
        long oldest = past == 0 ? Long.MIN_VALUE : minus(minus(nowMillis, millis(limits.outOfOrderTimeWindow())), past);
        long newest = plus(nowMillis, millis(limits.creationGracePeriod()));
        return new PushLimits(oldest, newest, limits.maxMetadataLength(), limits.maxGlobalExemplarsPerUser() > 0);
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
