package io.mnemo.tsdb.head;

/** Outcome of appending one float sample to the head. */
public enum AppendResult {
    /**
     * Accepted: stored, or ignored because the series already has exactly this sample (same
     * timestamp, same value bits), which Prometheus accepts silently.
     */
    OK,
    /** Rejected: older than the newest sample of the series. */
    OUT_OF_ORDER,
    /** Rejected: same timestamp as the newest sample of the series, different value. */
    DUPLICATE
}
