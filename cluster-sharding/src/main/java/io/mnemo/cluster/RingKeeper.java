package io.mnemo.cluster;

import io.mnemo.persistence.MnemoSerializable;
import java.util.HashMap;
import java.util.Map;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.ddata.Key;
import org.apache.pekko.cluster.ddata.LWWMap;
import org.apache.pekko.cluster.ddata.LWWMapKey;
import org.apache.pekko.cluster.ddata.SelfUniqueAddress;
import org.apache.pekko.cluster.ddata.typed.javadsl.DistributedData;
import org.apache.pekko.cluster.ddata.typed.javadsl.Replicator;
import org.apache.pekko.cluster.ddata.typed.javadsl.ReplicatorMessageAdapter;

/**
 * Replicates the ring to every node with Pekko Distributed Data: one last-writer-wins map from
 * ingester ("zone/partition") to its latest report. Each node's keeper writes the reports of the
 * ingesters it hosts and keeps the node's {@link Ring} copy current from the replicated map.
 */
public final class RingKeeper {
    public static final Key<LWWMap<String, IngesterDesc>> KEY = LWWMapKey.create("mnemo-ingester-ring");

    public sealed interface Command extends MnemoSerializable {}

    /** An ingester hosted on this node reports its state. */
    public record Heartbeat(IngesterDesc desc) implements Command {}

    /** Removes an ingester's entry (operators forget UNHEALTHY ingesters that will not return). */
    public record Forget(IngesterId id, ActorRef<Boolean> replyTo) implements Command {}

    private record Changed(Replicator.SubscribeResponse<LWWMap<String, IngesterDesc>> response) implements Command {}

    private record Updated(Replicator.UpdateResponse<LWWMap<String, IngesterDesc>> response) implements Command {}

    private RingKeeper() {}

    public static Behavior<Command> create(Ring ring) {
        return Behaviors.setup(ctx -> DistributedData.withReplicatorMessageAdapter(
                (ReplicatorMessageAdapter<Command, LWWMap<String, IngesterDesc>> replicator) -> {
                    SelfUniqueAddress self = DistributedData.get(ctx.getSystem()).selfUniqueAddress();
                    replicator.subscribe(KEY, Changed::new);
                    Map<String, IngesterDesc> local = new HashMap<>();
                    Map<String, Long> resumedAt = new HashMap<>();
                    return Behaviors.receive(Command.class)
                            .onMessage(Heartbeat.class, hb -> {
                                // Where this incarnation resumed is in its first JOINING report only.
                                if (hb.desc().justRecovered()) resumedAt.put(hb.desc().key(), hb.desc().nextOffset());
                                IngesterDesc desc = hb.desc().withResumedOffset(
                                        resumedAt.getOrDefault(hb.desc().key(), -1L));
                                local.put(desc.key(), desc);
                                ring.put(desc);
                                replicator.askUpdate(replyTo -> new Replicator.Update<>(KEY, LWWMap.empty(),
                                        Replicator.writeLocal(), replyTo, map -> map.put(self, desc.key(), desc)), Updated::new);
                                return Behaviors.same();
                            })
                            .onMessage(Forget.class, f -> {
                                String key = f.id().zone() + "/" + f.id().partition();
                                local.remove(key);
                                ring.remove(key);
                                replicator.askUpdate(replyTo -> new Replicator.Update<>(KEY, LWWMap.empty(),
                                        Replicator.writeLocal(), replyTo, map -> map.remove(self, key)), Updated::new);
                                f.replyTo().tell(true);
                                return Behaviors.same();
                            })
                            .onMessage(Changed.class, c -> {
                                if (c.response() instanceof Replicator.Changed<LWWMap<String, IngesterDesc>> changed) {
                                    ring.replaceAll(changed.get(KEY).getEntries(), local);
                                }
                                return Behaviors.same();
                            })
                            .onMessage(Updated.class, u -> Behaviors.same())
                            .build();
                }));
    }
}
