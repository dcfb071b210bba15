package io.mnemo.promql;

/** The query was canceled (its thread was interrupted) before it finished. */
public final class QueryCanceledException extends PromQLException {
    public QueryCanceledException(String stage) {
        super(ErrorType.CANCELED, "query was canceled in " + stage);
    }
}
