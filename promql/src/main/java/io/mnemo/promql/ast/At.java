package io.mnemo.promql.ast;

/** The {@code @} modifier: a fixed evaluation time, or the start or end of the query. */
public record At(Kind kind, long timestampMillis) {
    public enum Kind { TIMESTAMP, START, END }

    public static final At START = new At(Kind.START, 0);
    public static final At END = new At(Kind.END, 0);

    public static At timestamp(long millis) { return new At(Kind.TIMESTAMP, millis); }

    /** The evaluation time this modifier pins, given the query's start and end. */
    public long resolve(long queryStart, long queryEnd) {
        return switch (kind) {
            case TIMESTAMP -> timestampMillis;
            case START -> queryStart;
            case END -> queryEnd;
        };
    }
}
