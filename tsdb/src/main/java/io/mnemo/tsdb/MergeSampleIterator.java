package io.mnemo.tsdb;

import io.mnemo.tsdb.histogram.FloatHistogram;
import io.mnemo.tsdb.histogram.Histogram;

/**
 * Merges the sample iterators of one series coming from several sources (partitions, head and
 * blocks) into one timestamp-ordered iterator. When several sources have a sample at the same
 * timestamp only one is returned: that of the earliest source in the constructor's order.
 * Meant for a handful of sources: each step scans them all, and allocates nothing. The current
 * sample keeps its type: a histogram of a source that is a {@link HistogramIterator} is this
 * iterator's histogram, so merged series give the engine and re-encoders their histograms.
 */
public final class MergeSampleIterator implements HistogramIterator {
    private final SampleIterator[] its;
    private final boolean[] valid; // its[i] is positioned on a sample
    private int cur = -1;          // source of the current sample
    private boolean started;
    private boolean done;

    public MergeSampleIterator(SampleIterator... its) {
        this.its = its;
        this.valid = new boolean[its.length];
    }

    @Override
    public boolean next() {
        if (done) return false;
        if (!started) {
            started = true;
            for (int i = 0; i < its.length; i++) valid[i] = its[i].next();
        } else {
            long t = its[cur].timestamp();
            for (int i = 0; i < its.length; i++) {
                if (valid[i] && its[i].timestamp() == t) valid[i] = its[i].next();
            }
        }
        return pick();
    }

    @Override
    public boolean seek(long t) {
        if (done) return false;
        if (!started) {
            started = true;
            for (int i = 0; i < its.length; i++) valid[i] = its[i].seek(t);
            return pick();
        }
        if (its[cur].timestamp() >= t) return true;
        for (int i = 0; i < its.length; i++) {
            if (valid[i] && its[i].timestamp() < t) valid[i] = its[i].seek(t);
        }
        return pick();
    }

    @Override
    public long timestamp() { return its[cur].timestamp(); }

    @Override
    public double value() { return its[cur].value(); }

    @Override
    public FloatHistogram histogram() {
        return its[cur] instanceof HistogramIterator h ? h.histogram() : null;
    }

    @Override
    public Histogram integerHistogram() {
        return its[cur] instanceof HistogramIterator h ? h.integerHistogram() : null;
    }

    private boolean pick() {
        cur = -1;
        for (int i = 0; i < its.length; i++) {
            if (valid[i] && (cur < 0 || its[i].timestamp() < its[cur].timestamp())) cur = i;
        }
        if (cur < 0) done = true;
        return !done;
    }
}
