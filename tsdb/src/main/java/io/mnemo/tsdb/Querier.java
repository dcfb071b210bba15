package io.mnemo.tsdb;

import java.util.List;

/** Reads series, label names and label values within the time range it was opened for. */
public interface Querier extends AutoCloseable {
    /**
     * Series matching all matchers, with samples in [mint, maxt] of the querier.
     * At least one matcher must not match the empty string, as in Prometheus.
     */
    SeriesSet select(boolean sorted, LabelMatcher... matchers);

    /** Sorted unique label names of the series matching the matchers (all series if none). */
    List<String> labelNames(LabelMatcher... matchers);

    /** Sorted unique values of one label over the series matching the matchers. */
    List<String> labelValues(String name, LabelMatcher... matchers);

    @Override
    default void close() {}
}
