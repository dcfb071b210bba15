package io.mnemo.actors.compactor;

import io.mnemo.actors.MnemoMetrics;
import io.mnemo.bucketstore.BucketLayout;
import io.mnemo.cluster.CompactorMembers;
import io.mnemo.compactor.BlockMerger;
import io.mnemo.compactor.BlocksCleaner;
import io.mnemo.compactor.CompactorConfig;
import io.mnemo.compactor.TenantCompaction;
import io.mnemo.objstore.Bucket;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.Function;
import java.util.function.Supplier;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A node's compactor (Mimir's): every {@code compaction-interval} it runs a
 * {@link TenantCompaction} pass over each tenant in the bucket that it owns, and every
 * {@code cleanup-interval} the {@link BlocksCleaner} over them. Which tenants it owns follows from
 * the cluster's compactors ({@link CompactorMembers}), asked afresh before each tenant, so a tenant
 * moves to another compactor as soon as its owner stops being an Up member.
 *
 * <p>All work runs on Pekko's blocking-IO dispatcher, one job at a time (a compaction pass over the
 * owned tenants, or a cleanup over them): the cleaner and the compaction both rewrite a tenant's
 * bucket index, and one at a time neither writes an index the other has just made stale. A tick
 * that comes while a job runs is kept and run after it (once, however many ticks came). This actor
 * only schedules.
 */
public final class Compactor {
    private static final Logger log = LoggerFactory.getLogger(Compactor.class);
    /** After start, how long before the first cleanup and compaction: the cluster's members are known by then. */
    static final Duration FIRST_RUN_DELAY = Duration.ofSeconds(2);

    public sealed interface Command {}

    private record Compact() implements Command {}

    private record Cleanup() implements Command {}

    private record JobDone(String job, Throwable failure) implements Command {}

    /** Stops scheduling; a job running ends at its next tenant. Replies at once. */
    public record Stop(ActorRef<Done> replyTo) implements Command {}

    /**
     * What a compactor needs.
     *
     * @param self      this node's address, as {@link CompactorMembers} names it
     * @param members   the cluster's compactors now
     * @param retention a tenant's {@code compactor-blocks-retention-period} (zero: forever)
     */
    public record Deps(String self, Supplier<CompactorMembers> members, Bucket bucket, CompactorConfig config,
                       BlockMerger merger, Function<String, Duration> retention, Clock clock, MnemoMetrics metrics) {}

    private final ActorContext<Command> ctx;
    private final Deps deps;
    private final TenantCompaction compaction;
    private final BlocksCleaner cleaner;
    private final Executor executor;
    private volatile boolean stopping;
    private boolean busy;
    private boolean compactPending;
    private boolean cleanupPending;

    public static Behavior<Command> create(Deps deps) {
        return Behaviors.setup(ctx -> Behaviors.withTimers(timers -> new Compactor(ctx, timers, deps).behavior()));
    }

    private Compactor(ActorContext<Command> ctx, TimerScheduler<Command> timers, Deps deps) {
        this.ctx = ctx;
        this.deps = deps;
        var metrics = deps.metrics().compactor();
        BlockMerger merger = counted(deps.merger(), deps.metrics());
        this.compaction = new TenantCompaction(deps.bucket(), deps.config(), merger, deps.clock(), metrics);
        this.cleaner = new BlocksCleaner(deps.bucket(), deps.config(), deps.retention(), deps.clock(), metrics);
        this.executor = ctx.getSystem().dispatchers().lookup(DispatcherSelector.blocking());
        timers.startTimerWithFixedDelay("cleanup", new Cleanup(), FIRST_RUN_DELAY, deps.config().cleanupInterval());
        timers.startTimerWithFixedDelay("compact", new Compact(), FIRST_RUN_DELAY, deps.config().compactionInterval());
    }

    /** The merger, with the merges running counted and logged (what a kill test waits for). */
    private static BlockMerger counted(BlockMerger merger, MnemoMetrics metrics) {
        return (blocks, outDir) -> {
            metrics.compactorMergesRunning.inc();
            log.info("Compactor: merge of {} blocks started", blocks.size());
            try {
                return merger.merge(blocks, outDir);
            } finally {
                metrics.compactorMergesRunning.dec();
            }
        };
    }

    private Behavior<Command> behavior() {
        return Behaviors.receive(Command.class)
                .onMessage(Compact.class, c -> {
                    compactPending = true;
                    next();
                    return Behaviors.same();
                })
                .onMessage(Cleanup.class, c -> {
                    cleanupPending = true;
                    next();
                    return Behaviors.same();
                })
                .onMessage(JobDone.class, d -> {
                    busy = false;
                    if (d.failure() != null) log.warn("Compactor {} failed (tried again next time): {}", d.job(), d.failure().toString());
                    next();
                    return Behaviors.same();
                })
                .onMessage(Stop.class, s -> {
                    stopping = true;
                    s.replyTo().tell(Done.getInstance());
                    return Behaviors.stopped();
                })
                .build();
    }

    /** Starts the pending job, cleanup first (it brings the index up to date), unless one runs. */
    private void next() {
        if (busy || stopping) return;
        String job;
        Runnable work;
        if (cleanupPending) {
            cleanupPending = false;
            job = "cleanup";
            work = () -> forOwnedTenants("cleanup", cleaner::clean);
        } else if (compactPending) {
            compactPending = false;
            job = "compaction";
            work = () -> forOwnedTenants("compaction", compaction::run);
        } else {
            return;
        }
        busy = true;
        ctx.pipeToSelf(CompletableFuture.runAsync(work, executor), (ok, failure) -> new JobDone(job, failure));
    }

    @FunctionalInterface
    private interface TenantJob {
        Object run(String tenant) throws IOException;
    }

    /** Runs the job over every tenant in the bucket this compactor owns, one after the other; a tenant's failure is logged and counted by the job. */
    private void forOwnedTenants(String job, TenantJob work) {
        List<String> tenants;
        try {
            tenants = BucketLayout.tenants(deps.bucket());
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("listing the tenants of " + deps.bucket().describe(), e);
        }
        for (String tenant : tenants) {
            if (stopping) return;
            if (!deps.members().get().owns(deps.self(), tenant)) continue;
            try {
                work.run(tenant);
            } catch (IOException | RuntimeException e) {
                log.warn("Compactor: {} of tenant {} failed, tried again next time: {}", job, tenant, e.toString());
            }
        }
    }
}
