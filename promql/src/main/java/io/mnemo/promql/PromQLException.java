package io.mnemo.promql;

import java.util.Objects;

/** Any failure of a PromQL query; {@link #errorType()} says how the HTTP API reports it. */
public class PromQLException extends RuntimeException {
    private final ErrorType errorType;

    public PromQLException(ErrorType errorType, String message) {
        super(message);
        this.errorType = Objects.requireNonNull(errorType);
    }

    public PromQLException(ErrorType errorType, String message, Throwable cause) {
        super(message, cause);
        this.errorType = Objects.requireNonNull(errorType);
    }

    public ErrorType errorType() { return errorType; }
}
