package io.mnemo.promql.promqltest;

import io.mnemo.tsdb.Labels;
import io.mnemo.tsdb.Queryable;
import io.mnemo.tsdb.histogram.FloatHistogram;

/** Storage a test script's {@code load} commands write into and its evals query. */
public interface TestStorage extends Queryable {
    /** Adds one float sample; samples of a series may arrive in any order. */
    void append(Labels series, long timestampMillis, double value);

    /** Adds one native histogram sample. */
    void appendHistogram(Labels series, long timestampMillis, FloatHistogram histogram);
}
