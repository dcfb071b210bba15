package io.mnemo.actors.querier;

/**
 * Blocks a query needs were not answered for by any store-gateway (Mimir's failed consistency
 * check): the query fails (503) naming them rather than answer without their samples.
 */
public final class BlocksUnavailableException extends RuntimeException {
    public BlocksUnavailableException(String message) {
        super(message);
    }
}
