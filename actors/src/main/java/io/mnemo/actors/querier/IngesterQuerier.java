package io.mnemo.actors.querier;

import io.mnemo.actors.MatcherSpec;
import io.mnemo.actors.ingester.IngesterCommand;
import io.mnemo.actors.ingester.IngesterCommand.MetadataReply;
import io.mnemo.actors.ingester.IngesterCommand.StreamReply;
import io.mnemo.actors.ingester.IngesterSharding;
import io.mnemo.actors.readpath.ReadStreams;
import io.mnemo.cluster.IngesterId;
import io.mnemo.cluster.Ring;
import io.mnemo.cluster.RingView;
import io.mnemo.tsdb.Labels;
import io.mnemo.tsdb.MergeSeriesSet;
import io.mnemo.tsdb.SeriesSet;
import io.mnemo.tsdb.exemplar.Exemplar;
import io.mnemo.tsdb.exemplar.SeriesExemplars;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import java.util.function.Supplier;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.stream.Materializer;

/**
 * The ingesters' side of a query: asks one readable ingester of every partition of a tenant and
 * merges the answers. Answers arrive as streams of frames ({@link ReadStreams}); a partition whose
 * stream breaks off is read again from the start from its next ingester, and a partition that no
 * ingester answers for in full fails the whole call: never a partial answer. What a query fetches
 * is counted against its tenant's query limits ({@link QueryLimiter}) as frames arrive, so the
 * query stops as soon as one is exceeded. Metric metadata is the ingesters' alone.
 */
public final class IngesterQuerier implements StoreQueryable {
    private final Map<String, IngesterSharding> zones;
    private final int partitions;
    private final Ring ring;
    private final String ownZone;
    private final Duration ingesterTimeout;
    private final Materializer materializer;

    /**
     * @param zones           every zone's ingester entity type, by zone
     * @param ownZone         the zone whose ingesters are preferred (the querier's own)
     * @param ingesterTimeout how long an ingester may take to answer, or to send the next frame
     */
    public IngesterQuerier(Map<String, IngesterSharding> zones, int partitions, Ring ring, String ownZone,
                           Duration ingesterTimeout, Materializer materializer) {
        this.zones = zones;
        this.partitions = partitions;
        this.ring = ring;
        this.ownZone = ownZone;
        this.ingesterTimeout = ingesterTimeout;
        this.materializer = materializer;
    }

    @Override
    public CompletableFuture<SeriesSet> select(String tenant, long mint, long maxt, MatcherSpec[] matchers, boolean labelsOnly,
                                               QueryLimiter limiter, OpenStreams streams) {
        return readAll(replyTo -> new IngesterCommand.Select(tenant, mint, maxt, matchers, labelsOnly, replyTo),
                () -> new Answer.OfSeries(limiter, !labelsOnly), streams)
                .thenApply(answers -> MergeSeriesSet.merge(answers.stream().map(Answer.OfSeries::series).toList()));
    }

    @Override
    public CompletableFuture<List<String>> labels(String tenant, String name, long mint, long maxt, MatcherSpec[] matchers,
                                                  OpenStreams streams) {
        return readAll(replyTo -> new IngesterCommand.LabelQuery(tenant, name, mint, maxt, matchers, replyTo),
                Answer.OfStrings::new, streams)
                .thenApply(answers -> {
                    TreeSet<String> out = new TreeSet<>();
                    for (Answer.OfStrings a : answers) out.addAll(a.strings);
                    return new ArrayList<>(out);
                });
    }

    /**
     * Exemplars of the series matching any of the matcher sets in [start, end], from every
     * partition: series sorted by labels, each series' exemplars by time, an exemplar two answers
     * hold (a series' part split between frames, or sent twice) once. Exemplars are the
     * ingesters' alone (as in Mimir): they are in no block.
     */
    public CompletableFuture<List<SeriesExemplars>> exemplars(String tenant, long start, long end, MatcherSpec[][] matcherSets,
                                                              OpenStreams streams) {
        return readAll(replyTo -> new IngesterCommand.ExemplarQuery(tenant, start, end, matcherSets, replyTo),
                Answer.OfExemplars::new, streams)
                .thenApply(answers -> {
                    Map<Labels, Set<Exemplar>> merged = new TreeMap<>();
                    for (Answer.OfExemplars a : answers) {
                        for (SeriesExemplars s : a.series) {
                            merged.computeIfAbsent(s.seriesLabels(), k -> new LinkedHashSet<>()).addAll(s.exemplars());
                        }
                    }
                    List<SeriesExemplars> out = new ArrayList<>(merged.size());
                    merged.forEach((series, exemplars) -> {
                        List<Exemplar> sorted = new ArrayList<>(exemplars);
                        sorted.sort(Comparator.comparingLong(Exemplar::timestamp));
                        out.add(new SeriesExemplars(series, sorted));
                    });
                    return out;
                });
    }

    /**
     * The oldest sample any ingester of the ring holds ({@link Long#MAX_VALUE}: none). Unknown,
     * and so {@link Long#MIN_VALUE} (ask them for any time), while a partition has no readable
     * ingester: asking then fails the query naming the partition (503) rather than answer without
     * what its ingesters hold.
     */
    long minTime() {
        RingView view = ring.view();
        for (int p = 0; p < partitions; p++) {
            if (view.readersFor(p, ownZone).isEmpty()) return Long.MIN_VALUE;
        }
        long min = Long.MAX_VALUE;
        for (RingView.Member m : view.members()) min = Math.min(min, m.desc().minTime());
        return min;
    }

    /** Metric metadata: family → distinct [type, help, unit] entries, families sorted. */
    public Map<String, List<String[]>> metadata(String tenant, String metric, long deadlineNanos) {
        Map<String, List<String[]>> out = new TreeMap<>();
        List<CompletableFuture<MetadataReply>> asks = new ArrayList<>(partitions);
        List<List<IngesterId>> readers = readers();
        for (int p = 0; p < partitions; p++) asks.add(askMetadata(p, readers.get(p), 0, tenant, metric, new ArrayList<>()));
        for (MetadataReply r : new OpenStreams().await(OpenStreams.all(asks), deadlineNanos, "reading from ingesters")) {
            for (String[] row : r.rows()) {
                List<String[]> entries = out.computeIfAbsent(row[0], k -> new ArrayList<>());
                String[] entry = {row[1], row[2], row[3]};
                if (entries.stream().noneMatch(e -> java.util.Arrays.equals(e, entry))) entries.add(entry);
            }
        }
        return out;
    }

    // ---------------------------------------------------------------- streams

    /**
     * One answer per partition, each read in full from one of its readable ingesters, chosen from
     * the ring: ACTIVE before LEAVING, this querier's zone before others. An ingester that does not
     * answer, may not serve reads, or whose stream breaks off is replaced by the next, which sends
     * the whole answer again. Fails with {@link PartitionUnavailableException} when no ingester of a
     * partition answered in full, with the query's own error when an ingester refused the query
     * (422) or failed on it ({@link StoreFailureException}).
     */
    private <A extends Answer> CompletableFuture<List<A>> readAll(Function<ActorRef<StreamReply>, IngesterCommand> message,
                                                                  Supplier<A> newAnswer, OpenStreams streams) {
        List<List<IngesterId>> readers = readers();
        List<CompletableFuture<A>> futures = new ArrayList<>(partitions);
        for (int p = 0; p < partitions; p++) {
            futures.add(read(p, readers.get(p), 0, message, newAnswer, streams, new ArrayList<>()));
        }
        return OpenStreams.all(futures);
    }

    private List<List<IngesterId>> readers() {
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
        return candidates;
    }

    private <A extends Answer> CompletableFuture<A> read(int partition, List<IngesterId> readers, int attempt,
                                                         Function<ActorRef<StreamReply>, IngesterCommand> message,
                                                         Supplier<A> newAnswer, OpenStreams streams,
                                                         List<String> refusals) {
        IngesterId reader = readers.get(attempt);
        String who = "ingester " + reader;
        A answer = newAnswer.get();
        CompletableFuture<A> result = zones.get(reader.zone()).ingester(partition)
                .<StreamReply>ask(message::apply, ingesterTimeout)
                .toCompletableFuture()
                .thenCompose(reply -> ReadStreams.collect(who, reply.answer(), ingesterTimeout, answer::frame, streams::add,
                        materializer).toCompletableFuture())
                .thenApply(items -> answer);
        return result.handle((ok, err) -> {
            if (err == null) return CompletableFuture.completedFuture(ok);
            if (streams.cancelled()) return CompletableFuture.<A>failedFuture(err); // the call is over: no retry
            Throwable cause = OpenStreams.unwrap(err);
            String reason = AttemptFailures.retryReason(cause, who, ingesterTimeout);
            if (reason == null) return CompletableFuture.<A>failedFuture(AttemptFailures.ending(cause));
            refusals.add(reason);
            answer.discard();
            if (attempt + 1 < readers.size()) {
                return read(partition, readers, attempt + 1, message, newAnswer, streams, refusals);
            }
            return CompletableFuture.<A>failedFuture(new PartitionUnavailableException("partition " + partition
                    + ": no ingester answered in full (tried " + readers + ": " + String.join("; ", refusals) + ")"));
        }).thenCompose(f -> f);
    }

    private CompletableFuture<MetadataReply> askMetadata(int partition, List<IngesterId> readers, int attempt, String tenant,
                                                         String metric, List<String> refusals) {
        IngesterId reader = readers.get(attempt);
        return zones.get(reader.zone()).ingester(partition)
                .<MetadataReply>ask(replyTo -> new IngesterCommand.MetadataQuery(tenant, metric, replyTo), ingesterTimeout)
                .toCompletableFuture()
                .handle((reply, err) -> {
                    if (err == null && reply.error() == null) return CompletableFuture.completedFuture(reply);
                    refusals.add(err != null ? "ingester " + reader + " did not answer within " + ingesterTimeout
                            : reply.error().message());
                    if (attempt + 1 < readers.size()) return askMetadata(partition, readers, attempt + 1, tenant, metric, refusals);
                    return CompletableFuture.<MetadataReply>failedFuture(new PartitionUnavailableException("partition "
                            + partition + ": no ingester answered (tried " + readers + ": " + String.join("; ", refusals) + ")"));
                })
                .thenCompose(f -> f);
    }
}
