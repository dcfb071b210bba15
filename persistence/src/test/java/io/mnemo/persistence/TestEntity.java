package io.mnemo.persistence;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.RecoveryCompleted;
import org.apache.pekko.persistence.typed.RecoveryFailed;
import org.apache.pekko.persistence.typed.SnapshotCompleted;
import org.apache.pekko.persistence.typed.javadsl.CommandHandler;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehavior;
import org.apache.pekko.persistence.typed.javadsl.SignalHandler;

/**
 * An event-sourced test entity whose events carry raw bytes, like the ingester's batches. It
 * reports recovery outcome and snapshots to a probe.
 */
public final class TestEntity extends EventSourcedBehavior<TestEntity.Command, TestEntity.Appended, TestEntity.State> {

    public interface Command {
    }

    /** Persist one event holding {@code data}; replies with its sequence number. */
    public record Append(byte[] data, ActorRef<Long> replyTo) implements Command {
    }

    /** Persist one event per element, atomically; replies with the last sequence number. */
    public record AppendAll(List<byte[]> data, ActorRef<Long> replyTo) implements Command {
    }

    /** The persisted event: its sequence number and payload. */
    public record Appended(long sequenceNr, byte[] data) implements MnemoSerializable {
    }

    /** All events applied, oldest first (an immutable list, as Kryo must handle those in snapshots). */
    public record State(List<Appended> events) implements MnemoSerializable {
    }

    public sealed interface Report {
    }

    public record Recovered(State state, long lastSequenceNr) implements Report {
    }

    public record RecoveryFailure(Throwable cause) implements Report {
    }

    public record SnapshotSaved(long sequenceNr) implements Report {
    }

    private final ActorContext<Command> ctx;
    private final ActorRef<Report> reports;
    private final long snapshotEvery;
    private final AtomicLong eventsApplied;

    private TestEntity(ActorContext<Command> ctx, String persistenceId, ActorRef<Report> reports, long snapshotEvery,
            AtomicLong eventsApplied) {
        super(PersistenceId.ofUniqueId(persistenceId));
        this.ctx = ctx;
        this.reports = reports;
        this.snapshotEvery = snapshotEvery;
        this.eventsApplied = eventsApplied;
    }

    /**
     * @param snapshotEvery snapshot after every this many events; 0 for never
     * @param eventsApplied counts event-handler calls, i.e. events replayed plus persisted
     */
    public static Behavior<Command> create(String persistenceId, ActorRef<Report> reports, long snapshotEvery,
            AtomicLong eventsApplied) {
        return Behaviors.setup(ctx -> new TestEntity(ctx, persistenceId, reports, snapshotEvery, eventsApplied));
    }

    public static Behavior<Command> create(String persistenceId, ActorRef<Report> reports) {
        return create(persistenceId, reports, 0, new AtomicLong());
    }

    @Override
    public State emptyState() {
        return new State(List.of());
    }

    @Override
    public CommandHandler<Command, Appended, State> commandHandler() {
        return newCommandHandlerBuilder().forAnyState()
                .onCommand(Append.class, cmd -> Effect()
                        .persist(new Appended(lastSequenceNumber(ctx) + 1, cmd.data()))
                        .thenReply(cmd.replyTo(), s -> lastSequenceNumber(ctx)))
                .onCommand(AppendAll.class, cmd -> {
                    List<Appended> events = new ArrayList<>();
                    long seq = lastSequenceNumber(ctx);
                    for (byte[] d : cmd.data()) {
                        events.add(new Appended(++seq, d));
                    }
                    return Effect().persist(events).thenReply(cmd.replyTo(), s -> lastSequenceNumber(ctx));
                })
                .build();
    }

    @Override
    public EventHandler<State, Appended> eventHandler() {
        return newEventHandlerBuilder().forAnyState().onAnyEvent((state, event) -> {
            eventsApplied.incrementAndGet();
            List<Appended> events = new ArrayList<>(state.events());
            events.add(event);
            return new State(List.copyOf(events));
        });
    }

    @Override
    public SignalHandler<State> signalHandler() {
        return newSignalHandlerBuilder()
                .onSignal(RecoveryCompleted.class, (state, s) -> reports.tell(new Recovered(state, lastSequenceNumber(ctx))))
                .onSignal(RecoveryFailed.class, (state, s) -> reports.tell(new RecoveryFailure(s.getFailure())))
                .onSignal(SnapshotCompleted.class,
                        (state, s) -> reports.tell(new SnapshotSaved(s.metadata().sequenceNr())))
                .build();
    }

    @Override
    public boolean shouldSnapshot(State state, Appended event, long sequenceNr) {
        return snapshotEvery > 0 && sequenceNr % snapshotEvery == 0;
    }
}
