package io.mnemo.tsdb;

import io.mnemo.tsdb.histogram.FloatHistogram;
import io.mnemo.tsdb.histogram.Histogram;

/**
 * A sample iterator over a series that may hold native histogram samples. Storage whose series
 * can hold histograms returns iterators of this type; the engine reads {@link #histogram()} for
 * each sample and falls back to the float value when it is null.
 */
public interface HistogramIterator extends SampleIterator {
    /**
     * The histogram of the current sample, or null when the current sample is a float. The caller
     * may keep it: iterators hand out an instance they never change afterwards.
     */
    FloatHistogram histogram();

    /**
     * The current sample as an integer histogram when it is stored as one (else null: a float, or
     * a float histogram), so that re-encoding keeps Prometheus's integer histogram encoding. Same
     * ownership as {@link #histogram()}.
     */
    default Histogram integerHistogram() { return null; }
}
