package io.mnemo.actors.ingest;

/**
 * An ingest record that does not decode. Distributors write only well-formed records and Kafka and
 * the journal check theirs with CRCs, so this is damage or a foreign writer, not user error.
 */
public final class MalformedRecordException extends RuntimeException {
    public MalformedRecordException(String message) {
        super(message);
    }
}
