package io.mnemo.actors.querier;

import io.mnemo.tsdb.LabelMatcher;
import io.mnemo.tsdb.Labels;
import io.mnemo.tsdb.Queryable;
import io.mnemo.tsdb.exemplar.SeriesExemplars;
import java.util.List;
import java.util.Map;

/**
 * A tenant's data as the Prometheus query API reads it: PromQL selects, series, label names and
 * values, and metric metadata. Every call blocks its (query) thread until the answer is whole, and
 * fails rather than answer partially: {@link PartitionUnavailableException} when some data cannot
 * be read now (503), {@link QueryLimitExceededException} over a tenant's query limits (422),
 * {@link StoreFailureException} for a storage failure (500).
 */
public interface TenantQueryable {

    /**
     * The tenant's data for one PromQL query; each {@code querier(mint, maxt)} is that query's, and
     * gives up reading at its deadline ({@link System#nanoTime}).
     */
    Queryable queryable(String tenant, long deadlineNanos);

    /** Label sets of the series matching any of the matcher sets, sorted and unique. */
    List<Labels> series(String tenant, long mint, long maxt, List<LabelMatcher[]> matcherSets);

    List<String> labelNames(String tenant, long mint, long maxt, LabelMatcher... matchers);

    List<String> labelValues(String tenant, String name, long mint, long maxt, LabelMatcher... matchers);

    /**
     * Exemplars in [start, end] (ms, inclusive) of the series matching any of the matcher sets:
     * series sorted by labels, each series' exemplars oldest first.
     */
    List<SeriesExemplars> exemplars(String tenant, long start, long end, List<LabelMatcher[]> matcherSets);

    /** Metric metadata: family → distinct [type, help, unit] entries, families sorted; one family or all (metric null). */
    Map<String, List<String[]>> metadata(String tenant, String metric);
}
