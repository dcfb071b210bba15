package io.mnemo.actors.querier;

import io.mnemo.actors.MatcherSpec;
import io.mnemo.actors.MnemoMetrics;
import io.mnemo.actors.readpath.ReadError;
import io.mnemo.actors.readpath.ReadStreams;
import io.mnemo.actors.storegateway.StoreGatewayCommand;
import io.mnemo.actors.storegateway.StoreGatewayReply;
import io.mnemo.actors.storegateway.StoreGateways;
import io.mnemo.bucketstore.BucketBlockMeta;
import io.mnemo.cluster.BlockOwnership;
import io.mnemo.cluster.BlockOwnership.Gateway;
import io.mnemo.tsdb.MergeSeriesSet;
import io.mnemo.tsdb.SeriesSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Scheduler;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.stream.Materializer;

/**
 * The store-gateways' side of a query. For the query's time range it takes the tenant's blocks in
 * the bucket ({@link BlocksFinder}) that it needs: those overlapping the range, less those younger
 * than {@code ignore-blocks-within} (store-gateways do not load them; the ingesters answer for
 * them). It asks, in parallel, one owner of each block ({@link BlockOwnership}: reachable gateways
 * first, then its own zone's) for all the blocks it owns, and each gateway's reply names the blocks
 * it answers for. Then Mimir's consistency check: blocks no gateway answered for (it had not loaded
 * them, it did not answer, its stream broke off) are asked again of owners not tried yet for them,
 * and when none is left the query fails with 503 naming them: never an answer with a gap. Blocks
 * uploaded within the upload grace period (Mimir: three sync intervals) are asked for but not
 * required, as Mimir's check does: store-gateways may not have loaded them yet, and the ingesters
 * that shipped them keep them (and answer for them) for longer; for a block the compactor wrote,
 * at least three sync intervals, as the blocks it replaced are still served meanwhile; blocks the compactor replaced
 * (marked for deletion more than half of {@code ignore-deletion-marks-delay} ago) neither, as
 * the block that replaced them is required by then. A broken
 * stream's frames are dropped (and given back to the limits); a gateway is never read from twice
 * for one block.
 */
public final class StoreGatewayQuerier implements StoreQueryable {
    private final BlocksFinder finder;
    private final StoreGateways gateways;
    private final String ownZone;
    private final Duration ignoreBlocksWithin;
    private final Duration uploadGracePeriod;
    private final Duration timeout;
    private final MnemoMetrics metrics;
    private final Scheduler scheduler;
    private final Materializer materializer;
    private final LongSupplier clock;

    /**
     * @param ownZone            the zone whose gateways are asked first (the querier's own)
     * @param ignoreBlocksWithin the store-gateways' {@code ignore-blocks-within}
     * @param uploadGracePeriod  blocks uploaded this recently are asked for but not required: the
     *                           store-gateways may not have synced them yet, and the ingesters that
     *                           shipped them still hold and answer for them
     * @param timeout            how long a gateway may take to reply, or to send the next frame
     * @param clock              Unix time in ms
     */
    public StoreGatewayQuerier(BlocksFinder finder, StoreGateways gateways, String ownZone, Duration ignoreBlocksWithin,
                               Duration uploadGracePeriod, Duration timeout, MnemoMetrics metrics, Scheduler scheduler,
                               Materializer materializer, LongSupplier clock) {
        this.finder = finder;
        this.gateways = gateways;
        this.ownZone = ownZone;
        this.ignoreBlocksWithin = ignoreBlocksWithin;
        this.uploadGracePeriod = uploadGracePeriod;
        this.timeout = timeout;
        this.metrics = metrics;
        this.scheduler = scheduler;
        this.materializer = materializer;
        this.clock = clock;
    }

    @Override
    public CompletableFuture<SeriesSet> select(String tenant, long mint, long maxt, MatcherSpec[] matchers, boolean labelsOnly,
                                               QueryLimiter limiter, OpenStreams streams) {
        return read(tenant, mint, maxt, (blocks, replyTo) -> new StoreGatewayCommand.Select(tenant, mint, maxt, matchers,
                labelsOnly, blocks, replyTo), () -> new Answer.OfSeries(limiter, !labelsOnly), streams)
                .thenApply(answers -> MergeSeriesSet.merge(answers.stream().map(Answer.OfSeries::series).toList()));
    }

    @Override
    public CompletableFuture<List<String>> labels(String tenant, String name, long mint, long maxt, MatcherSpec[] matchers,
                                                  OpenStreams streams) {
        return read(tenant, mint, maxt, (blocks, replyTo) -> new StoreGatewayCommand.LabelQuery(tenant, name, mint, maxt,
                matchers, blocks, replyTo), Answer.OfStrings::new, streams)
                .thenApply(answers -> {
                    TreeSet<String> out = new TreeSet<>();
                    for (Answer.OfStrings a : answers) out.addAll(a.strings);
                    return new ArrayList<>(out);
                });
    }

    /**
     * The ULIDs of the blocks a query of [mint, maxt] asks for at {@code now}, those uploaded
     * within the grace period added to {@code grace} (asked for, but not required).
     */
    List<String> needed(String tenant, long mint, long maxt, long now, Set<String> grace) {
        List<String> out = new ArrayList<>();
        long youngest = now - ignoreBlocksWithin.toMillis();
        for (BlocksFinder.Known k : finder.blocks(tenant)) {
            BucketBlockMeta m = k.meta();
            if (!m.block().overlaps(mint, maxt)) continue;
            if (!ignoreBlocksWithin.isZero() && m.block().minTime() > youngest) continue;
            String id = m.block().ulid().toString();
            out.add(id);
            // A compacted block's sources are still served meanwhile (marked, not yet ignored): Mimir's
            // grace of three sync intervals, whatever the ingesters keep.
            long uploadGrace = BucketBlockMeta.COMPACTOR_SOURCE.equals(m.source())
                    ? Math.max(uploadGracePeriod.toMillis(), 3 * finder.refreshInterval().toMillis()) : uploadGracePeriod.toMillis();
            if (now - k.uploadedAt() < uploadGrace) grace.add(id);
            // Mimir's deletion grace: store-gateways may drop a marked block before this querier
            // stops asking for it; from half the delay on, the block that replaced it answers.
            if (k.deletionTime() >= 0 && now - k.deletionTime() * 1000 > finder.ignoreDeletionMarksDelay().toMillis() / 2) {
                grace.add(id);
            }
        }
        return out;
    }

    /** How a gateway is asked for some blocks. */
    @FunctionalInterface
    private interface Message {
        StoreGatewayCommand of(String[] blocks, ActorRef<StoreGatewayReply> replyTo);
    }

    /** One call: the blocks still to be answered for, who was tried for each and why they failed. */
    private final class Call<A extends Answer> {
        final String tenant;
        final Message message;
        final Supplier<A> newAnswer;
        final OpenStreams streams;
        final List<A> answers = new ArrayList<>();
        final Map<String, Set<Gateway>> tried = new HashMap<>();
        final Map<Gateway, String> refusals = new LinkedHashMap<>();
        /** Blocks uploaded within the grace period: asked for once, not required. */
        final Set<String> grace = new HashSet<>();

        Call(String tenant, Message message, Supplier<A> newAnswer, OpenStreams streams) {
            this.tenant = tenant;
            this.message = message;
            this.newAnswer = newAnswer;
            this.streams = streams;
        }
    }

    private <A extends Answer> CompletableFuture<List<A>> read(String tenant, long mint, long maxt, Message message,
                                                               Supplier<A> newAnswer, OpenStreams streams) {
        Call<A> call = new Call<>(tenant, message, newAnswer, streams);
        List<String> needed = needed(tenant, mint, maxt, clock.getAsLong(), call.grace);
        if (needed.isEmpty()) return CompletableFuture.completedFuture(List.of());
        metrics.querierBlocksConsistencyChecks.inc();
        return round(call, new TreeSet<>(needed)).thenApply(v -> {
            synchronized (call) {
                return List.copyOf(call.answers);
            }
        });
    }

    /**
     * Asks, for every block still missing, its best owner not tried for it yet, all at once; then
     * again for the blocks still missing, until none is (done) or one has no owner left (the
     * consistency check fails).
     */
    private <A extends Answer> CompletableFuture<Void> round(Call<A> call, Set<String> missing) {
        BlockOwnership ownership = gateways.ownership();
        Map<Gateway, List<String>> plan = new LinkedHashMap<>();
        List<String> unanswerable = new ArrayList<>();
        synchronized (call) {
            for (String block : missing) {
                Set<Gateway> tried = call.tried.computeIfAbsent(block, b -> new HashSet<>());
                Gateway next = null;
                for (Gateway g : candidates(ownership, block)) {
                    if (tried.contains(g)) continue;
                    if (gateways.ref(g) == null) {
                        tried.add(g);
                        call.refusals.putIfAbsent(g, "store-gateway " + g.address() + " is not registered");
                        continue;
                    }
                    next = g;
                    break;
                }
                if (next == null) {
                    // No owner left: a failure, unless the ingesters still answer for it (just uploaded).
                    if (!call.grace.contains(block)) unanswerable.add(block);
                } else {
                    tried.add(next);
                    plan.computeIfAbsent(next, g -> new ArrayList<>()).add(block);
                }
            }
        }
        if (!unanswerable.isEmpty()) return CompletableFuture.failedFuture(consistencyCheckFailed(call, unanswerable, ownership));
        List<CompletableFuture<Set<String>>> asks = new ArrayList<>(plan.size());
        plan.forEach((g, blocks) -> asks.add(ask(call, g, blocks)));
        return OpenStreams.all(asks).thenCompose(answered -> {
            Set<String> still = new TreeSet<>(missing);
            for (Set<String> a : answered) still.removeAll(a);
            still.removeAll(call.grace); // the ingesters that shipped them answer for them still
            if (still.isEmpty()) return CompletableFuture.<Void>completedFuture(null);
            if (call.streams.cancelled()) return CompletableFuture.<Void>failedFuture(new QueryCanceledBeforeAnswer());
            return round(call, still);
        });
    }

    /** The block's owners, best first: reachable before unreachable, this querier's zone before others. */
    private List<Gateway> candidates(BlockOwnership ownership, String block) {
        List<Gateway> owners = new ArrayList<>(ownership.owners(block));
        owners.sort(Comparator.comparingInt(g -> (gateways.reachable(g) ? 0 : 2) + (g.zone().equals(ownZone) ? 0 : 1)));
        return owners;
    }

    /**
     * Asks one gateway for some blocks; completes with those it answered for in full (none when
     * it did not answer, may not serve reads or its stream broke off: the reason is kept for the
     * error), or fails when the query must end (the query itself was refused, a limit, a cancellation).
     */
    private <A extends Answer> CompletableFuture<Set<String>> ask(Call<A> call, Gateway g, List<String> blocks) {
        String who = "store-gateway " + g.address();
        A answer = call.newAnswer.get();
        String[] asked = blocks.toArray(new String[0]);
        CompletableFuture<Set<String>> result = AskPattern.<StoreGatewayCommand, StoreGatewayReply>ask(gateways.ref(g),
                        replyTo -> call.message.of(asked, replyTo), timeout, scheduler)
                .toCompletableFuture()
                .thenCompose(reply -> {
                    if (reply.answer().error() != null) throw new ReadStreams.StoreFailedException(reply.answer().error());
                    Set<String> answered = new HashSet<>(List.of(reply.blocks()));
                    answered.retainAll(blocks);
                    return ReadStreams.collect(who, reply.answer(), timeout, answer::frame, call.streams::add, materializer)
                            .toCompletableFuture().thenApply(items -> answered);
                });
        return result.handle((answered, err) -> {
            if (err == null) {
                synchronized (call) {
                    call.answers.add(answer);
                }
                if (answered.size() < blocks.size()) {
                    synchronized (call) {
                        call.refusals.put(g, who + " has not loaded " + (blocks.size() - answered.size()) + " of the "
                                + blocks.size() + " blocks asked for");
                    }
                }
                return CompletableFuture.completedFuture(answered);
            }
            Throwable cause = OpenStreams.unwrap(err);
            if (call.streams.cancelled()) return CompletableFuture.<Set<String>>failedFuture(cause);
            String reason = retryReason(cause, who);
            if (reason == null) return CompletableFuture.<Set<String>>failedFuture(AttemptFailures.ending(cause));
            answer.discard();
            synchronized (call) {
                call.refusals.put(g, reason);
            }
            return CompletableFuture.completedFuture(Set.<String>of());
        }).thenCompose(f -> f);
    }

    /**
     * Why another replica is asked: as for ingesters, and also when the gateway failed on its own
     * (a block it cannot read now may be readable on another replica).
     */
    private String retryReason(Throwable cause, String who) {
        if (cause instanceof ReadStreams.StoreFailedException failed && failed.error().kind() == ReadError.Kind.INTERNAL) {
            return failed.error().message();
        }
        return AttemptFailures.retryReason(cause, who, timeout);
    }

    private BlocksUnavailableException consistencyCheckFailed(Call<?> call, List<String> blocks, BlockOwnership ownership) {
        metrics.querierBlocksConsistencyChecksFailed.inc();
        StringBuilder why = new StringBuilder();
        synchronized (call) {
            call.refusals.forEach((g, reason) -> why.append(why.length() == 0 ? "" : "; ").append(reason));
        }
        if (ownership.gateways().isEmpty()) why.append(why.length() == 0 ? "" : "; ").append("no store-gateway in the cluster");
        return new BlocksUnavailableException("failed to fetch some blocks (err-mnemo-store-consistency-check-failed):"
                + " consistency check failed because some blocks were not queried. The failed blocks are: "
                + String.join(" ", blocks) + " (tenant " + call.tenant + "; " + why + ")");
    }

    /** The call ended (deadline, another failure) while gateways were still asked: nothing more is. */
    private static final class QueryCanceledBeforeAnswer extends RuntimeException {
        QueryCanceledBeforeAnswer() {
            super("the query ended before the store-gateways answered", null, false, false);
        }
    }
}
