package io.mnemo.actors.ingester;

import io.mnemo.cluster.IngesterId;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.time.Duration;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.sharding.typed.ShardingEnvelope;
import org.apache.pekko.cluster.sharding.typed.ShardingMessageExtractor;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.Entity;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityRef;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;

/**
 * The sharded entity type of one zone's ingesters. Entity id and shard id are both the partition
 * number, so that each partition's ingester is placed on its own, and allocation can later be
 * made sticky per partition.
 */
public final class IngesterSharding {
    private final ClusterSharding sharding;
    private final EntityTypeKey<IngesterCommand> typeKey;
    private final String zone;
    private final int partitions;

    private IngesterSharding(ActorSystem<?> system, String zone, int partitions) {
        this.sharding = ClusterSharding.get(system);
        this.typeKey = typeKey(zone);
        this.zone = zone;
        this.partitions = partitions;
    }

    public static EntityTypeKey<IngesterCommand> typeKey(String zone) {
        return EntityTypeKey.create(IngesterCommand.class, IngesterId.entityTypeName(zone));
    }

    /** Hosts the zone's ingester entities on this node (a node with the ingester role). */
    public static IngesterSharding host(ActorSystem<?> system, String zone, int partitions, IngesterPartition.Deps deps) {
        IngesterSharding s = new IngesterSharding(system, zone, partitions);
        s.sharding.init(Entity.of(s.typeKey, ctx -> IngesterPartition.create(
                        new IngesterId(zone, Integer.parseInt(ctx.getEntityId())), deps))
                .withMessageExtractor(new PartitionExtractor())
                .withRole("ingester"));
        return s;
    }

    /** Reaches the zone's ingesters from a node that does not host them (a proxy). */
    public static IngesterSharding proxy(ActorSystem<?> system, String zone, int partitions) {
        IngesterSharding s = new IngesterSharding(system, zone, partitions);
        // On a node without the ingester role, init only starts a proxy: the factory never runs.
        s.sharding.init(Entity.<IngesterCommand>of(s.typeKey, ctx -> {
                    throw new IllegalStateException("ingesters run only on nodes with the ingester role");
                })
                .withMessageExtractor(new PartitionExtractor())
                .withRole("ingester"));
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

    /** Status of every ingester of the zone, in partition order. */
    public CompletionStage<List<IngesterCommand.IngesterStatus>> statuses(Duration timeout) {
        List<CompletableFuture<IngesterCommand.IngesterStatus>> all = new ArrayList<>();
        for (int p = 0; p < partitions; p++) {
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
