package io.mnemo.promql;

/** A valid query failed during evaluation (Prometheus's "execution" errors). */
public class EvaluationException extends PromQLException {
    public EvaluationException(String message) {
        super(ErrorType.EXECUTION, message);
    }
}
