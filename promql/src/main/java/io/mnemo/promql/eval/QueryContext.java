package io.mnemo.promql.eval;

import io.mnemo.promql.Annotations;
import io.mnemo.promql.TooManySamplesException;
import io.mnemo.promql.QueryCanceledException;
import io.mnemo.promql.QueryTimeoutException;
import io.mnemo.promql.ast.Expr;
import io.mnemo.promql.ast.VectorSelector;
import io.mnemo.tsdb.Querier;
import io.mnemo.tsdb.SampleIterator;
import io.mnemo.tsdb.Series;

import java.util.Set;

/**
 * What all evaluators of one query share: the storage, the settings, the query's own time range
 * (which {@code @ start()} and {@code @ end()} refer to), the annotations collected so far, and
 * the count of samples held in memory, checked against the limit.
 */
public final class QueryContext {
    private static final String STAGE = "expression evaluation";

    final Querier querier;
    final long queryStart;
    final long queryEnd;
    final long lookbackDelta;
    final long maxSamples;
    final long deadlineNanos;
    final boolean delayedNameRemoval;
    final long defaultSubqueryStep;
    final Durations durations;
    final Annotations annotations = new Annotations();
    /** Selectors read for histogram statistics only (see {@link HistogramStatsIterator}). */
    private Set<VectorSelector> histogramStatsSelectors = Set.of();
    /** The metric name and expression of the last "might not be a counter" note, which series repeat in runs. */
    String nonCounterNoted;
    Object nonCounterNotedAt;
    private long samples;
    private int checks;

    /**
     * @param querier            storage to select from; may be null when the query has no selectors
     * @param queryStep          the step of a range query, 0 for an instant query
     * @param defaultSubqueryStep the step of subqueries that name none, in milliseconds
     */
    public QueryContext(Querier querier, long queryStart, long queryEnd, long queryStep, long lookbackDelta,
                        long maxSamples, long deadlineNanos, boolean delayedNameRemoval, long defaultSubqueryStep) {
        this.querier = querier;
        this.queryStart = queryStart;
        this.queryEnd = queryEnd;
        this.lookbackDelta = lookbackDelta;
        this.maxSamples = maxSamples;
        this.deadlineNanos = deadlineNanos;
        this.delayedNameRemoval = delayedNameRemoval;
        this.defaultSubqueryStep = defaultSubqueryStep;
        this.durations = new Durations(queryStep, queryEnd - queryStart);
    }

    public Annotations annotations() { return annotations; }

    /** Notes which selectors of the query's expression feed histogram statistics only. */
    public void detectHistogramStatsDecoding(Expr root) {
        histogramStatsSelectors = HistogramStatsIterator.selectors(root);
    }

    /** The iterator to read a selected series with. */
    SampleIterator iterator(VectorSelector vs, Series series) {
        SampleIterator it = series.iterator();
        return histogramStatsSelectors.contains(vs) ? new HistogramStatsIterator(it) : it;
    }

    /** Samples currently held by the query. */
    public long samples() { return samples; }

    /** Accounts for samples taken into memory; fails the query when it would hold more than the limit. */
    void take(long n) {
        samples += n;
        if (samples > maxSamples) throw tooManySamples();
    }

    /** Prometheus's error for a query over its sample limit ({@code --query.max-samples}). */
    static TooManySamplesException tooManySamples() {
        return new TooManySamplesException();
    }

    /**
     * Accounts for the characters of a label value the query creates (label_join, label_replace),
     * as one sample per {@value #CHARS_PER_SAMPLE} (a sample's size in bytes): they are made from
     * the query text and can be far longer than anything stored, so they share the sample limit.
     */
    void takeLabelChars(long chars) {
        take((chars + CHARS_PER_SAMPLE - 1) / CHARS_PER_SAMPLE);
    }

    /** The most characters of label values the query may still create. */
    long labelCharsLeft() {
        return Math.max(0, maxSamples - samples) * CHARS_PER_SAMPLE;
    }

    private static final int CHARS_PER_SAMPLE = 16;

    /** Accounts for samples let go. */
    void release(long n) {
        samples -= n;
    }

    /** Fails with canceled when the evaluating thread was interrupted, with timeout past the deadline. */
    void checkCanceled() {
        if (Thread.currentThread().isInterrupted()) throw new QueryCanceledException(STAGE);
        if (System.nanoTime() - deadlineNanos > 0) throw new QueryTimeoutException(STAGE);
    }

    /** {@link #checkCanceled()} every so many calls, for tight loops. */
    void checkCanceledSometimes() {
        if ((++checks & 0xff) == 0) checkCanceled();
    }
}
