package io.mnemo.tsdb.histogram;

/**
 * A histogram that breaks one of Prometheus's validation rules ({@code histogram.Validate}). The
 * message is Prometheus's, so a refusal can quote it; {@link #reason()} names the rule for
 * counting refusals per reason.
 */
public final class InvalidHistogramException extends IllegalArgumentException {
    /** Prometheus's validation errors ({@code histogram.ErrHistogram*}), with their texts. */
    public enum Reason {
        COUNT_NOT_BIG_ENOUGH("histogram's observation count should be at least the number of observations found in the buckets"),
        COUNT_MISMATCH("histogram's observation count should equal the number of observations found in the buckets (in absence of NaN)"),
        NEGATIVE_COUNT("histogram's observation count is negative"),
        NEGATIVE_BUCKET_COUNT("histogram has a bucket whose observation count is negative"),
        SPAN_NEGATIVE_OFFSET("histogram has a span whose offset is negative"),
        SPANS_BUCKETS_MISMATCH("histogram spans specify different number of buckets than provided"),
        CUSTOM_BUCKETS_MISMATCH("histogram custom bounds are too few"),
        CUSTOM_BUCKETS_INVALID("histogram custom bounds must be in strictly increasing order"),
        CUSTOM_BUCKETS_INFINITE("histogram custom bounds must be finite"),
        CUSTOM_BUCKETS_NAN("histogram custom bounds must not be NaN"),
        CUSTOM_BUCKETS_ZERO_COUNT("custom buckets: must have zero count of 0"),
        CUSTOM_BUCKETS_ZERO_THRESHOLD("custom buckets: must have zero threshold of 0"),
        CUSTOM_BUCKETS_NEGATIVE_SPANS("custom buckets: must not have negative spans"),
        CUSTOM_BUCKETS_NEGATIVE_BUCKETS("custom buckets: must not have negative buckets"),
        EXPONENTIAL_SCHEMA_CUSTOM_BOUNDS("histogram with exponential schema must not have custom bounds"),
        INVALID_SCHEMA("histogram has an invalid schema, which must be between " + Histogram.EXPONENTIAL_SCHEMA_MIN
                + " and " + Histogram.EXPONENTIAL_SCHEMA_MAX + " for exponential buckets, or "
                + Histogram.CUSTOM_BUCKETS_SCHEMA + " for custom buckets");

        private final String text;

        Reason(String text) { this.text = text; }

        /** Prometheus's text of the error. */
        public String text() { return text; }
    }

    private final Reason reason;

    InvalidHistogramException(Reason reason, String message) {
        super(message);
        this.reason = reason;
    }

    /** The error exactly as Prometheus words it: its detail, then the rule ({@code fmt.Errorf("...: %w")}). */
    static InvalidHistogramException of(Reason reason, String detail) {
        return new InvalidHistogramException(reason, detail == null ? reason.text() : detail + ": " + reason.text());
    }

    /** The same error with Prometheus's prefix naming the side ({@code "positive side: "}). */
    InvalidHistogramException prefixed(String prefix) {
        return new InvalidHistogramException(reason, prefix + getMessage());
    }

    /** The same error with Prometheus's suffix ({@code ", got schema 9"}). */
    InvalidHistogramException suffixed(String suffix) {
        return new InvalidHistogramException(reason, getMessage() + suffix);
    }

    public Reason reason() { return reason; }
}
