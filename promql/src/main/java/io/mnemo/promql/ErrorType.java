package io.mnemo.promql;

/** The error classes of Prometheus's HTTP API that a query can fail with. */
public enum ErrorType {
    /** The query or its parameters are invalid (parse errors, bad ranges). */
    BAD_DATA("bad_data"),
    /** The query was valid but failed while being evaluated. */
    EXECUTION("execution"),
    TIMEOUT("timeout"),
    CANCELED("canceled");

    private final String apiName;

    ErrorType(String apiName) { this.apiName = apiName; }

    /** The {@code errorType} string of Prometheus's JSON error responses. */
    public String apiName() { return apiName; }
}
