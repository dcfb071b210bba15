package io.mnemo.tsdb.head;

/** Outcome of appending one sample (float or native histogram) to the head. */
public enum AppendResult {
    /**
     * Accepted: stored, or ignored because the series already has exactly this sample (same
     * timestamp, same value bits), which Prometheus accepts silently.
     */
    OK,
    /** Accepted into the series' out-of-order chunks (the head has an out-of-order window). */
    OK_OUT_OF_ORDER,
    /** Rejected: older than the newest sample of the series, and the head takes none out of order. */
    OUT_OF_ORDER,
    /** Rejected: same timestamp as a sample the series holds, different value. */
    DUPLICATE,
    /** Rejected: older than the out-of-order window allows (Prometheus: ErrTooOldSample). */
    TOO_OLD,
    /**
     * Rejected, without an out-of-order window: before the batch's in-order bound, the end of the
     * blocks or half a chunk range behind the head's newest (Prometheus: ErrOutOfBounds).
     */
    OUT_OF_BOUNDS,
    /** Rejected: a native histogram that breaks Prometheus's validation rules ({@code Histogram.validate()}). */
    INVALID_HISTOGRAM
}
