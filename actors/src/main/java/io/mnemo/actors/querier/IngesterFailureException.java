package io.mnemo.actors.querier;

/**
 * An ingester failed to read for a reason of its own (not the query's, and not because it may
 * not serve reads): the query fails as the server's error (500), not the client's.
 */
public final class IngesterFailureException extends RuntimeException {
    public IngesterFailureException(String message) {
        super(message);
    }
}
