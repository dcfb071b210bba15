package io.mnemo.actors.querier;

import io.mnemo.actors.MatcherSpec;
import io.mnemo.tsdb.SeriesSet;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * One kind of store a querier reads: the ingesters (recent samples, from their heads and local
 * blocks) or the store-gateways (blocks in the bucket). {@link MergingQuerier} asks each for the
 * part of a query's time range it holds, both at once, and merges their answers. A call starts
 * its reads and returns; the result is whole or fails, never partial. Every stream a call opens is
 * added to the query's {@link OpenStreams}, which cancels them when the query ends early.
 */
public interface StoreQueryable {

    /**
     * Series matching the matchers with their chunks in [mint, maxt], sorted by labels; or, with
     * {@code labelsOnly}, their label sets alone. What is fetched counts against the query's
     * {@code limiter} as it arrives.
     */
    CompletableFuture<SeriesSet> select(String tenant, long mint, long maxt, MatcherSpec[] matchers, boolean labelsOnly,
                                        QueryLimiter limiter, OpenStreams streams);

    /** Label names ({@code name} null) or the values of label {@code name} of the matching series, sorted. */
    CompletableFuture<List<String>> labels(String tenant, String name, long mint, long maxt, MatcherSpec[] matchers,
                                           OpenStreams streams);
}
