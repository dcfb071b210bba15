package io.mnemo.actors.distributor;

/**
 * Why the distributor refused part of a push: a whole series ({@link SeriesValidator}), single
 * samples of a series (the tenant's time limits, native histogram rules and limits), a metric metadata entry
 * ({@link MetadataValidator}) or an exemplar ({@link ExemplarValidator}). {@link #label()} is the
 * {@code reason} label of {@code mnemo_discarded_samples_total}, of
 * {@code mnemo_discarded_metadata_total} for {@link #isMetadata() metadata}, or of
 * {@code mnemo_discarded_exemplars_total} for {@link #isExemplar() exemplars}, with Mimir's strings.
 */
public enum DiscardReason {
    MISSING_METRIC_NAME("missing_metric_name"),
    INVALID_METRIC_NAME("metric_name_invalid"),
    MAX_LABEL_NAMES_PER_SERIES("max_label_names_per_series"),
    INVALID_LABEL("label_invalid"),
    LABEL_NAME_TOO_LONG("label_name_too_long"),
    INVALID_LABEL_VALUE("label_value_invalid"),
    LABEL_VALUE_TOO_LONG("label_value_too_long"),
    DUPLICATE_LABEL_NAMES("duplicate_label_names"),
    LABELS_NOT_SORTED("labels_not_sorted"),
    /** A sample newer than now + creation-grace-period. */
    TOO_FAR_IN_FUTURE("too_far_in_future"),
    /** A sample older than now - out-of-order-time-window - past-grace-period. */
    TOO_FAR_IN_PAST("too_far_in_past"),
    /**
     * A native histogram sample of a tenant whose native-histograms-ingestion-enabled is off (Mimir
     * drops those without an error and has no reason for them: this one is ours).
     */
    NATIVE_HISTOGRAMS_DISABLED("native_histograms_ingestion_disabled", "native-histograms-ingestion-disabled", Kind.SAMPLE),
    /** A native histogram sample whose schema is neither exponential (-4..8) nor custom buckets (-53). */
    INVALID_NATIVE_HISTOGRAM_SCHEMA("invalid_native_histogram_schema", "invalid-native-histogram-schema", Kind.SAMPLE),
    /** A native histogram sample with more buckets than max-native-histogram-buckets, not reduced. */
    MAX_NATIVE_HISTOGRAM_BUCKETS("max_native_histogram_buckets"),
    /** Over the bucket limit even at schema -4 (Mimir counts it under max_native_histogram_buckets). */
    NOT_REDUCIBLE_NATIVE_HISTOGRAM("max_native_histogram_buckets", "not-reducible-native-histogram", Kind.SAMPLE),
    /** Custom buckets over the bucket limit: they cannot be merged (Mimir counts it under max_native_histogram_buckets). */
    NATIVE_HISTOGRAM_CUSTOM_BUCKETS_NOT_REDUCIBLE("max_native_histogram_buckets",
            "native-histogram-custom-buckets-not-reducible", Kind.SAMPLE),
    /**
     * A native histogram sample that breaks one of Prometheus's histogram rules (Mimir's ingester
     * reason); the message carries Prometheus's text and a per-rule id.
     */
    INVALID_NATIVE_HISTOGRAM("invalid_native_histogram", "invalid-native-histogram", Kind.SAMPLE),
    METADATA_MISSING_METRIC_NAME("missing_metric_name", "metadata-missing-metric-name"),
    METADATA_INVALID_METRIC_NAME("metric_name_invalid", "metadata-metric-name-invalid"),
    METADATA_METRIC_NAME_TOO_LONG("metric_name_too_long", "metric-name-too-long"),
    METADATA_UNIT_TOO_LONG("unit_too_long", "unit-too-long"),
    /** An exemplar without labels. */
    EXEMPLAR_LABELS_MISSING("exemplar_labels_missing", "exemplar-labels-missing", Kind.EXEMPLAR),
    /** An exemplar whose labels all have an empty name or value (Mimir's message is labels-missing's). */
    EXEMPLAR_LABELS_BLANK("exemplar_labels_blank", "exemplar-labels-missing", Kind.EXEMPLAR),
    /** An exemplar whose label names and values have more than 128 runes together (OpenMetrics' limit). */
    EXEMPLAR_LABELS_TOO_LONG("exemplar_labels_too_long", "exemplar-labels-too-long", Kind.EXEMPLAR),
    /** An exemplar with timestamp 0 (none). */
    EXEMPLAR_TIMESTAMP_INVALID("exemplar_timestamp_invalid", "exemplar-timestamp-invalid", Kind.EXEMPLAR),
    /** An exemplar more than 5 minutes older than its series' oldest sample, or older than the past grace period. */
    EXEMPLAR_TOO_OLD("exemplar_too_old", "exemplar-too-old", Kind.EXEMPLAR),
    /** An exemplar newer than now + creation-grace-period. */
    EXEMPLAR_TOO_FAR_IN_FUTURE("exemplar_too_far_in_future", "exemplar-too-far-in-future", Kind.EXEMPLAR),
    /** Any exemplar of a tenant whose max-global-exemplars-per-user is 0. */
    EXEMPLARS_DISABLED("max_global_exemplars_per_user", "max-global-exemplars-per-user", Kind.EXEMPLAR);

    /** What a reason refuses, and so which metric counts it. */
    enum Kind { SAMPLE, METADATA, EXEMPLAR }

    private static final DiscardReason[] VALUES = values();

    private final String label;
    private final String errorId;
    private final Kind kind;

    DiscardReason(String label) {
        this(label, label.replace('_', '-'), Kind.SAMPLE);
    }

    DiscardReason(String label, String id) {
        this(label, id, Kind.METADATA);
    }

    DiscardReason(String label, String id, Kind kind) {
        this.label = label;
        this.errorId = "err-mnemo-" + id;
        this.kind = kind;
    }

    static DiscardReason of(int ordinal) {
        return VALUES[ordinal];
    }

    /** Metric label value, the same strings Mimir uses. */
    public String label() { return label; }

    /** Stable id users can search for, appended to messages like Mimir's {@code err-mimir-...}. */
    public String errorId() { return errorId; }

    /** True for metadata entries (counted in discarded metadata), false for samples. */
    public boolean isMetadata() { return kind == Kind.METADATA; }

    /** True for exemplars (counted in discarded exemplars). */
    public boolean isExemplar() { return kind == Kind.EXEMPLAR; }
}
