package io.mnemo.tsdb;

/**
 * Iterates one series' float samples in timestamp order without allocating per sample.
 * Modelled on Prometheus's chunkenc.Iterator.
 */
public interface SampleIterator {
    /** Advances to the next sample; false when there is none. */
    boolean next();

    /**
     * Advances to the first sample with timestamp at or after {@code t} (never moves back; a
     * current sample already at or after t stays current). False when there is none.
     */
    boolean seek(long t);

    /** Timestamp in milliseconds of the current sample. */
    long timestamp();

    /** Value of the current sample (may be {@link StaleNaN#VALUE}). */
    double value();

    SampleIterator EMPTY = new SampleIterator() {
        public boolean next() { return false; }
        public boolean seek(long t) { return false; }
        public long timestamp() { throw new IllegalStateException(); }
        public double value() { throw new IllegalStateException(); }
    };
}
