package io.mnemo.actors.ingester;

/**
 * Why an ingester refused a sample, a metric family's metadata or an exemplar, with Mimir's reason
 * labels ({@code cortex_discarded_samples_total}, {@code cortex_discarded_metadata_total},
 * {@code cortex_discarded_exemplars_total}).
 */
enum Discard {
    /** Older than its series' newest sample, without an out-of-order window (Prometheus: ErrOutOfOrderSample). */
    SAMPLE_OUT_OF_ORDER("sample-out-of-order"),
    /** Older than the out-of-order window allows (ErrTooOldSample). */
    SAMPLE_TOO_OLD("sample-too-old"),
    /** Without a window: before the blocks' end or half a block range behind the head's newest (ErrOutOfBounds). */
    SAMPLE_OUT_OF_BOUNDS("sample-out-of-bounds"),
    /** The timestamp of a sample the series holds, with another value (ErrDuplicateSampleForTimestamp). */
    NEW_VALUE_FOR_TIMESTAMP("new-value-for-timestamp"),
    /** A native histogram that breaks Prometheus's validation rules, or does not decode (Mimir's invalid-native-histogram). */
    INVALID_NATIVE_HISTOGRAM("invalid-native-histogram"),
    /** A new metric family's metadata beyond the tenant's share of max-global-metadata-per-user. */
    PER_USER_METADATA_LIMIT("per_user_metadata_limit"),
    /**
     * An exemplar older than its series' newest kept one, or at its timestamp with a lower value
     * (Prometheus: ErrOutOfOrderExemplar); acknowledged already, so only counted.
     */
    EXEMPLAR_OUT_OF_ORDER("exemplar_out_of_order");

    static final Discard[] ALL = values();

    final String label;

    Discard(String label) {
        this.label = label;
    }

    /** Counted as discarded metadata, not samples. */
    boolean isMetadata() {
        return this == PER_USER_METADATA_LIMIT;
    }

    /** Counted as discarded exemplars, not samples. */
    boolean isExemplar() {
        return this == EXEMPLAR_OUT_OF_ORDER;
    }
}
