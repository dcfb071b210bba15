package io.mnemo.promql;

/** The query uses a part of PromQL this engine cannot evaluate yet. */
public final class NotSupportedException extends EvaluationException {
    public NotSupportedException(String what) {
        super("not supported yet: " + what);
    }
}
