package io.mnemo.actors.ingester;

import io.mnemo.cluster.IngesterId;
import io.mnemo.cluster.IngesterShardAllocation;
import io.mnemo.cluster.JournalHomes;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.time.Duration;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.cluster.sharding.typed.ClusterShardingQuery;
import org.apache.pekko.cluster.sharding.typed.GetShardRegionState;
import org.apache.pekko.cluster.sharding.typed.ShardingEnvelope;
import org.apache.pekko.cluster.sharding.typed.ShardingMessageExtractor;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.Entity;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityRef;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;

/**
 * The sharded entity type of one zone's ingesters. Entity id and shard id are both the partition
 * number, so that each partition's ingester is placed on its own: back on the node that holds its
 * journal, evenly over the zone's ingester nodes ({@link IngesterShardAllocation}).
 */
public final class IngesterSharding {
    private final ActorSystem<?> system;
    private final ClusterSharding sharding;
    private final EntityTypeKey<IngesterCommand> typeKey;
    private final String zone;
    private final int partitions;

    private IngesterSharding(ActorSystem<?> system, String zone, int partitions) {
        this.system = system;
        this.sharding = ClusterSharding.get(system);
        this.typeKey = typeKey(zone);
        this.zone = zone;
        this.partitions = partitions;
    }

    public static EntityTypeKey<IngesterCommand> typeKey(String zone) {
        return EntityTypeKey.create(IngesterCommand.class, IngesterId.entityTypeName(zone));
    }

    /**
     * Starts the zone's entity type on this node: it hosts the zone's ingesters when it has the
     * zone's ingester role ({@code ingester-<zone>}), and is only a proxy to them otherwise (then
     * {@code deps} is never used and may be null). {@code homes} tells which node holds which
     * journal, for allocation.
     */
    public static IngesterSharding init(ActorSystem<?> system, String zone, int partitions, IngesterPartition.Deps deps,
                                        JournalHomes homes) {
        IngesterSharding s = new IngesterSharding(system, zone, partitions);
        s.sharding.init(Entity.of(s.typeKey, ctx -> IngesterPartition.create(
                        new IngesterId(zone, Integer.parseInt(ctx.getEntityId())), deps))
                .withMessageExtractor(new PartitionExtractor())
                .withStopMessage(new IngesterCommand.Leave())
                .withAllocationStrategy(new IngesterShardAllocation(zone, partitions, homes))
                .withRole(IngesterId.entityTypeName(zone)));
        return s;
    }

    public String zone() { return zone; }

    public int partitions() { return partitions; }

    public EntityRef<IngesterCommand> ingester(int partition) {
        return sharding.entityRefFor(typeKey, Integer.toString(partition));
    }

    /** Makes sure every partition's ingester of the zone is running. */
    public void wakeAll() {
        for (int p = 0; p < partitions; p++) ingester(p).tell(new IngesterCommand.Wake());
    }

    /** The partitions of this zone whose ingesters run on this node. */
    public CompletionStage<java.util.Set<Integer>> localPartitions(Duration timeout) {
        return AskPattern.<ClusterShardingQuery, org.apache.pekko.cluster.sharding.ShardRegion.CurrentShardRegionState>ask(
                        sharding.shardState(), replyTo -> new GetShardRegionState(typeKey, replyTo), timeout, system.scheduler())
                .thenApply(state -> {
                    java.util.Set<Integer> out = new java.util.TreeSet<>();
                    for (org.apache.pekko.cluster.sharding.ShardRegion.ShardState shard : state.getShards()) {
                        out.add(Integer.parseInt(shard.shardId()));
                    }
                    return out;
                });
    }

    /** Cuts the heads of this node's ingesters of the zone to blocks; a line per ingester. */
    public CompletionStage<List<IngesterCommand.FlushReply>> flushLocal(Duration timeout) {
        return localPartitions(Duration.ofSeconds(5)).thenCompose(local -> {
            List<CompletableFuture<IngesterCommand.FlushReply>> all = new ArrayList<>();
            for (int p : local) {
                all.add(ingester(p).<IngesterCommand.FlushReply>ask(IngesterCommand.Flush::new, timeout).toCompletableFuture());
            }
            return CompletableFuture.allOf(all.toArray(new CompletableFuture[0]))
                    .thenApply(v -> all.stream().map(CompletableFuture::join).toList());
        });
    }

    /**
     * Has this node's ingesters of the zone (all, or the one of {@code partition}) accept the loss
     * of records that neither their journal nor Kafka holds; a line per ingester asked.
     */
    public CompletionStage<List<IngesterCommand.AcceptDataLossReply>> acceptDataLoss(java.util.OptionalInt partition,
                                                                                     Duration timeout) {
        return localPartitions(Duration.ofSeconds(5)).thenCompose(local -> {
            List<CompletableFuture<IngesterCommand.AcceptDataLossReply>> all = new ArrayList<>();
            for (int p : local) {
                if (partition.isPresent() && partition.getAsInt() != p) continue;
                all.add(ingester(p).<IngesterCommand.AcceptDataLossReply>ask(IngesterCommand.AcceptDataLoss::new, timeout)
                        .toCompletableFuture());
            }
            return CompletableFuture.allOf(all.toArray(new CompletableFuture[0]))
                    .thenApply(v -> all.stream().map(CompletableFuture::join).toList());
        });
    }

    /** Status of the given partitions' ingesters. */
    public CompletionStage<List<IngesterCommand.IngesterStatus>> statuses(java.util.Collection<Integer> partitionIds,
                                                                          Duration timeout) {
        List<CompletableFuture<IngesterCommand.IngesterStatus>> all = new ArrayList<>();
        for (int p : partitionIds) {
            all.add(ingester(p).<IngesterCommand.IngesterStatus>ask(IngesterCommand.GetStatus::new, timeout)
                    .toCompletableFuture());
        }
        return CompletableFuture.allOf(all.toArray(new CompletableFuture[0]))
                .thenApply(v -> all.stream().map(CompletableFuture::join).toList());
    }

    /** Entity id and shard id are the partition number. */
    private static final class PartitionExtractor
            extends ShardingMessageExtractor<ShardingEnvelope<IngesterCommand>, IngesterCommand> {
        @Override
        public String entityId(ShardingEnvelope<IngesterCommand> envelope) {
            return envelope.entityId();
        }

        @Override
        public String shardId(String entityId) {
            return entityId;
        }

        @Override
        public IngesterCommand unwrapMessage(ShardingEnvelope<IngesterCommand> envelope) {
            return envelope.message();
        }
    }
}
