package io.mnemo.promql;

/** A valid query failed during evaluation (Prometheus's "execution" errors). */
public class EvaluationException extends PromQLException {
    public EvaluationException(String message) {
        super(ErrorType.EXECUTION, message);
    }

    /** An evaluation failed by something underneath (e.g. the storage), kept as the cause. */
    public EvaluationException(String message, Throwable cause) {
        super(ErrorType.EXECUTION, message, cause);
    }
}
