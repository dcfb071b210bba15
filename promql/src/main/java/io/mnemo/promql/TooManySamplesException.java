package io.mnemo.promql;

/**
 * A query that would hold more samples in memory at once than {@link EngineOptions#maxSamples()}
 * (Prometheus's {@code --query.max-samples}), with Prometheus's message.
 */
public final class TooManySamplesException extends EvaluationException {
    public TooManySamplesException() {
        super("query processing would load too many samples into memory in query execution");
    }
}
