package io.mnemo.http;

/** An error answered in the Prometheus API's shape: {@code errorType} and HTTP status. */
final class ApiException extends RuntimeException {
    static final String BAD_DATA = "bad_data";
    static final String EXECUTION = "execution";
    static final String TIMEOUT = "timeout";
    static final String CANCELED = "canceled";
    static final String UNAVAILABLE = "unavailable";
    static final String INTERNAL = "internal";

    final String errorType;

    ApiException(String errorType, String message) {
        super(message);
        this.errorType = errorType;
    }

    /** Status codes as Prometheus's API returns them for each error type. */
    int status() {
        return switch (errorType) {
            case BAD_DATA -> 400;
            case EXECUTION -> 422;
            case CANCELED -> 499;
            case TIMEOUT, UNAVAILABLE -> 503;
            default -> 500;
        };
    }
}
