package io.mnemo.server;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueFactory;
import io.mnemo.actors.MnemoMetrics;
import io.mnemo.actors.MnemoSettings;
import io.mnemo.actors.TenantLimits;
import io.mnemo.actors.compactor.Compactor;
import io.mnemo.actors.compactor.TenantDeletion;
import io.mnemo.actors.distributor.Distributor;
import io.mnemo.actors.ingest.KafkaPartitionWriter;
import io.mnemo.actors.ingest.PartitionConsumer;
import io.mnemo.actors.ingest.PartitionOffsets;
import io.mnemo.actors.ingest.TopicReplicationWatch;
import io.mnemo.actors.ingester.IngesterCommand;
import io.mnemo.actors.ingester.IngesterPartition;
import io.mnemo.actors.ingester.IngesterSharding;
import io.mnemo.actors.ingester.RecoveryFailures;
import io.mnemo.actors.storage.BlocksStorage;
import io.mnemo.actors.warmup.KafkaPathWarmUp;
import io.mnemo.actors.warmup.WritePathWarmUp;
import io.mnemo.actors.querier.BlocksFinder;
import io.mnemo.actors.querier.IngesterQuerier;
import io.mnemo.actors.querier.MergingQuerier;
import io.mnemo.actors.querier.StoreGatewayQuerier;
import io.mnemo.actors.querier.TimeRouting;
import io.mnemo.actors.storegateway.ClusterStoreGateways;
import io.mnemo.actors.storegateway.StoreGateway;
import io.mnemo.actors.storegateway.StoreGatewayCommand;
import io.mnemo.actors.storegateway.SyncStatus;
import io.mnemo.bucketstore.BucketStoreConfig;
import io.mnemo.cluster.BlockOwnership;
import io.mnemo.cluster.CompactorMembers;
import io.mnemo.compactor.StreamingBlockMerger;
import io.mnemo.cluster.StoreGatewayMembers;
import io.mnemo.cluster.IngesterId;
import io.mnemo.cluster.JournalHomes;
import io.mnemo.cluster.JournalHomesKeeper;
import io.mnemo.cluster.Ring;
import io.mnemo.cluster.RingKeeper;
import io.mnemo.cluster.RingState;
import io.mnemo.cluster.RingView;
import io.mnemo.http.FlushReport;
import io.mnemo.http.MnemoRoutes;
import io.mnemo.http.Readiness;
import io.mnemo.objstore.Bucket;
import io.mnemo.objstore.Buckets;
import io.mnemo.server.kafka.EmbeddedKafka;
import io.mnemo.server.kafka.KafkaSetup;
import io.mnemo.server.kafka.Replication;
import io.mnemo.server.kafka.Topics;
import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.Done;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.ServerBinding;
import org.apache.pekko.management.cluster.bootstrap.ClusterBootstrap;
import org.apache.pekko.management.javadsl.PekkoManagement;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One Mnemo process: its actor system (a cluster member), its embedded Kafka broker (its own, or
 * its voter of the cluster's quorum) unless it uses brokers elsewhere, and the components its roles
 * call for, served over HTTP.
 */
public final class MnemoNode implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(MnemoNode.class);

    private final ActorSystem<Void> system;
    private final MnemoSettings settings;
    private final EmbeddedKafka kafka;
    private final ServerBinding binding;
    private final IngesterSharding ingesters;
    private final RecoveryFailures recoveryFailures;
    private final Ring ring;
    private final PartitionOffsets offsets;
    private final TopicReplicationWatch replication;
    private final CompletableFuture<Void> warmUp;
    private final CompletableFuture<KafkaPathWarmUp.Result> kafkaWarmUp;
    /** The store-gateway's syncs; null without the role. */
    private final SyncStatus storeGatewaySync;

    private MnemoNode(ActorSystem<Void> system, MnemoSettings settings, EmbeddedKafka kafka, ServerBinding binding,
                      IngesterSharding ingesters, RecoveryFailures recoveryFailures, Ring ring,
                      PartitionOffsets offsets, TopicReplicationWatch replication, CompletableFuture<Void> warmUp,
                      CompletableFuture<KafkaPathWarmUp.Result> kafkaWarmUp, SyncStatus storeGatewaySync) {
        this.system = system;
        this.settings = settings;
        this.kafka = kafka;
        this.binding = binding;
        this.ingesters = ingesters;
        this.recoveryFailures = recoveryFailures;
        this.ring = ring;
        this.offsets = offsets;
        this.replication = replication;
        this.warmUp = warmUp;
        this.kafkaWarmUp = kafkaWarmUp;
        this.storeGatewaySync = storeGatewaySync;
    }

    public static MnemoNode start(Config config) throws Exception {
        MnemoSettings settings = MnemoSettings.from(config);
        CompletableFuture<Void> warmUp = warmUp(settings, config.getDuration("mnemo.write-path-warm-up"));
        KafkaSetup kafkaSetup = KafkaSetup.from(config);
        EmbeddedKafka kafka = null;
        if (kafkaSetup.runsBroker()) {
            kafka = kafkaSetup.startBroker(settings.dataDir().resolve("kafka"));
            log.info("Embedded Kafka broker {} serving on {} (data in {})", kafka.nodeId(), kafka.bootstrapServers(),
                    settings.dataDir().resolve("kafka"));
        }
        String bootstrap = kafkaSetup.bootstrapServers(kafka);
        log.info("Kafka: {}; clients bootstrap from {}", kafkaSetup, bootstrap);
        Replication replication = kafkaSetup.replication();
        int partitions = Topics.ensureTopic(bootstrap, settings.topic(), settings.partitions(), replication,
                kafkaSetup.topicTimeout(),
                // A push becomes one record per partition: allow records as large as a push may be.
                java.util.Map.of("max.message.bytes", Integer.toString(64 << 20)));
        if (partitions != settings.partitions()) {
            config = ConfigFactory.empty().withValue("mnemo.kafka.partitions", ConfigValueFactory.fromAnyRef(partitions))
                    .withFallback(config);
            settings = MnemoSettings.from(config);
        }

        // The bucket blocks go to: opened before anything may ship or read blocks, closed at stop.
        Bucket bucket;
        try {
            bucket = Buckets.open(settings.blocksStorage());
        } catch (Exception e) {
            if (kafka != null) kafka.close();
            throw e;
        }
        log.info("Blocks storage: {}", bucket.describe());
        ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "mnemo", config);
        try {
            Cluster cluster = Cluster.get(system);
            // A node without seed nodes and without bootstrap forms a cluster of its own.
            if (config.getStringList("pekko.cluster.seed-nodes").isEmpty() && !config.getBoolean("mnemo.cluster.bootstrap")) {
                cluster.manager().tell(Join.create(cluster.selfMember().address()));
            }
            if (config.getBoolean("mnemo.management.enabled") || config.getBoolean("mnemo.cluster.bootstrap")) {
                PekkoManagement.get(system).start().toCompletableFuture().get(30, TimeUnit.SECONDS);
            }
            if (config.getBoolean("mnemo.cluster.bootstrap")) {
                ClusterBootstrap.get(system).start();
            }

            PrometheusRegistry registry = new PrometheusRegistry();
            JvmMetrics.builder().register(registry);
            MnemoMetrics metrics = new MnemoMetrics(registry);
            BlocksStorage blocksStorage = new BlocksStorage(bucket, settings.tsdbRetentionPeriod(), metrics);
            CoordinatedShutdown.get(system).addTask(CoordinatedShutdown.PhaseBeforeActorSystemTerminate(),
                    "mnemo-blocks-storage", () -> {
                        blocksStorage.close(); // the ingesters, which ship to it, have stopped
                        return CompletableFuture.completedFuture(Done.getInstance());
                    });
            TopicReplicationWatch replicationWatch = new TopicReplicationWatch(bootstrap, settings.topic(),
                    config.getDuration("mnemo.kafka.replication-refresh-interval"), registry).start();

            String node = cluster.selfMember().address().toString();
            Ring ring = new Ring(() -> unreachableNodes(system), settings.heartbeatTimeout());
            ActorRef<RingKeeper.Command> ringKeeper = system.systemActorOf(RingKeeper.create(ring), "ring-keeper", Props.empty());
            JournalHomes journalHomes = new JournalHomes();
            system.systemActorOf(JournalHomesKeeper.create(journalHomes,
                    Path.of(config.getString("mnemo.persistence.journal.dir")), Duration.ofSeconds(2)),
                    "journal-homes-keeper", Props.empty());
            PartitionOffsets offsets = new PartitionOffsets(bootstrap, settings.topic());
            RecoveryFailures recoveryFailures = new RecoveryFailures();
            IngesterPartition.Deps deps = new IngesterPartition.Deps(settings, metrics,
                    new PartitionConsumer(bootstrap, settings.topic(), settings.ingesterMaxBatchRecords(),
                            settings.ingesterMaxBatchWait()), offsets, node, ringKeeper, recoveryFailures, blocksStorage);
            Map<String, IngesterSharding> zones = new LinkedHashMap<>();
            for (String zone : settings.zones()) zones.put(zone, IngesterSharding.init(system, zone, partitions, deps, journalHomes));
            IngesterSharding ingesters = zones.get(settings.zone());
            // Only a distributor node writes to Kafka: others have no producer, and answer pushes 404.
            Distributor distributor = !settings.hasRole("distributor") ? null : new Distributor(settings, metrics,
                    new KafkaPartitionWriter(system, bootstrap, settings.produceTimeout()), Clock.systemUTC());
            CompletableFuture<KafkaPathWarmUp.Result> kafkaWarmUp = distributor == null
                    ? warmUp.thenApply(v -> null)
                    : warmUp.thenCompose(kafkaPathWarmUp(system, settings, distributor, bootstrap,
                        config.getString("mnemo.kafka.warm-up-topic"), replication,
                        config.getDuration("mnemo.kafka-path-warm-up")));
            CompletableFuture<Void> nodeWarmUp = kafkaWarmUp.thenApply(r -> null);
            org.apache.pekko.stream.Materializer materializer = org.apache.pekko.stream.Materializer.matFromSystem(system);
            MnemoSettings.BucketStoreSettings bucketStore = settings.bucketStore();
            ClusterStoreGateways clusterStoreGateways = new ClusterStoreGateways(system, settings.storeGatewayReplicationFactor());
            StoreGatewayQuerier storeGateways = new StoreGatewayQuerier(
                    new BlocksFinder(bucket, bucketStore.syncInterval(), bucketStore.ignoreDeletionMarksDelay(),
                            System::currentTimeMillis),
                    clusterStoreGateways, settings.zone(), bucketStore.ignoreBlocksWithin(),
                    // Mimir's upload grace: 3 sync intervals, while the ingesters still hold what they shipped.
                    min(bucketStore.syncInterval().multipliedBy(3), settings.tsdbRetentionPeriod()),
                    settings.ingesterQueryTimeout(), metrics, system.scheduler(), materializer, System::currentTimeMillis);
            MergingQuerier querier = new MergingQuerier(
                    new IngesterQuerier(zones, partitions, ring, settings.zone(), settings.ingesterQueryTimeout(), materializer),
                    storeGateways, new TimeRouting(settings.queryIngestersWithin(), settings.queryStoreAfter()),
                    settings.limits(), settings.queryTimeout(), Clock.systemUTC());
            SyncStatus storeGatewaySync = settings.hasRole(StoreGatewayMembers.ROLE) ? new SyncStatus() : null;

            MnemoSettings nodeSettings = settings;
            MnemoRoutes routes = new MnemoRoutes(settings, metrics, distributor, querier, ring, ringKeeper, offsets,
                    replicationWatch, node,
                    () -> ready(system, nodeSettings, ingesters, recoveryFailures, ring, nodeWarmUp, replicationWatch,
                            storeGatewaySync),
                    () -> flush(ingesters), partition -> ingesters.acceptDataLoss(partition, Duration.ofSeconds(10)),
                    clusterStoreGateways, storeGatewaySync, new TenantDeletion(bucket, Clock.systemUTC()),
                    system.dispatchers().lookup(org.apache.pekko.actor.typed.DispatcherSelector.blocking()));
            ServerBinding binding = Http.get(system)
                    .newServerAt(config.getString("mnemo.http.host"), config.getInt("mnemo.http.port"))
                    .bind(routes.routes())
                    .toCompletableFuture().get(30, TimeUnit.SECONDS);

            MnemoNode mnemo = new MnemoNode(system, settings, kafka, binding, ingesters, recoveryFailures, ring,
                    offsets, replicationWatch, nodeWarmUp, kafkaWarmUp, storeGatewaySync);
            CoordinatedShutdown.get(system).addTask(CoordinatedShutdown.PhaseServiceUnbind(), "mnemo-http-unbind",
                    () -> binding.unbind().thenApply(d -> Done.getInstance()));
            CoordinatedShutdown.get(system).addTask(CoordinatedShutdown.PhaseBeforeActorSystemTerminate(),
                    "mnemo-kafka-clients", () -> {
                        if (distributor != null) distributor.close();
                        offsets.close();
                        replicationWatch.close();
                        return CompletableFuture.completedFuture(Done.getInstance());
                    });
            if (storeGatewaySync != null) {
                // Up first: the blocks it owns follow from the Up store-gateways, itself among them.
                awaitUp(cluster, config.getDuration("mnemo.cluster.join-timeout"));
                startStoreGateway(system, settings, bucket, metrics, storeGatewaySync);
            }
            if (settings.hasRole(CompactorMembers.ROLE)) {
                awaitUp(cluster, config.getDuration("mnemo.cluster.join-timeout"));
                startCompactor(system, settings, bucket, metrics);
            }
            if (settings.hasRole("ingester")) {
                awaitUp(cluster, config.getDuration("mnemo.cluster.join-timeout"));
                ingesters.wakeAll();
                // Without remembered entities, a partition whose node died restarts on another
                // node only when messaged: keep waking them.
                org.apache.pekko.actor.Cancellable waking = system.scheduler().scheduleWithFixedDelay(
                        Duration.ofSeconds(5), Duration.ofSeconds(5), ingesters::wakeAll, system.executionContext());
                // Stop before the shard region's graceful shutdown: a wake-up for a partition already
                // handed off is buffered there, and a region with buffered messages waits out its
                // whole shutdown timeout instead of stopping once its shards are gone.
                CoordinatedShutdown.get(system).addTask(CoordinatedShutdown.PhaseBeforeServiceUnbind(), "mnemo-stop-waking",
                        () -> {
                            waking.cancel();
                            return CompletableFuture.completedFuture(Done.getInstance());
                        });
            }
            return mnemo;
        } catch (Exception e) {
            system.terminate();
            system.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
            bucket.close();
            if (kafka != null) kafka.close();
            throw e;
        }
    }

    /**
     * Runs this node's store-gateway over the node's bucket (shared with its shipper), and stops it
     * once the node has left the cluster (other nodes stop asking it as soon as it is leaving), before
     * the bucket closes.
     */
    private static void startStoreGateway(ActorSystem<Void> system, MnemoSettings settings, Bucket bucket,
                                          MnemoMetrics metrics, SyncStatus status) {
        Cluster cluster = Cluster.get(system);
        int replicationFactor = settings.storeGatewayReplicationFactor();
        MnemoSettings.BucketStoreSettings b = settings.bucketStore();
        ActorRef<StoreGatewayCommand> gateway = system.systemActorOf(StoreGateway.create(new StoreGateway.Deps(
                        new BlockOwnership.Gateway(cluster.selfMember().address().toString(), settings.zone()),
                        () -> StoreGatewayMembers.ownership(cluster.state().getMembers(), replicationFactor),
                        bucket, b.syncDir(), new BucketStoreConfig(b.ignoreBlocksWithin(), b.indexCacheBytes(),
                                b.chunksCacheBytes(), Clock.systemUTC(), b.ignoreDeletionMarksDelay()),
                        b.syncInterval(), true, metrics, status)),
                "store-gateway", Props.empty());
        CoordinatedShutdown.get(system).addTask(CoordinatedShutdown.PhaseClusterExitingDone(), "mnemo-stop-store-gateway",
                () -> org.apache.pekko.actor.typed.javadsl.AskPattern.<StoreGatewayCommand, Done>ask(gateway,
                        StoreGatewayCommand.Stop::new, Duration.ofSeconds(10), system.scheduler()));
    }

    /**
     * Runs this node's compactor over the node's bucket, merging with tsdb's streaming compactor,
     * and stops it once the node has left the cluster (its tenants have moved to other compactors
     * as soon as it started leaving), before the bucket closes.
     */
    private static void startCompactor(ActorSystem<Void> system, MnemoSettings settings, Bucket bucket, MnemoMetrics metrics) {
        Cluster cluster = Cluster.get(system);
        TenantLimits limits = settings.limits();
        ActorRef<Compactor.Command> compactor = system.systemActorOf(Compactor.create(new Compactor.Deps(
                        cluster.selfMember().address().toString(), () -> CompactorMembers.of(cluster.state().getMembers()),
                        bucket, settings.compactor(), new StreamingBlockMerger(), limits::compactorBlocksRetentionPeriod,
                        Clock.systemUTC(), metrics)),
                "compactor", Props.empty());
        CoordinatedShutdown.get(system).addTask(CoordinatedShutdown.PhaseClusterExitingDone(), "mnemo-stop-compactor",
                () -> org.apache.pekko.actor.typed.javadsl.AskPattern.<Compactor.Command, Done>ask(compactor,
                        Compactor.Stop::new, Duration.ofSeconds(10), system.scheduler()));
    }

    /**
     * Runs the write path's code on synthetic data while the node starts ({@link WritePathWarmUp}),
     * on a thread of its own; done at once when the node has neither write role or the budget is 0.
     */
    private static CompletableFuture<Void> warmUp(MnemoSettings settings, Duration budget) {
        if (budget.isZero() || !(settings.hasRole("distributor") || settings.hasRole("ingester"))) {
            return CompletableFuture.completedFuture(null);
        }
        CompletableFuture<Void> done = new CompletableFuture<>();
        Thread t = new Thread(() -> {
            try {
                WritePathWarmUp.Result r = WritePathWarmUp.run(budget, settings.partitions());
                log.info("Write path warmed up: {} synthetic samples of {} series in {} ms", r.samples(), r.series(),
                        r.took().toMillis());
            } catch (RuntimeException e) {
                log.warn("Write path warm-up failed (the node starts anyway): {}", e.toString());
            } finally {
                done.complete(null);
            }
        }, "mnemo-warm-up");
        t.setDaemon(true);
        t.start();
        return done;
    }

    /**
     * Once the in-process warm-up is done, runs {@link KafkaPathWarmUp} on a thread of its own; a
     * failure is logged and the node starts anyway (its pushes then say what is wrong with Kafka).
     */
    private static java.util.function.Function<Void, CompletableFuture<KafkaPathWarmUp.Result>> kafkaPathWarmUp(
            ActorSystem<?> system, MnemoSettings settings, Distributor distributor, String bootstrap, String topic,
            Replication replication, Duration budget) {
        return ignored -> {
            if (budget.isZero() || topic.isBlank()) return CompletableFuture.completedFuture(null);
            CompletableFuture<KafkaPathWarmUp.Result> done = new CompletableFuture<>();
            Thread t = new Thread(() -> {
                try {
                    int n = Topics.ensureTopic(bootstrap, topic, settings.partitions(), replication, Duration.ofSeconds(30),
                            Map.of("retention.ms", "600000", "segment.ms", "300000", "max.message.bytes", Integer.toString(64 << 20)));
                    if (n != settings.partitions()) {
                        log.warn("Kafka path warm-up skipped: topic {} has {} partitions, the ingest topic {}", topic, n,
                                settings.partitions());
                        return;
                    }
                    boolean readBack = settings.hasRole("ingester");
                    long[] from = new long[readBack ? n : 0];
                    try (PartitionOffsets offsets = new PartitionOffsets(bootstrap, topic)) {
                        for (int p = 0; p < from.length; p++) from[p] = offsets.endOffset(p).toCompletableFuture().get(30, TimeUnit.SECONDS);
                    }
                    KafkaPathWarmUp.Result r = KafkaPathWarmUp.run(system, distributor, topic,
                            new PartitionConsumer(bootstrap, topic, settings.ingesterMaxBatchRecords(), settings.ingesterMaxBatchWait()),
                            from, budget, Duration.ofSeconds(30));
                    log.info("Kafka path warmed up: {} synthetic samples written to {} and {} read back in {} ms", r.samplesWritten(),
                            topic, r.samplesReadBack(), r.took().toMillis());
                    done.complete(r);
                } catch (Exception e) {
                    log.warn("Kafka path warm-up failed (the node starts anyway): {}", e.toString());
                } finally {
                    done.complete(null); // no-op after a result
                }
            }, "mnemo-kafka-warm-up");
            t.setDaemon(true);
            t.start();
            return done;
        };
    }

    private static void awaitUp(Cluster cluster, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (cluster.selfMember().status() != MemberStatus.up()) {
            if (System.nanoTime() > deadline) throw new IllegalStateException("cluster member not Up after " + timeout);
            Thread.sleep(20); // polls a condition with a deadline
        }
    }

    /**
     * Ready when this node is an Up member, has warmed up its write path, if it has the distributor
     * role, Kafka can take writes (every partition has a leader and enough in-sync replicas), and,
     * if it has the ingester role, hosts ingesters, all ACTIVE (an ingester node with no partition
     * allocated yet is not ready), and this node's copy of the ring says so too: queriers route by
     * the ring, so a node that is ready serves reads of its partitions at once. An ingester whose
     * recovery failed is named with the failure from {@code failures}, without asking it (it may be
     * recovering again just then).
     */
    static CompletionStage<Readiness> ready(ActorSystem<?> system, MnemoSettings settings, IngesterSharding ingesters,
                                            RecoveryFailures failures, Ring ring, CompletableFuture<Void> warmUp,
                                            TopicReplicationWatch kafka, SyncStatus storeGateway) {
        MemberStatus status = Cluster.get(system).selfMember().status();
        if (status != MemberStatus.up()) {
            return CompletableFuture.completedFuture(Readiness.notReady("not an Up cluster member (" + status + ")"));
        }
        if (!warmUp.isDone()) return CompletableFuture.completedFuture(Readiness.notReady("warming up the write path"));
        if (settings.hasRole("distributor")) {
            var kafkaProblem = kafka.writeProblem();
            if (kafkaProblem.isPresent()) return CompletableFuture.completedFuture(Readiness.notReady(kafkaProblem.get()));
        }
        if (storeGateway != null) {
            var syncProblem = storeGateway.notReady();
            if (syncProblem.isPresent()) return CompletableFuture.completedFuture(Readiness.notReady(syncProblem.get()));
        }
        if (!settings.hasRole("ingester")) return CompletableFuture.completedFuture(Readiness.READY);
        Duration timeout = Duration.ofSeconds(2);
        return ingesters.localPartitions(timeout)
                .thenCompose(local -> {
                    if (local.isEmpty()) {
                        return CompletableFuture.completedFuture(Readiness.notReady("no ingester allocated to this node yet"));
                    }
                    List<String> failed = local.stream()
                            .flatMap(p -> failures.of(new IngesterId(ingesters.zone(), p)).stream())
                            .map(RecoveryFailures.Failure::reason).toList();
                    if (!failed.isEmpty()) return CompletableFuture.completedFuture(Readiness.notReady(String.join("; ", failed)));
                    return ingesters.statuses(local, timeout).thenApply(list -> readiness(list, ring.view()));
                })
                .exceptionally(e -> Readiness.notReady("ingesters did not answer: " + e));
    }

    /** Ready when every local ingester says it is ACTIVE and the ring, which queriers route by, agrees. */
    static Readiness readiness(List<IngesterCommand.IngesterStatus> local, RingView ring) {
        List<String> problems = local.stream().map(IngesterCommand.IngesterStatus::problem)
                .filter(java.util.Objects::nonNull).toList();
        if (!problems.isEmpty()) return Readiness.notReady(String.join("; ", problems));
        List<String> waiting = local.stream().filter(s -> s.state() != RingState.ACTIVE)
                .map(s -> s.id() + " " + s.state()).toList();
        if (!waiting.isEmpty()) return Readiness.notReady("ingesters not ACTIVE: " + String.join(", ", waiting));
        List<String> unseen = local.stream()
                .filter(s -> ring.member(s.id()).map(m -> m.effectiveState() != RingState.ACTIVE).orElse(true))
                .map(s -> s.id().toString()).toList();
        return unseen.isEmpty() ? Readiness.READY
                : Readiness.notReady("the ring does not show these ingesters ACTIVE yet: " + String.join(", ", unseen));
    }

    /** Cuts this node's heads to blocks and ships them; the report names each ingester and what it wrote and shipped. */
    static CompletionStage<FlushReport> flush(IngesterSharding ingesters) {
        return ingesters.flushLocal(Duration.ofMinutes(10)).thenApply(replies -> {
            StringBuilder sb = new StringBuilder();
            boolean failed = false;
            for (var r : replies) {
                failed |= r.error() != null;
                sb.append(r.from()).append(": ").append(r.blocks()).append(" blocks written, ").append(r.shipped())
                        .append(" shipped").append(r.error() == null ? "" : "; failed: " + r.error()).append('\n');
            }
            return new FlushReport(failed, sb.toString());
        });
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }

    private static Set<String> unreachableNodes(ActorSystem<?> system) {
        Set<String> out = new HashSet<>();
        for (Member m : Cluster.get(system).state().getUnreachable()) out.add(m.address().toString());
        return out;
    }

    public int httpPort() {
        InetSocketAddress a = binding.localAddress();
        return a.getPort();
    }

    public ActorSystem<Void> system() { return system; }

    public MnemoSettings settings() { return settings; }

    public String kafkaBootstrapServers() { return kafka == null ? null : kafka.bootstrapServers(); }

    /** What the Kafka path warm-up did; null when it was off, skipped or failed. */
    public CompletableFuture<KafkaPathWarmUp.Result> kafkaWarmUp() { return kafkaWarmUp; }

    public CompletionStage<Boolean> ready() {
        return ready(system, settings, ingesters, recoveryFailures, ring, warmUp, replication, storeGatewaySync)
                .thenApply(Readiness::ready);
    }

    /** Stops the node: HTTP, ingesters (cluster leave), Kafka clients, actor system, then the broker. */
    @Override
    public void close() throws Exception {
        CoordinatedShutdown.get(system).runAll(CoordinatedShutdown.unknownReason())
                .toCompletableFuture().get(60, TimeUnit.SECONDS);
        system.getWhenTerminated().toCompletableFuture().get(60, TimeUnit.SECONDS);
        if (kafka != null) kafka.close();
    }

    /** Completes when the actor system has terminated (e.g. after SIGTERM). */
    public CompletionStage<?> whenTerminated() {
        return system.getWhenTerminated();
    }

    public void closeKafka() {
        if (kafka != null) kafka.close();
    }
}
