package io.mnemo.bench;

import io.mnemo.actors.ingester.BatchConsumed;
import io.mnemo.actors.ingester.PartitionReplay;
import io.mnemo.cluster.IngesterId;
import io.mnemo.persistence.journal.ReplayFlowControl;
import io.mnemo.persistence.snapshot.PagedSnapshot;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.RecoveryCompleted;
import org.apache.pekko.persistence.typed.javadsl.CommandHandler;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehavior;
import org.apache.pekko.persistence.typed.javadsl.SignalHandler;

/**
 * For the recovery benchmark: an event-sourced entity that recovers as an ingester does — the
 * Mnemo journal plugin replays {@link BatchConsumed} events, paced as the ingester paces them, each
 * applied by {@link PartitionReplay} as the ingester applies it — and reports the recovered state,
 * or writes events when sent them.
 */
final class ReplayProbe extends EventSourcedBehavior<ReplayProbe.Append, BatchConsumed, PartitionReplay> {
    private static final IngesterId ID = new IngesterId("bench", 0);

    /** Persist this event, then complete {@code done}. */
    record Append(BatchConsumed event, CompletableFuture<Void> done) {}

    /** What recovery built. */
    static final class Recovered {
        final long series;
        final long nextOffset;
        private final PartitionReplay state;

        Recovered(PartitionReplay state) {
            this.state = state;
            this.series = state.series();
            this.nextOffset = state.nextOffset();
        }

        /** The ingester snapshot of the recovered state, encoded. */
        PagedSnapshot encodeSnapshot() {
            return state.snapshot();
        }

        /** Restores encoded snapshot bytes into a fresh ingester state; returns its series. */
        static long restoreSnapshot(PagedSnapshot snapshot, Path tsdbDir, long blockRange) {
            PartitionReplay s = PartitionReplay.open(ID, tsdbDir, blockRange);
            s.restore(snapshot);
            return s.series();
        }
    }

    private final org.apache.pekko.actor.ActorSystem system;
    private final Path tsdbDir;
    private final long blockRange;
    private final CompletableFuture<Recovered> recovered;

    static Behavior<Append> create(String persistenceId, Path tsdbDir, long blockRange, CompletableFuture<Recovered> recovered) {
        return Behaviors.setup(ctx -> new ReplayProbe(Adapter.toClassic(ctx.getSystem()), persistenceId, tsdbDir, blockRange,
                recovered));
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
    public PartitionReplay emptyState() {
        flow().register(persistenceId().id(), 256L << 20); // as the ingester paces its replay
        return PartitionReplay.open(ID, tsdbDir, blockRange);
    }

    @Override
    public CommandHandler<Append, BatchConsumed, PartitionReplay> commandHandler() {
        return newCommandHandlerBuilder().forAnyState()
                .onCommand(Append.class, (s, c) -> Effect().persist(c.event()).thenRun(x -> c.done().complete(null)))
                .build();
    }

    @Override
    public EventHandler<PartitionReplay, BatchConsumed> eventHandler() {
        return newEventHandlerBuilder().forAnyState().onEvent(BatchConsumed.class, (s, e) -> {
            s.apply(e);
            flow().applied(persistenceId().id());
            return s;
        }).build();
    }

    @Override
    public SignalHandler<PartitionReplay> signalHandler() {
        return newSignalHandlerBuilder().onSignal(RecoveryCompleted.instance(), s -> {
            flow().unregister(persistenceId().id());
            recovered.complete(new Recovered(s));
        }).build();
    }

    private ReplayFlowControl flow() {
        return ReplayFlowControl.get(system);
    }
}
