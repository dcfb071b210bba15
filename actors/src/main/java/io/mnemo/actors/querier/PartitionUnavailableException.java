package io.mnemo.actors.querier;

/** No ingester could answer for a partition: the query fails rather than return a partial answer. */
public final class PartitionUnavailableException extends RuntimeException {
    public PartitionUnavailableException(String message) {
        super(message);
    }
}
