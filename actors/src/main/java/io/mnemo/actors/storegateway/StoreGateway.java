package io.mnemo.actors.storegateway;

import io.mnemo.actors.MnemoMetrics;
import io.mnemo.actors.readpath.ReadStreams;
import io.mnemo.bucketstore.BucketStore;
import io.mnemo.bucketstore.BucketStoreConfig;
import io.mnemo.cluster.BlockOwnership;
import io.mnemo.cluster.BlockOwnership.Gateway;
import io.mnemo.cluster.StoreGatewayMembers;
import io.mnemo.objstore.Bucket;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.Supplier;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.actor.typed.receptionist.Receptionist;
import org.apache.pekko.actor.typed.receptionist.ServiceKey;
import org.apache.pekko.cluster.ClusterEvent;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Subscribe;
import org.apache.pekko.stream.Materializer;

/**
 * A store-gateway (Mimir's): serves the blocks in the bucket that it owns to queriers. Its
 * {@link BucketStore} keeps each owned block's index-header on local disk and reads postings,
 * series and chunks from the bucket by range, through bounded caches. Which blocks it owns follows
 * from the cluster's store-gateways ({@link BlockOwnership}, the same function queriers use), taken
 * afresh at each sync: every {@code syncInterval}, and shortly after the store-gateways of the
 * cluster change. Syncs run one at a time on Pekko's blocking-IO dispatcher; reads on the read
 * dispatcher ({@link StoreGatewayReads}); this actor only schedules both. It registers under
 * {@link #KEY} with the receptionist, where queriers find it.
 */
public final class StoreGateway {
    /** Where queriers find the store-gateways. */
    public static final ServiceKey<StoreGatewayCommand> KEY = ServiceKey.create(StoreGatewayCommand.class, "store-gateway");
    /** How long after a change of the store-gateways a sync starts, so that a burst of changes costs one. */
    static final Duration MEMBERSHIP_SETTLE = Duration.ofSeconds(1);

    /**
     * What a store-gateway needs.
     *
     * @param self         this gateway, as {@link StoreGatewayMembers} names it
     * @param ownership    the cluster's store-gateways now, asked at the start of every sync
     * @param syncDir      where index-headers live ({@code mnemo.blocks-storage.bucket-store.sync-dir})
     * @param watchCluster sync when the cluster's store-gateways change (false in tests without a cluster)
     * @param status       where its syncs are reported (readiness, status page)
     */
    public record Deps(Gateway self, Supplier<BlockOwnership> ownership, Bucket bucket, Path syncDir,
                       BucketStoreConfig config, Duration syncInterval, boolean watchCluster, MnemoMetrics metrics,
                       SyncStatus status) {}

    private final ActorContext<StoreGatewayCommand> ctx;
    private final TimerScheduler<StoreGatewayCommand> timers;
    private final Deps deps;
    private final OwnedBlocks owned;
    private final BucketStore store;
    private final StoreGatewayReads reads;
    private final Executor readExecutor;
    private final Executor syncExecutor;
    private boolean syncing;
    private boolean syncAgain;
    private boolean closed;

    public static Behavior<StoreGatewayCommand> create(Deps deps) {
        return Behaviors.setup(ctx -> Behaviors.withTimers(timers -> new StoreGateway(ctx, timers, deps).behavior()));
    }

    private StoreGateway(ActorContext<StoreGatewayCommand> ctx, TimerScheduler<StoreGatewayCommand> timers, Deps deps) {
        this.ctx = ctx;
        this.timers = timers;
        this.deps = deps;
        this.owned = new OwnedBlocks(deps.self());
        this.store = new BucketStore(deps.bucket(), deps.syncDir(), deps.config(), owned);
        deps.metrics().serving(store);
        String who = "store-gateway " + deps.self().address();
        this.reads = new StoreGatewayReads(store, who, deps.metrics().storeGatewayReadStreams,
                deps.metrics().storeGatewayReadStreamsCancelled, Materializer.matFromSystem(ctx.getSystem()));
        this.readExecutor = ctx.getSystem().dispatchers().lookup(DispatcherSelector.fromConfig(ReadStreams.READ_DISPATCHER));
        this.syncExecutor = ctx.getSystem().dispatchers().lookup(DispatcherSelector.blocking());
        ctx.getSystem().receptionist().tell(Receptionist.register(KEY, ctx.getSelf()));
        if (deps.watchCluster()) {
            Cluster.get(ctx.getSystem()).subscriptions().tell(Subscribe.create(
                    ctx.messageAdapter(ClusterEvent.MemberEvent.class, e -> new StoreGatewayCommand.MembersChanged(
                            e.member().hasRole(StoreGatewayMembers.ROLE))),
                    ClusterEvent.MemberEvent.class));
        }
        timers.startTimerWithFixedDelay("sync", new StoreGatewayCommand.Sync(), deps.syncInterval());
        ctx.getSelf().tell(new StoreGatewayCommand.Sync());
    }

    private Behavior<StoreGatewayCommand> behavior() {
        return Behaviors.receive(StoreGatewayCommand.class)
                .onMessage(StoreGatewayCommand.Select.class, c -> {
                    CompletableFuture.supplyAsync(() -> reads.select(c), readExecutor).thenCompose(r -> r).thenAccept(c.replyTo()::tell);
                    return Behaviors.same();
                })
                .onMessage(StoreGatewayCommand.LabelQuery.class, c -> {
                    CompletableFuture.supplyAsync(() -> reads.labels(c), readExecutor).thenCompose(r -> r).thenAccept(c.replyTo()::tell);
                    return Behaviors.same();
                })
                .onMessage(StoreGatewayCommand.Sync.class, c -> {
                    sync();
                    return Behaviors.same();
                })
                .onMessage(StoreGatewayCommand.MembersChanged.class, c -> {
                    if (c.storeGateway()) timers.startSingleTimer("membership", new StoreGatewayCommand.Sync(), MEMBERSHIP_SETTLE);
                    return Behaviors.same();
                })
                .onMessage(StoreGatewayCommand.Synced.class, this::onSynced)
                .onMessage(StoreGatewayCommand.Stop.class, c -> {
                    close();
                    c.replyTo().tell(org.apache.pekko.Done.getInstance());
                    return Behaviors.stopped();
                })
                .onSignal(PostStop.class, s -> {
                    close();
                    return Behaviors.same();
                })
                .build();
    }

    private void close() {
        if (closed) return;
        closed = true;
        reads.stop();
        store.close();
    }

    /** Starts a sync, or asks for another once the one running ends. */
    private void sync() {
        if (closed) return;
        if (syncing) {
            syncAgain = true;
            return;
        }
        syncing = true;
        owned.update(deps.ownership().get());
        long start = System.nanoTime();
        ctx.pipeToSelf(CompletableFuture.supplyAsync(() -> {
            try {
                return store.sync();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }, syncExecutor), (result, failure) -> new StoreGatewayCommand.Synced(result, System.nanoTime() - start, failure));
    }

    private Behavior<StoreGatewayCommand> onSynced(StoreGatewayCommand.Synced s) {
        syncing = false;
        MnemoMetrics m = deps.metrics();
        m.bucketStoreSyncSeconds.observe(s.nanos() / 1e9);
        if (s.failure() != null) {
            Throwable cause = s.failure() instanceof java.util.concurrent.CompletionException c && c.getCause() != null
                    ? c.getCause() : s.failure();
            m.bucketStoreSyncFailures.inc();
            deps.status().failed(cause.toString());
            if (cause instanceof IOException || cause instanceof UncheckedIOException) {
                ctx.getLog().warn("Store-gateway sync of {} failed (next in {}): {}", deps.bucket().describe(),
                        deps.syncInterval(), cause.toString());
            } else {
                ctx.getLog().error("Store-gateway sync of {} failed (next in {})", deps.bucket().describe(),
                        deps.syncInterval(), cause);
            }
        } else {
            BucketStore.SyncResult r = s.result();
            m.bucketStoreBlockLoads.inc(r.loaded());
            m.bucketStoreBlockLoadFailures.inc(r.failed());
            m.bucketStoreBlockDrops.inc(r.dropped());
            m.bucketStoreBlocksLoaded.set(r.blocks());
            Instant now = Instant.now();
            m.bucketStoreLastSuccessfulSync.set(now.toEpochMilli() / 1000.0);
            java.util.List<SyncStatus.LoadedBlock> loaded = new java.util.ArrayList<>();
            for (String tenant : store.tenants()) {
                for (var meta : store.loaded(tenant)) {
                    var b = meta.block();
                    loaded.add(new SyncStatus.LoadedBlock(tenant, b.ulid().toString(), b.minTime(), b.maxTime(),
                            b.numSeries(), b.numSamples()));
                }
            }
            deps.status().succeeded(now, loaded);
            ctx.getLog().debug("Store-gateway synced {} in {} ms: {}", deps.bucket().describe(), s.nanos() / 1_000_000, r);
        }
        if (syncAgain) {
            syncAgain = false;
            sync();
        }
        return Behaviors.same();
    }

    /** The blocks this gateway owns, by the ownership taken at the start of the current sync. */
    static final class OwnedBlocks implements BucketStore.BlockFilter {
        private final Gateway self;
        private volatile BlockOwnership ownership;

        OwnedBlocks(Gateway self) {
            this.self = self;
            this.ownership = new BlockOwnership(java.util.List.of(self), 1);
        }

        void update(BlockOwnership ownership) {
            this.ownership = ownership;
        }

        @Override
        public boolean owns(String tenant, io.mnemo.bucketstore.BucketBlockMeta meta) {
            return ownership.owns(self, meta.block().ulid().toString());
        }
    }
}
