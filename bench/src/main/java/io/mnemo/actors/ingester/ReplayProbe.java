package io.mnemo.actors.ingester;

import io.mnemo.cluster.IngesterId;
import io.mnemo.persistence.journal.ReplayFlowControl;
import io.mnemo.persistence.snapshot.PagedSnapshot;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.RecoveryCompleted;
import org.apache.pekko.persistence.typed.javadsl.CommandHandler;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehavior;
import org.apache.pekko.persistence.typed.javadsl.SignalHandler;

/**
 * For the recovery benchmark (it lives in the ingester's package to reach its package-private
 * state): an event-sourced entity that recovers exactly as an ingester does — the Mnemo journal
 * plugin replays {@link BatchConsumed} events, each applied to a {@link PartitionTsdb} — and
 * reports the recovered state, or writes events when sent them.
 */
public final class ReplayProbe extends EventSourcedBehavior<ReplayProbe.Append, BatchConsumed, PartitionState> {
    /** Persist this event, then complete {@code done}. */
    public record Append(BatchConsumed event, CompletableFuture<Void> done) {}

    /** What recovery built, and its encoded snapshot codec round trip. */
    public static final class Recovered {
        public final long series;
        public final long nextOffset;
        private final PartitionState state;

        Recovered(PartitionState state) {
            this.state = state;
            this.series = state.tsdb.numSeries();
            this.nextOffset = state.nextOffset;
        }

        /** The ingester snapshot of the recovered state, encoded. */
        public PagedSnapshot encodeSnapshot() {
            return PartitionSnapshotCodec.encode(state, java.util.List.of());
        }

        /** Restores encoded snapshot bytes into a fresh ingester state; returns its series. */
        public static long restoreSnapshot(PagedSnapshot snapshot, Path tsdbDir, long blockRange) {
            PartitionState s = new PartitionState(new PartitionTsdb(new IngesterId("bench", 0), tsdbDir, blockRange));
            PartitionSnapshotCodec.decode(snapshot, s);
            return s.tsdb.numSeries();
        }
    }

    private final org.apache.pekko.actor.ActorSystem system;
    private final Path tsdbDir;
    private final long blockRange;
    private final CompletableFuture<Recovered> recovered;

    public static Behavior<Append> create(String persistenceId, Path tsdbDir, long blockRange,
                                          CompletableFuture<Recovered> recovered) {
        return org.apache.pekko.actor.typed.javadsl.Behaviors.setup(ctx -> new ReplayProbe(
                org.apache.pekko.actor.typed.javadsl.Adapter.toClassic(ctx.getSystem()), persistenceId, tsdbDir, blockRange, recovered));
    }

    private ReplayProbe(org.apache.pekko.actor.ActorSystem system, String persistenceId, Path tsdbDir, long blockRange,
                        CompletableFuture<Recovered> recovered) {
        super(PersistenceId.ofUniqueId(persistenceId));
        this.system = system;
        this.tsdbDir = tsdbDir;
        this.blockRange = blockRange;
        this.recovered = recovered;
    }

    @Override
    public String journalPluginId() {
        return "mnemo.persistence.journal";
    }

    @Override
    public PartitionState emptyState() {
        flow().register(persistenceId().id(), 256L << 20); // as the ingester paces its replay
        return new PartitionState(new PartitionTsdb(new IngesterId("bench", 0), tsdbDir, blockRange));
    }

    @Override
    public CommandHandler<Append, BatchConsumed, PartitionState> commandHandler() {
        return newCommandHandlerBuilder().forAnyState()
                .onCommand(Append.class, (s, c) -> Effect().persist(c.event()).thenRun(x -> c.done().complete(null)))
                .build();
    }

    @Override
    public EventHandler<PartitionState, BatchConsumed> eventHandler() {
        return newEventHandlerBuilder().forAnyState().onEvent(BatchConsumed.class, (s, e) -> {
            s.tsdb.apply(e);
            s.nextOffset = e.lastOffset() + 1;
            flow().applied(persistenceId().id());
            return s;
        }).build();
    }

    @Override
    public SignalHandler<PartitionState> signalHandler() {
        return newSignalHandlerBuilder().onSignal(RecoveryCompleted.instance(), s -> {
            flow().unregister(persistenceId().id());
            recovered.complete(new Recovered(s));
        }).build();
    }

    private ReplayFlowControl flow() {
        return ReplayFlowControl.get(system);
    }
}
