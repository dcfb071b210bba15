package io.mnemo.actors.ingester;

import io.mnemo.cluster.IngesterId;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.persistence.JournalProtocol;
import org.apache.pekko.persistence.Persistence;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.RecoveryCompleted;
import org.apache.pekko.persistence.typed.javadsl.CommandHandler;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehavior;
import org.apache.pekko.persistence.typed.javadsl.SignalHandler;

/**
 * An ingester's write-behind log (WBL): the out-of-order samples its heads accepted, as
 * {@link OutOfOrderLogged} events in a persistent stream of its own ({@code <ingester persistence
 * id>-wbl}, same journal plugin), a child of the {@link IngesterPartition}. The journal is
 * truncated at snapshots after block cuts; this log is truncated on its own schedule: an event goes
 * once a cut compacted its samples into blocks (every cut writes the out-of-order samples before
 * its end, those of ranges already cut as overlapping blocks).
 *
 * <p>On start it replays and hands everything to its parent ({@link IngesterCommand.OutOfOrderLogRecovered}),
 * with the highest Kafka offset logged, before the parent replays its journal. The newest event is
 * never deleted, so that offset survives truncation.
 */
final class WriteBehindLog extends EventSourcedBehavior<WriteBehindLog.Command, OutOfOrderLogged, WriteBehindLog.State> {

    sealed interface Command {}

    /** Persist these, then tell the parent {@link IngesterCommand.OutOfOrderLogWritten}. */
    record Append(List<OutOfOrderLogged> events) implements Command {}

    /**
     * After a cut, per tenant [minValidTime, offset at its newest cut]: an event from a record
     * before that offset whose samples are all before that time is in blocks, and may go.
     */
    record Truncate(Map<String, long[]> compacted) implements Command {}

    /** Events not yet deleted: sequence number, tenant, newest sample and offset, oldest first. */
    static final class State {
        final ArrayDeque<Object[]> index = new ArrayDeque<>();
        long loggedUpTo = -1;
    }

    private static final String JOURNAL_PLUGIN = "mnemo.persistence.journal";

    private final IngesterId id;
    private final ActorContext<Command> ctx;
    private final ActorRef<IngesterCommand> parent;
    private List<OutOfOrderLogged> replayed = new ArrayList<>(); // null once handed to the parent

    static Behavior<Command> create(IngesterId id, ActorRef<IngesterCommand> parent) {
        return Behaviors.setup(ctx -> new WriteBehindLog(id, ctx, parent));
    }

    static String persistenceId(IngesterId id) {
        return id.persistenceId() + "-wbl";
    }

    private WriteBehindLog(IngesterId id, ActorContext<Command> ctx, ActorRef<IngesterCommand> parent) {
        super(PersistenceId.ofUniqueId(persistenceId(id)));
        this.id = id;
        this.ctx = ctx;
        this.parent = parent;
    }

    @Override
    public String journalPluginId() {
        return JOURNAL_PLUGIN;
    }

    @Override
    public State emptyState() {
        return new State();
    }

    @Override
    public CommandHandler<Command, OutOfOrderLogged, State> commandHandler() {
        return newCommandHandlerBuilder().forAnyState()
                .onCommand(Append.class, (s, c) -> Effect().persist(c.events())
                        .thenRun(after -> parent.tell(new IngesterCommand.OutOfOrderLogWritten(c.events().size()))))
                .onCommand(Truncate.class, (s, c) -> {
                    truncate(s, c.compacted());
                    return Effect().none();
                })
                .build();
    }

    @Override
    public EventHandler<State, OutOfOrderLogged> eventHandler() {
        return newEventHandlerBuilder().forAnyState()
                .onEvent(OutOfOrderLogged.class, (s, e) -> {
                    s.index.addLast(new Object[] {lastSequenceNumber(ctx), e.tenant(), e.maxTime(), e.offset()});
                    s.loggedUpTo = Math.max(s.loggedUpTo, e.offset());
                    if (replayed != null) replayed.add(e);
                    return s;
                })
                .build();
    }

    @Override
    public SignalHandler<State> signalHandler() {
        return newSignalHandlerBuilder()
                .onSignal(RecoveryCompleted.instance(), s -> {
                    ctx.getLog().info("Ingester {}: write-behind log replayed: {} events, out-of-order samples logged "
                            + "up to offset {}", id, replayed.size(), s.loggedUpTo);
                    parent.tell(new IngesterCommand.OutOfOrderLogRecovered(replayed, s.loggedUpTo));
                    replayed = null;
                })
                .build();
    }

    /** Deletes the oldest events whose samples are all in blocks, keeping the newest event. */
    private void truncate(State s, Map<String, long[]> compacted) {
        long upTo = -1;
        while (s.index.size() > 1) {
            Object[] first = s.index.peekFirst();
            long[] c = compacted.get((String) first[1]);
            if (c == null || (long) first[2] >= c[0] || (long) first[3] >= c[1]) break;
            upTo = (long) s.index.pollFirst()[0];
        }
        if (upTo <= 0) return;
        Persistence.get(Adapter.toClassic(ctx.getSystem())).journalFor(JOURNAL_PLUGIN, com.typesafe.config.ConfigFactory.empty())
                .tell(new JournalProtocol.DeleteMessagesTo(persistenceId(id), upTo, Adapter.toClassic(ctx.getSystem().ignoreRef())),
                        org.apache.pekko.actor.ActorRef.noSender());
        ctx.getLog().info("Ingester {}: write-behind log truncated up to event {} (its samples are in blocks)", id, upTo);
    }
}
