package io.mnemo.actors.querier;

import io.mnemo.actors.MatcherSpec;
import io.mnemo.actors.TenantLimits;
import io.mnemo.tsdb.LabelMatcher;
import io.mnemo.tsdb.Labels;
import io.mnemo.tsdb.MergeSeriesSet;
import io.mnemo.tsdb.Querier;
import io.mnemo.tsdb.Queryable;
import io.mnemo.tsdb.SeriesSet;
import io.mnemo.tsdb.exemplar.SeriesExemplars;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import java.util.function.LongSupplier;

/**
 * A tenant's data as the query API reads it: the ingesters' recent samples (and older ones they
 * still hold) and the store-gateways' blocks, each asked for its part of the time range
 * ({@link TimeRouting}) and merged: a series in
 * both is one series, and a sample both hold (a block still on an ingester's disk, both zones'
 * copies of a block) appears once ({@link MergeSeriesSet}). Each query has one {@link QueryLimiter}
 * that both sides count against as their answers arrive. Metric metadata is the ingesters'.
 */
public final class MergingQuerier implements TenantQueryable {
    private final StoreQueryable ingesters;
    /** Null on a node that queries ingesters alone. */
    private final StoreQueryable stores;
    private final Metadata metadata;
    private final Exemplars exemplars;
    private final LongSupplier ingestersMinTime;
    private final TimeRouting routing;
    private final TenantLimits limits;
    private final Duration queryTimeout;
    private final Clock clock;

    /**
     * @param stores       the store-gateways' side; null on a node that queries ingesters alone
     * @param queryTimeout how long the API's series, label and metadata calls may take
     */
    public MergingQuerier(IngesterQuerier ingesters, StoreQueryable stores, TimeRouting routing, TenantLimits limits,
                          Duration queryTimeout, Clock clock) {
        this(ingesters, stores, ingesters::metadata, ingesters::exemplars, ingesters::minTime, routing, limits, queryTimeout,
                clock);
    }

    /** Where exemplars are read: the ingesters, which alone hold them. */
    @FunctionalInterface
    interface Exemplars {
        CompletableFuture<List<SeriesExemplars>> read(String tenant, long start, long end,
                                                                           MatcherSpec[][] matcherSets, OpenStreams streams);
    }

    /** Where metric metadata is read. */
    @FunctionalInterface
    interface Metadata {
        Map<String, List<String[]>> read(String tenant, String metric, long deadlineNanos);
    }

    /** @param ingestersMinTime the oldest sample any ingester holds, as the ring says ({@link Long#MAX_VALUE}: none) */
    MergingQuerier(StoreQueryable ingesters, StoreQueryable stores, Metadata metadata, LongSupplier ingestersMinTime,
                   TimeRouting routing, TenantLimits limits, Duration queryTimeout, Clock clock) {
        this(ingesters, stores, metadata, (t, s, e, m, streams) -> CompletableFuture.completedFuture(List.of()),
                ingestersMinTime, routing, limits, queryTimeout, clock);
    }

    MergingQuerier(StoreQueryable ingesters, StoreQueryable stores, Metadata metadata, Exemplars exemplars,
                   LongSupplier ingestersMinTime, TimeRouting routing, TenantLimits limits, Duration queryTimeout, Clock clock) {
        this.ingesters = ingesters;
        this.metadata = metadata;
        this.exemplars = exemplars;
        this.ingestersMinTime = ingestersMinTime;
        this.stores = stores;
        this.routing = routing;
        this.limits = limits;
        this.queryTimeout = queryTimeout;
        this.clock = clock;
    }

    /**
     * The tenant's data for one PromQL query. Each querier is that query's: it refuses a time range
     * longer than the tenant's max-query-length, counts the series and chunk bytes its selects fetch
     * from both sides against the tenant's limits, and gives up at the query's deadline.
     */
    @Override
    public Queryable queryable(String tenant, long deadlineNanos) {
        return (mint, maxt) -> {
            QueryLimiter limiter = QueryLimiter.of(limits.of(tenant));
            limiter.checkQueryLength(mint, maxt);
            return new Querier() {
                @Override
                public SeriesSet select(boolean sorted, LabelMatcher... matchers) {
                    return MergingQuerier.this.select(tenant, mint, maxt, MatcherSpec.of(matchers), false, limiter, deadlineNanos);
                }

                @Override
                public List<String> labelNames(LabelMatcher... matchers) {
                    return labels(tenant, null, mint, maxt, deadlineNanos, matchers);
                }

                @Override
                public List<String> labelValues(String name, LabelMatcher... matchers) {
                    return labels(tenant, name, mint, maxt, deadlineNanos, matchers);
                }
            };
        };
    }

    /**
     * Label sets of the series matching any of the matcher sets, sorted and unique; the series
     * count against the tenant's max-fetched-series-per-query, the range against max-query-length.
     */
    @Override
    public List<Labels> series(String tenant, long mint, long maxt, List<LabelMatcher[]> matcherSets) {
        long deadline = System.nanoTime() + queryTimeout.toNanos();
        QueryLimiter limiter = QueryLimiter.of(limits.of(tenant));
        limiter.checkQueryLength(mint, maxt);
        TreeSet<Labels> out = new TreeSet<>();
        for (LabelMatcher[] matchers : matcherSets) {
            SeriesSet set = select(tenant, mint, maxt, MatcherSpec.of(matchers), true, limiter, deadline);
            while (set.next()) out.add(set.at().labels());
        }
        return new ArrayList<>(out);
    }

    @Override
    public List<String> labelNames(String tenant, long mint, long maxt, LabelMatcher... matchers) {
        return labels(tenant, null, mint, maxt, System.nanoTime() + queryTimeout.toNanos(), matchers);
    }

    @Override
    public List<String> labelValues(String tenant, String name, long mint, long maxt, LabelMatcher... matchers) {
        return labels(tenant, name, mint, maxt, System.nanoTime() + queryTimeout.toNanos(), matchers);
    }

    @Override
    public Map<String, List<String[]>> metadata(String tenant, String metric) {
        return metadata.read(tenant, metric, System.nanoTime() + queryTimeout.toNanos());
    }

    /** Exemplars are the ingesters' alone; the first failure, or the deadline, cancels every stream. */
    @Override
    public List<SeriesExemplars> exemplars(String tenant, long start, long end,
                                                                 List<LabelMatcher[]> matcherSets) {
        MatcherSpec[][] specs = new MatcherSpec[matcherSets.size()][];
        for (int i = 0; i < specs.length; i++) specs[i] = MatcherSpec.of(matcherSets.get(i));
        OpenStreams streams = new OpenStreams();
        return streams.await(exemplars.read(tenant, start, end, specs, streams), System.nanoTime() + queryTimeout.toNanos(),
                "reading exemplars from ingesters");
    }

    /**
     * Both sides' series for their parts of [mint, maxt], read at once and merged; the first
     * failure, or the deadline, cancels every stream of both.
     */
    private SeriesSet select(String tenant, long mint, long maxt, MatcherSpec[] matchers, boolean labelsOnly,
                             QueryLimiter limiter, long deadlineNanos) {
        return both(mint, maxt, deadlineNanos,
                (side, r, streams) -> side.select(tenant, r.mint(), r.maxt(), matchers, labelsOnly, limiter, streams),
                MergeSeriesSet::merge);
    }

    private List<String> labels(String tenant, String name, long mint, long maxt, long deadlineNanos, LabelMatcher... matchers) {
        MatcherSpec[] specs = MatcherSpec.of(matchers);
        return both(mint, maxt, deadlineNanos, (side, r, streams) -> side.labels(tenant, name, r.mint(), r.maxt(), specs, streams),
                lists -> {
                    TreeSet<String> out = new TreeSet<>();
                    for (List<String> l : lists) out.addAll(l);
                    return new ArrayList<>(out);
                });
    }

    /** How one side is asked for its part of the range. */
    @FunctionalInterface
    private interface Read<T> {
        CompletableFuture<T> start(StoreQueryable side, TimeRouting.Range range, OpenStreams streams);
    }

    /** Asks each side whose time the range reaches, then merges their answers. */
    private <T, R> R both(long mint, long maxt, long deadlineNanos, Read<T> read, Function<List<T>, R> merge) {
        long now = clock.millis();
        OpenStreams streams = new OpenStreams();
        List<CompletableFuture<T>> parts = new ArrayList<>(2);
        try {
            TimeRouting.Range s = stores == null ? null : routing.stores(mint, maxt, now);
            if (s != null) parts.add(read.start(stores, s, streams));
            TimeRouting.Range i = routing.ingesters(mint, maxt, now, ingestersMinTime.getAsLong());
            if (i != null) parts.add(read.start(ingesters, i, streams));
        } catch (RuntimeException e) {
            streams.cancel(); // what the other side started
            throw e;
        }
        return merge.apply(streams.await(OpenStreams.all(parts), deadlineNanos, "reading from ingesters and store-gateways"));
    }
}
