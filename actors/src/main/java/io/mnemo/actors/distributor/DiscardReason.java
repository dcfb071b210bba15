package io.mnemo.actors.distributor;

/**
 * Why the distributor refused part of a push: a whole series ({@link SeriesValidator}), single
 * samples of a series (the tenant's time limits, native histograms), or a metric metadata entry
 * ({@link MetadataValidator}). {@link #label()} is the {@code reason} label of
 * {@code mnemo_discarded_samples_total}, or of {@code mnemo_discarded_metadata_total} for
 * {@link #isMetadata() metadata}, with Mimir's strings.
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
    /** A native histogram sample: the heads store floats only, until native histograms are carried end to end. */
    NATIVE_HISTOGRAM_NOT_SUPPORTED("native_histogram_not_supported"),
    METADATA_MISSING_METRIC_NAME("missing_metric_name", "metadata-missing-metric-name"),
    METADATA_INVALID_METRIC_NAME("metric_name_invalid", "metadata-metric-name-invalid"),
    METADATA_METRIC_NAME_TOO_LONG("metric_name_too_long", "metric-name-too-long"),
    METADATA_UNIT_TOO_LONG("unit_too_long", "unit-too-long");

    private static final DiscardReason[] VALUES = values();

    private final String label;
    private final String errorId;
    private final boolean metadata;

    DiscardReason(String label) {
        this(label, label.replace('_', '-'), false);
    }

    DiscardReason(String label, String id) {
        this(label, id, true);
    }

    DiscardReason(String label, String id, boolean metadata) {
        this.label = label;
        this.errorId = "err-mnemo-" + id;
        this.metadata = metadata;
    }

    static DiscardReason of(int ordinal) {
        return VALUES[ordinal];
    }

    /** Metric label value, the same strings Mimir uses. */
    public String label() { return label; }

    /** Stable id users can search for, appended to messages like Mimir's {@code err-mimir-...}. */
    public String errorId() { return errorId; }

    /** True for metadata entries (counted in discarded metadata), false for samples. */
    public boolean isMetadata() { return metadata; }
}
