package io.mnemo.tsdb.head;

/** Outcome of appending one float sample to the head. */
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
    /**
     * Rejected: before the head's min valid time (in blocks already) without an out-of-order
     * window, or older than the window allows.
     */
    TOO_OLD
}
