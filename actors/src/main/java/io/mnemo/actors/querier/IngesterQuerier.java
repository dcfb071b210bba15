package io.mnemo.actors.querier;

import io.mnemo.actors.MatcherSpec;
import io.mnemo.actors.ingester.IngesterCommand;
import io.mnemo.actors.ingester.IngesterCommand.LabelsReply;
import io.mnemo.actors.ingester.IngesterCommand.SelectReply;
import io.mnemo.actors.ingester.IngesterCommand.StringsReply;
import io.mnemo.actors.ingester.IngesterSharding;
import io.mnemo.cluster.IngesterId;
import io.mnemo.cluster.Ring;
import io.mnemo.cluster.RingView;
import java.util.Map;
import io.mnemo.tsdb.LabelMatcher;
import io.mnemo.tsdb.Labels;
import io.mnemo.tsdb.Querier;
import io.mnemo.tsdb.Queryable;
import io.mnemo.tsdb.SeriesSet;
import io.mnemo.tsdb.SeriesSetCodec;
import io.mnemo.tsdb.MergeSeriesSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BiFunction;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * The read side of the ring: asks every partition's ingester of a tenant and merges the answers.
 * Calls block the calling thread (a query thread, never an actor's) until every partition has
 * answered; a partition without an answer fails the whole call.
 */
public final class IngesterQuerier {
    private final Map<String, IngesterSharding> zones;
    private final int partitions;
    private final Ring ring;
    private final String ownZone;
    private final Duration timeout;

    /**
     * @param zones   every zone's ingester entity type, by zone
     * @param ownZone the zone whose ingesters are preferred (the querier's own)
     */
    public IngesterQuerier(Map<String, IngesterSharding> zones, int partitions, Ring ring, String ownZone,
                           Duration timeout) {
        this.zones = zones;
        this.partitions = partitions;
        this.ring = ring;
        this.ownZone = ownZone;
        this.timeout = timeout;
    }

    /** The tenant's data as the PromQL engine reads it. */
    public Queryable queryable(String tenant) {
        return (mint, maxt) -> new Querier() {
            @Override
            public SeriesSet select(boolean sorted, LabelMatcher... matchers) {
                MatcherSpec[] specs = MatcherSpec.of(matchers);
                List<SelectReply> replies = askAll((p, replyTo) ->
                        new IngesterCommand.Select(tenant, mint, maxt, specs, replyTo));
                List<SeriesSet> sets = new ArrayList<>(replies.size());
                for (SelectReply r : replies) {
                    failIfError(r.from().toString(), r.error());
                    sets.add(SeriesSetCodec.decode(r.seriesSet()));
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
    }

    /** Label sets of the series matching any of the matcher sets, sorted and unique. */
    public List<Labels> series(String tenant, long mint, long maxt, List<LabelMatcher[]> matcherSets) {
        TreeSet<Labels> out = new TreeSet<>();
        for (LabelMatcher[] matchers : matcherSets) {
            MatcherSpec[] specs = MatcherSpec.of(matchers);
            for (LabelsReply r : this.<LabelsReply>askAll((p, replyTo) ->
                    new IngesterCommand.SelectLabels(tenant, mint, maxt, specs, replyTo))) {
                failIfError(r.from().toString(), r.error());
                for (String[] kv : r.labels()) out.add(Labels.wrapSorted(kv));
            }
        }
        return new ArrayList<>(out);
    }

    public List<String> labelNames(String tenant, long mint, long maxt, LabelMatcher... matchers) {
        return strings(tenant, null, mint, maxt, matchers);
    }

    public List<String> labelValues(String tenant, String name, long mint, long maxt, LabelMatcher... matchers) {
        return strings(tenant, name, mint, maxt, matchers);
    }

    private List<String> strings(String tenant, String name, long mint, long maxt, LabelMatcher... matchers) {
        MatcherSpec[] specs = MatcherSpec.of(matchers);
        TreeSet<String> out = new TreeSet<>();
        for (StringsReply r : this.<StringsReply>askAll((p, replyTo) ->
                new IngesterCommand.LabelQuery(tenant, name, mint, maxt, specs, replyTo))) {
            failIfError(r.from().toString(), r.error());
            out.addAll(List.of(r.values()));
        }
        return new ArrayList<>(out);
    }

    private static void failIfError(String ingester, String error) {
        if (error != null) throw new PartitionUnavailableException("partition " + ingester + " unavailable: " + error);
    }

    /**
     * Asks one readable ingester of every partition, chosen from the ring: ACTIVE before LEAVING,
     * this querier's zone before others. A partition without one fails the call.
     */
    private <R> List<R> askAll(BiFunction<Integer, ActorRef<R>, IngesterCommand> message) {
        int n = partitions;
        RingView view = ring.view();
        List<IngesterId> readers = new ArrayList<>(n);
        for (int p = 0; p < n; p++) {
            final int partition = p;
            IngesterId reader = view.readerFor(p, ownZone).map(RingView.Member::id).orElseThrow(() ->
                    new PartitionUnavailableException("partition " + partition + " has no readable ingester ("
                            + view.describePartition(partition) + ")"));
            readers.add(reader);
        }
        List<CompletableFuture<R>> futures = new ArrayList<>(n);
        for (int p = 0; p < n; p++) {
            final int partition = p;
            futures.add(zones.get(readers.get(p).zone()).ingester(p)
                    .<R>ask(replyTo -> message.apply(partition, replyTo), timeout).toCompletableFuture());
        }
        List<R> out = new ArrayList<>(n);
        long deadline = System.nanoTime() + timeout.toNanos();
        for (int p = 0; p < n; p++) {
            try {
                out.add(futures.get(p).get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS));
            } catch (TimeoutException | ExecutionException e) {
                throw new PartitionUnavailableException("ingester " + readers.get(p)
                        + " did not answer within " + timeout + ": " + e.getMessage());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new PartitionUnavailableException("interrupted while waiting for partition " + p);
            }
        }
        return out;
    }
}
