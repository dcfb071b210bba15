package io.mnemo.cluster;

import io.mnemo.persistence.MnemoSerializable;
import java.nio.file.Path;
import java.time.Duration;
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
 * Announces which ingester journals this node holds on disk, and keeps the node's
 * {@link JournalHomes} copy of every node's announcement current, with Distributed Data: a
 * last-writer-wins map from node address to {@link NodeJournals}. The journal directory is
 * scanned at start and then every {@code interval}; the entry is written again when the scan
 * changed or the replicated map does not show it (yet).
 */
public final class JournalHomesKeeper {
    public static final Key<LWWMap<String, NodeJournals>> KEY = LWWMapKey.create("mnemo-journal-homes");

    public sealed interface Command extends MnemoSerializable {}

    private record Scan() implements Command {}

    private record Changed(Replicator.SubscribeResponse<LWWMap<String, NodeJournals>> response) implements Command {}

    private record Updated(Replicator.UpdateResponse<LWWMap<String, NodeJournals>> response) implements Command {}

    private JournalHomesKeeper() {}

    public static Behavior<Command> create(JournalHomes homes, Path journalDir, Duration interval) {
        return Behaviors.setup(ctx -> Behaviors.withTimers(timers -> DistributedData.withReplicatorMessageAdapter(
                (ReplicatorMessageAdapter<Command, LWWMap<String, NodeJournals>> replicator) -> {
                    SelfUniqueAddress self = DistributedData.get(ctx.getSystem()).selfUniqueAddress();
                    String node = self.uniqueAddress().address().toString();
                    long uid = self.uniqueAddress().longUid();
                    replicator.subscribe(KEY, Changed::new);
                    timers.startTimerWithFixedDelay(new Scan(), Duration.ZERO, interval);
                    return Behaviors.receive(Command.class)
                            .onMessage(Scan.class, s -> {
                                NodeJournals mine = new NodeJournals(node, uid, NodeJournals.scan(journalDir));
                                if (!mine.equals(homes.get(node))) {
                                    homes.put(mine);
                                    replicator.askUpdate(replyTo -> new Replicator.Update<>(KEY, LWWMap.empty(),
                                            Replicator.writeLocal(), replyTo, map -> map.put(self, node, mine)), Updated::new);
                                }
                                return Behaviors.same();
                            })
                            .onMessage(Changed.class, c -> {
                                if (c.response() instanceof Replicator.Changed<LWWMap<String, NodeJournals>> changed) {
                                    homes.replaceAll(changed.get(KEY).getEntries());
                                }
                                return Behaviors.same();
                            })
                            .onMessage(Updated.class, u -> Behaviors.same())
                            .build();
                })));
    }
}
