package io.mnemo.actors.distributor;

/**
 * A push body that cannot be decoded: bad snappy data, malformed protobuf, or a body bigger than
 * the configured limit. The HTTP layer answers 400 ({@link #isTooLarge()}: 413) with the message,
 * which says what was wrong and where, so the sender can be fixed. Unchecked because it is thrown
 * from deep inside cursor calls on the hot path; every decode entry point documents it.
 */
public final class RemoteWriteException extends RuntimeException {
    private final boolean tooLarge;

    public RemoteWriteException(String message) {
        this(message, false, null);
    }

    public RemoteWriteException(String message, Throwable cause) {
        this(message, false, cause);
    }

    private RemoteWriteException(String message, boolean tooLarge, Throwable cause) {
        super(message, cause);
        this.tooLarge = tooLarge;
    }

    /** A body that decodes fine but exceeds a size limit (HTTP 413 rather than 400). */
    public static RemoteWriteException tooLarge(String message) {
        return new RemoteWriteException(message, true, null);
    }

    public boolean isTooLarge() {
        return tooLarge;
    }
}
