package io.mnemo.actors.querier;

import io.mnemo.promql.EvaluationException;

/**
 * A query stopped by one of its tenant's query limits: an execution error (422) with Mimir's
 * message, its {@code err-mnemo-*} id and the setting to change.
 */
public final class QueryLimitExceededException extends EvaluationException {
    private final String limit;

    QueryLimitExceededException(String limit, String message) {
        super(message);
        this.limit = limit;
    }

    /** The limit's name in {@code mnemo.limits}, e.g. {@code max-fetched-series-per-query}. */
    public String limit() { return limit; }
}
