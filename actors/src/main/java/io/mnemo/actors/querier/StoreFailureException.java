package io.mnemo.actors.querier;

/**
 * A store (an ingester or a store-gateway) failed to read for a reason of its own (not the
 * query's, and not because it may not serve reads): the query fails as the server's error (500),
 * not the client's.
 */
public final class StoreFailureException extends RuntimeException {
    public StoreFailureException(String message) {
        super(message);
    }
}
