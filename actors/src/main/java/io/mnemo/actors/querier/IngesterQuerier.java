package io.mnemo.actors.querier;

import io.mnemo.actors.MatcherSpec;
import io.mnemo.actors.TenantLimits;
import io.mnemo.actors.ingester.IngesterCommand;
import io.mnemo.actors.ingester.IngesterCommand.LabelsReply;
import io.mnemo.actors.ingester.IngesterCommand.MetadataReply;
import io.mnemo.actors.ingester.IngesterCommand.SelectReply;
import io.mnemo.actors.ingester.IngesterCommand.StringsReply;
import io.mnemo.actors.ingester.IngesterError;
import io.mnemo.actors.ingester.IngesterSharding;
import io.mnemo.cluster.IngesterId;
import io.mnemo.cluster.Ring;
import io.mnemo.cluster.RingView;
import java.util.Map;
import io.mnemo.promql.EvaluationException;
import io.mnemo.tsdb.ChunkSeries;
import io.mnemo.tsdb.LabelMatcher;
import io.mnemo.tsdb.Labels;
import io.mnemo.tsdb.Querier;
import io.mnemo.tsdb.Queryable;
import io.mnemo.tsdb.Series;
import io.mnemo.tsdb.SeriesSet;
import io.mnemo.tsdb.chunkenc.ChunkMeta;
import io.mnemo.tsdb.SeriesSetCodec;
import io.mnemo.tsdb.MergeSeriesSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.function.BiFunction;
import java.util.function.Function;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * The read side of the ring: asks every partition's ingester of a tenant and merges the answers.
 * Calls block the calling thread (a query thread, never an actor's) until every partition has
 * answered; a partition without an answer fails the whole call. What a query fetches is counted
 * against its tenant's query limits ({@link QueryLimiter}) as the answers are decoded.
 */
public final class IngesterQuerier implements TenantQueryable {
    private final Map<String, IngesterSharding> zones;
    private final int partitions;
    private final Ring ring;
    private final String ownZone;
    private final Duration timeout;
    private final TenantLimits limits;

    /**
     * @param zones   every zone's ingester entity type, by zone
     * @param ownZone the zone whose ingesters are preferred (the querier's own)
     */
    public IngesterQuerier(Map<String, IngesterSharding> zones, int partitions, Ring ring, String ownZone,
                           Duration timeout, TenantLimits limits) {
        this.zones = zones;
        this.partitions = partitions;
        this.ring = ring;
        this.ownZone = ownZone;
        this.timeout = timeout;
        this.limits = limits;
    }

    /**
     * The tenant's data as the PromQL engine reads it. Each querier is one query's: it refuses a
     * time range longer than the tenant's max-query-length, and counts the series and chunk bytes
     * its selects fetch against the tenant's limits.
     */
    @Override
    public Queryable queryable(String tenant) {
        return (mint, maxt) -> {
            QueryLimiter limiter = QueryLimiter.of(limits.of(tenant));
            limiter.checkQueryLength(mint, maxt);
            return new Querier() {
                @Override
                public SeriesSet select(boolean sorted, LabelMatcher... matchers) {
                    MatcherSpec[] specs = MatcherSpec.of(matchers);
                    List<SelectReply> replies = askAll((p, replyTo) ->
                            new IngesterCommand.Select(tenant, mint, maxt, specs, replyTo), SelectReply::error);
                    List<SeriesSet> sets = new ArrayList<>(replies.size());
                    for (SelectReply r : replies) {
                        sets.add(counted(SeriesSetCodec.decode(r.seriesSet()), limiter));
                    }
                    return MergeSeriesSet.merge(sets);
                }

                @Override
                public List<String> labelNames(LabelMatcher... matchers) {
                    return IngesterQuerier.this.labelNames(tenant, mint, maxt, matchers);
                }

                @Override
                public List<String> labelValues(String name, LabelMatcher... matchers) {
                    return IngesterQuerier.this.labelValues(tenant, name, mint, maxt, matchers);
                }
            };
        };
    }

    /** The series of an ingester's answer, each counted against the limits as it is decoded. */
    private static SeriesSet counted(SeriesSet decoded, QueryLimiter limiter) {
        return new SeriesSet() {
            @Override
            public boolean next() {
                if (!decoded.next()) return false;
                Series s = decoded.at();
                limiter.addSeries(s.labels());
                if (s instanceof ChunkSeries cs) {
                    long bytes = 0;
                    for (ChunkMeta c : cs.chunks()) bytes += c.chunk().length();
                    limiter.addChunkBytes(bytes);
                }
                return true;
            }

            @Override
            public Series at() {
                return decoded.at();
            }
        };
    }

    /**
     * Label sets of the series matching any of the matcher sets, sorted and unique; the series
     * count against the tenant's max-fetched-series-per-query, the range against max-query-length.
     */
    @Override
    public List<Labels> series(String tenant, long mint, long maxt, List<LabelMatcher[]> matcherSets) {
        QueryLimiter limiter = QueryLimiter.of(limits.of(tenant));
        limiter.checkQueryLength(mint, maxt);
        TreeSet<Labels> out = new TreeSet<>();
        for (LabelMatcher[] matchers : matcherSets) {
            MatcherSpec[] specs = MatcherSpec.of(matchers);
            for (LabelsReply r : this.<LabelsReply>askAll((p, replyTo) ->
                    new IngesterCommand.SelectLabels(tenant, mint, maxt, specs, replyTo), LabelsReply::error)) {
                for (String[] kv : r.labels()) {
                    Labels l = Labels.wrapSorted(kv);
                    limiter.addSeries(l);
                    out.add(l);
                }
            }
        }
        return new ArrayList<>(out);
    }

    /** Metric metadata: family → distinct [type, help, unit] entries, families sorted. */
    @Override
    public Map<String, List<String[]>> metadata(String tenant, String metric) {
        Map<String, List<String[]>> out = new java.util.TreeMap<>();
        for (MetadataReply r : this.<MetadataReply>askAll((p, replyTo) ->
                new IngesterCommand.MetadataQuery(tenant, metric, replyTo), MetadataReply::error)) {
            for (String[] row : r.rows()) {
                List<String[]> entries = out.computeIfAbsent(row[0], k -> new ArrayList<>());
                String[] entry = {row[1], row[2], row[3]};
                if (entries.stream().noneMatch(e -> java.util.Arrays.equals(e, entry))) entries.add(entry);
            }
        }
        return out;
    }

    @Override
    public List<String> labelNames(String tenant, long mint, long maxt, LabelMatcher... matchers) {
        return strings(tenant, null, mint, maxt, matchers);
    }

    @Override
    public List<String> labelValues(String tenant, String name, long mint, long maxt, LabelMatcher... matchers) {
        return strings(tenant, name, mint, maxt, matchers);
    }

    private List<String> strings(String tenant, String name, long mint, long maxt, LabelMatcher... matchers) {
        MatcherSpec[] specs = MatcherSpec.of(matchers);
        TreeSet<String> out = new TreeSet<>();
        for (StringsReply r : this.<StringsReply>askAll((p, replyTo) ->
                new IngesterCommand.LabelQuery(tenant, name, mint, maxt, specs, replyTo), StringsReply::error)) {
            out.addAll(List.of(r.values()));
        }
        return new ArrayList<>(out);
    }

    /**
     * Asks one readable ingester of every partition, chosen from the ring: ACTIVE before LEAVING,
     * this querier's zone before others. When it does not answer (its node just died and the ring
     * does not know yet) or answers that it may not serve reads, the next one is asked. A partition
     * that no ingester answers for fails the call with {@link PartitionUnavailableException}: never
     * a partial answer. An answer that the query cannot be served fails it with its kind: the
     * query's fault ({@link EvaluationException}, 422) or the ingester's ({@link IngesterFailureException}).
     */
    private <R> List<R> askAll(BiFunction<Integer, ActorRef<R>, IngesterCommand> message,
                               Function<R, IngesterError> errorOf) {
        RingView view = ring.view();
        List<List<IngesterId>> candidates = new ArrayList<>(partitions);
        for (int p = 0; p < partitions; p++) {
            List<IngesterId> readers = view.readersFor(p, ownZone).stream().map(RingView.Member::id).toList();
            if (readers.isEmpty()) {
                throw new PartitionUnavailableException("partition " + p + " has no readable ingester ("
                        + view.describePartition(p) + ")");
            }
            candidates.add(readers);
        }
        List<CompletableFuture<R>> futures = new ArrayList<>(partitions);
        for (int p = 0; p < partitions; p++) futures.add(ask(p, candidates.get(p), 0, message, errorOf, new ArrayList<>()));
        List<R> out = new ArrayList<>(partitions);
        for (int p = 0; p < partitions; p++) {
            try {
                out.add(futures.get(p).get());
            } catch (ExecutionException e) {
                Throwable cause = e.getCause() != null ? e.getCause() : e;
                if (cause instanceof RuntimeException r
                        && (r instanceof PartitionUnavailableException || r instanceof EvaluationException
                            || r instanceof IngesterFailureException)) throw r;
                throw new PartitionUnavailableException("partition " + p + ": " + cause);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new PartitionUnavailableException("interrupted while waiting for partition " + p);
            }
        }
        return out;
    }

    private <R> CompletableFuture<R> ask(int partition, List<IngesterId> readers, int attempt,
                                         BiFunction<Integer, ActorRef<R>, IngesterCommand> message,
                                         Function<R, IngesterError> errorOf, List<String> refusals) {
        IngesterId reader = readers.get(attempt);
        return zones.get(reader.zone()).ingester(partition)
                .<R>ask(replyTo -> message.apply(partition, replyTo), timeout)
                .toCompletableFuture()
                .handle((reply, err) -> {
                    IngesterError error = err != null ? null : errorOf.apply(reply);
                    if (err == null && error == null) return CompletableFuture.completedFuture(reply);
                    if (error != null && error.kind() == IngesterError.Kind.BAD_QUERY) {
                        return CompletableFuture.<R>failedFuture(new EvaluationException(error.message()));
                    }
                    if (error != null && error.kind() == IngesterError.Kind.INTERNAL) {
                        return CompletableFuture.<R>failedFuture(new IngesterFailureException(error.message()));
                    }
                    refusals.add(error != null ? error.message() : reader + " did not answer within " + timeout);
                    if (attempt + 1 < readers.size()) return ask(partition, readers, attempt + 1, message, errorOf, refusals);
                    return CompletableFuture.<R>failedFuture(new PartitionUnavailableException("partition " + partition
                            + ": no ingester answered (tried " + readers + ": " + String.join("; ", refusals) + ")"));
                })
                .thenCompose(f -> f);
    }
}
