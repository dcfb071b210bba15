package io.mnemo.actors.querier;

import io.mnemo.actors.MatcherSpec;
import io.mnemo.actors.TenantLimits;
import io.mnemo.actors.ingester.IngesterCommand;
import io.mnemo.actors.ingester.IngesterCommand.MetadataReply;
import io.mnemo.actors.ingester.IngesterCommand.StreamReply;
import io.mnemo.actors.ingester.IngesterSharding;
import io.mnemo.actors.readpath.ReadError;
import io.mnemo.actors.readpath.ReadStreams;
import io.mnemo.actors.readpath.StringFrames;
import io.mnemo.cluster.IngesterId;
import io.mnemo.cluster.Ring;
import io.mnemo.cluster.RingView;
import io.mnemo.promql.EvaluationException;
import io.mnemo.promql.QueryCanceledException;
import io.mnemo.promql.QueryTimeoutException;
import io.mnemo.tsdb.ChunkSeries;
import io.mnemo.tsdb.LabelMatcher;
import io.mnemo.tsdb.Labels;
import io.mnemo.tsdb.MergeSeriesSet;
import io.mnemo.tsdb.Querier;
import io.mnemo.tsdb.Queryable;
import io.mnemo.tsdb.SeriesSet;
import io.mnemo.tsdb.SeriesSetCodec;
import io.mnemo.tsdb.chunkenc.ChunkMeta;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import java.util.function.Supplier;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.stream.Materializer;
import org.apache.pekko.stream.UniqueKillSwitch;

/**
 * The read side of the ring: asks one readable ingester of every partition of a tenant and merges
 * the answers. Answers arrive as streams of frames ({@link ReadStreams}); a partition whose stream
 * breaks off is read again from the start from its next ingester, and a partition that no
 * ingester answers for in full fails the whole call: never a partial answer. What a query fetches
 * is counted against its tenant's query limits ({@link QueryLimiter}) as frames arrive, so the
 * query stops as soon as one is exceeded. Calls block the calling (query) thread until every
 * partition has answered, or the query's deadline passes, which cancels every stream.
 */
public final class IngesterQuerier implements TenantQueryable {
    private final Map<String, IngesterSharding> zones;
    private final int partitions;
    private final Ring ring;
    private final String ownZone;
    private final Duration ingesterTimeout;
    private final Duration queryTimeout;
    private final TenantLimits limits;
    private final Materializer materializer;

    /**
     * @param zones           every zone's ingester entity type, by zone
     * @param ownZone         the zone whose ingesters are preferred (the querier's own)
     * @param ingesterTimeout how long an ingester may take to answer, or to send the next frame
     * @param queryTimeout    how long the API's series, label and metadata calls may take
     */
    public IngesterQuerier(Map<String, IngesterSharding> zones, int partitions, Ring ring, String ownZone,
                           Duration ingesterTimeout, Duration queryTimeout, TenantLimits limits, Materializer materializer) {
        this.zones = zones;
        this.partitions = partitions;
        this.ring = ring;
        this.ownZone = ownZone;
        this.ingesterTimeout = ingesterTimeout;
        this.queryTimeout = queryTimeout;
        this.limits = limits;
        this.materializer = materializer;
    }

    /**
     * The tenant's data for one PromQL query. Each querier is that query's: it refuses a time range
     * longer than the tenant's max-query-length, counts the series and chunk bytes its selects fetch
     * against the tenant's limits, and gives up at the query's deadline ({@link System#nanoTime}).
     */
    @Override
    public Queryable queryable(String tenant, long deadlineNanos) {
        return (mint, maxt) -> {
            QueryLimiter limiter = QueryLimiter.of(limits.of(tenant));
            limiter.checkQueryLength(mint, maxt);
            return new Querier() {
                @Override
                public SeriesSet select(boolean sorted, LabelMatcher... matchers) {
                    MatcherSpec[] specs = MatcherSpec.of(matchers);
                    List<SeriesAnswer> answers = readAll(replyTo -> new IngesterCommand.Select(tenant, mint, maxt, specs,
                            false, replyTo), () -> new SeriesAnswer(limiter, true), deadlineNanos);
                    List<SeriesSet> sets = new ArrayList<>(answers.size());
                    for (SeriesAnswer a : answers) sets.add(a.series());
                    return MergeSeriesSet.merge(sets);
                }

                @Override
                public List<String> labelNames(LabelMatcher... matchers) {
                    return strings(tenant, null, mint, maxt, deadlineNanos, matchers);
                }

                @Override
                public List<String> labelValues(String name, LabelMatcher... matchers) {
                    return strings(tenant, name, mint, maxt, deadlineNanos, matchers);
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
            MatcherSpec[] specs = MatcherSpec.of(matchers);
            for (SeriesAnswer a : readAll(replyTo -> new IngesterCommand.Select(tenant, mint, maxt, specs, true, replyTo),
                    () -> new SeriesAnswer(limiter, false), deadline)) {
                SeriesSet set = a.series();
                while (set.next()) out.add(set.at().labels());
            }
        }
        return new ArrayList<>(out);
    }

    /** Metric metadata: family → distinct [type, help, unit] entries, families sorted. */
    @Override
    public Map<String, List<String[]>> metadata(String tenant, String metric) {
        Map<String, List<String[]>> out = new java.util.TreeMap<>();
        long deadline = System.nanoTime() + queryTimeout.toNanos();
        List<CompletableFuture<MetadataReply>> asks = new ArrayList<>(partitions);
        List<List<IngesterId>> readers = readers();
        for (int p = 0; p < partitions; p++) asks.add(askMetadata(p, readers.get(p), 0, tenant, metric, new ArrayList<>()));
        for (MetadataReply r : await(asks, new OpenStreams(), deadline)) {
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
        return strings(tenant, null, mint, maxt, System.nanoTime() + queryTimeout.toNanos(), matchers);
    }

    @Override
    public List<String> labelValues(String tenant, String name, long mint, long maxt, LabelMatcher... matchers) {
        return strings(tenant, name, mint, maxt, System.nanoTime() + queryTimeout.toNanos(), matchers);
    }

    private List<String> strings(String tenant, String name, long mint, long maxt, long deadline, LabelMatcher... matchers) {
        MatcherSpec[] specs = MatcherSpec.of(matchers);
        TreeSet<String> out = new TreeSet<>();
        for (StringsAnswer a : readAll(replyTo -> new IngesterCommand.LabelQuery(tenant, name, mint, maxt, specs, replyTo),
                StringsAnswer::new, deadline)) {
            out.addAll(a.strings);
        }
        return new ArrayList<>(out);
    }

    // ---------------------------------------------------------------- answers

    /** What one attempt at one partition's answer collected; a fresh one for every attempt. */
    private interface Answer {
        /** Takes a frame, on the stream's thread; may throw to stop the query (a limit). */
        void frame(byte[] payload);

        /** Gives back what this attempt counted against the query's limits (it is read again elsewhere). */
        void discard();
    }

    /**
     * Series frames, counted against the limits as they arrive and kept as they came: the series
     * are decoded again only as the query reads them. Holding a large answer as a few frames
     * rather than as decoded series (labels, strings, chunk objects: some forty objects a series)
     * is what keeps heavy queries from filling the young generation with live objects, whose
     * copying made long GC pauses for the whole node, ingestion included.
     */
    private static final class SeriesAnswer implements Answer {
        private final QueryLimiter limiter;
        private final boolean countChunks;
        private final List<byte[]> frames = new ArrayList<>();
        private long chunkBytes;

        SeriesAnswer(QueryLimiter limiter, boolean countChunks) {
            this.limiter = limiter;
            this.countChunks = countChunks;
        }

        @Override
        public void frame(byte[] payload) {
            SeriesSet set = SeriesSetCodec.decode(payload);
            while (set.next()) {
                ChunkSeries s = (ChunkSeries) set.at();
                limiter.addSeries(s.labels());
                if (countChunks) {
                    long bytes = 0;
                    for (ChunkMeta c : s.chunks()) bytes += c.chunk().length();
                    chunkBytes += bytes;
                    limiter.addChunkBytes(bytes);
                }
            }
            frames.add(payload);
        }

        @Override
        public void discard() {
            limiter.addChunkBytes(-chunkBytes);
        }

        SeriesSet series() {
            return SeriesSetCodec.decodeFrames(frames);
        }
    }

    private static final class StringsAnswer implements Answer {
        final List<String> strings = new ArrayList<>();

        @Override
        public void frame(byte[] payload) {
            StringFrames.decode(payload, strings);
        }

        @Override
        public void discard() {}
    }

    // ---------------------------------------------------------------- streams

    /**
     * One answer per partition, each read in full from one of its readable ingesters, chosen from
     * the ring: ACTIVE before LEAVING, this querier's zone before others. An ingester that does not
     * answer, may not serve reads, or whose stream breaks off is replaced by the next, which sends
     * the whole answer again. Fails with {@link PartitionUnavailableException} when no ingester of a
     * partition answered in full, with the query's own error when an ingester refused the query
     * ({@link EvaluationException}, 422) or failed on it ({@link IngesterFailureException}), and with
     * a timeout at the deadline; every open stream is cancelled then.
     */
    private <A extends Answer> List<A> readAll(Function<ActorRef<StreamReply>, IngesterCommand> message,
                                               Supplier<A> newAnswer, long deadlineNanos) {
        List<List<IngesterId>> readers = readers();
        OpenStreams streams = new OpenStreams();
        List<CompletableFuture<A>> futures = new ArrayList<>(partitions);
        for (int p = 0; p < partitions; p++) {
            futures.add(read(p, readers.get(p), 0, message, newAnswer, streams, new ArrayList<>()));
        }
        return await(futures, streams, deadlineNanos);
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

    /**
     * The streams of one call, so that its end cancels them all: also those that start after it,
     * when an ingester's answer arrives late.
     */
    private static final class OpenStreams {
        private final Collection<UniqueKillSwitch> open = new ConcurrentLinkedQueue<>();
        private volatile boolean cancelled;

        void add(UniqueKillSwitch stream) {
            open.add(stream);
            if (cancelled) stream.shutdown();
        }

        void cancel() {
            cancelled = true;
            for (UniqueKillSwitch s : open) s.shutdown();
        }
    }

    private <T> List<T> await(List<CompletableFuture<T>> futures, OpenStreams streams, long deadlineNanos) {
        List<T> out = new ArrayList<>(futures.size());
        try {
            for (CompletableFuture<T> f : futures) {
                long left = deadlineNanos - System.nanoTime();
                out.add(f.get(Math.max(0, left), TimeUnit.NANOSECONDS));
            }
            return out;
        } catch (ExecutionException e) {
            cancel(futures, streams);
            Throwable cause = e.getCause() instanceof CompletionException c && c.getCause() != null ? c.getCause() : e.getCause();
            if (cause instanceof RuntimeException r) throw r;
            throw new PartitionUnavailableException(String.valueOf(cause));
        } catch (TimeoutException e) {
            cancel(futures, streams);
            throw new QueryTimeoutException("reading from ingesters");
        } catch (InterruptedException e) {
            cancel(futures, streams);
            Thread.currentThread().interrupt();
            throw new QueryCanceledException("reading from ingesters");
        }
    }

    private static <T> void cancel(List<CompletableFuture<T>> futures, OpenStreams streams) {
        streams.cancel();
        for (CompletableFuture<T> f : futures) f.cancel(false);
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
            if (streams.cancelled) return CompletableFuture.<A>failedFuture(err); // the call is over: no retry
            Throwable cause = err instanceof CompletionException && err.getCause() != null ? err.getCause() : err;
            if (cause instanceof ReadStreams.StoreFailedException failed) {
                ReadError e = failed.error();
                if (e.kind() == ReadError.Kind.BAD_QUERY) return CompletableFuture.<A>failedFuture(new EvaluationException(e.message()));
                if (e.kind() == ReadError.Kind.INTERNAL) return CompletableFuture.<A>failedFuture(new IngesterFailureException(e.message()));
                refusals.add(e.message());
            } else if (cause instanceof ReadStreams.IncompleteStreamException || cause instanceof TimeoutException
                    || cause.getClass().getName().startsWith("org.apache.pekko.")) {
                refusals.add(cause instanceof TimeoutException ? who + " did not answer within " + ingesterTimeout
                        : cause.getMessage());
            } else {
                return CompletableFuture.<A>failedFuture(cause); // the query's own end: a limit, a cancellation
            }
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
