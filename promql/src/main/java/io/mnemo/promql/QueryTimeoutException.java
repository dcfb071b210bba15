package io.mnemo.promql;

/** The query ran longer than its timeout. */
public final class QueryTimeoutException extends PromQLException {
    public QueryTimeoutException(String stage) {
        super(ErrorType.TIMEOUT, "query timed out in " + stage);
    }
}
