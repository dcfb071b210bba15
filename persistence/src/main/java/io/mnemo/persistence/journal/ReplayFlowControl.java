package io.mnemo.persistence.journal;

import java.util.ArrayDeque;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.pekko.actor.AbstractExtensionId;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.actor.ExtendedActorSystem;
import org.apache.pekko.actor.Extension;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Back-pressure for journal replays, which Pekko Persistence lacks: the journal reads events far
 * faster than an entity like the ingester applies them, and every event read is sent at once, so a
 * large journal would pile up in the entity's mailbox until the heap runs out. An entity that
 * registers its persistence id before recovering gets its replay paced: the journal waits while
 * more than the registered number of event bytes are delivered and not yet {@link #applied}.
 *
 * <p>Opt-in per persistence id (others replay unpaced, as Pekko's contract has it), and a replay
 * whose entity stops acknowledging for {@link #STALL_MILLIS} continues unpaced rather than hang.
 */
public final class ReplayFlowControl implements Extension {
    private static final Logger log = LoggerFactory.getLogger(ReplayFlowControl.class);
    static final long STALL_MILLIS = 30_000;

    public static final Id ID = new Id();

    public static final class Id extends AbstractExtensionId<ReplayFlowControl> {
        @Override
        public ReplayFlowControl createExtension(ExtendedActorSystem system) {
            return new ReplayFlowControl();
        }
    }

    public static ReplayFlowControl get(ActorSystem system) {
        return ID.get(system);
    }

    /** Bytes delivered and not yet applied, in delivery order. */
    private static final class Budget {
        final long maxBytes;
        final ArrayDeque<Long> sizes = new ArrayDeque<>();
        long inFlight;
        boolean closed;

        Budget(long maxBytes) {
            this.maxBytes = maxBytes;
        }
    }

    private final ConcurrentHashMap<String, Budget> budgets = new ConcurrentHashMap<>();

    /** Paces the next replays of {@code persistenceId} to {@code maxBytes} of events in flight. */
    public void register(String persistenceId, long maxBytes) {
        Budget old = budgets.put(persistenceId, new Budget(maxBytes));
        if (old != null) close(old);
    }

    /** The entity applied the oldest event delivered to it. */
    public void applied(String persistenceId) {
        Budget b = budgets.get(persistenceId);
        if (b == null) return;
        synchronized (b) {
            Long size = b.sizes.pollFirst();
            if (size != null) b.inFlight -= size;
            b.notifyAll();
        }
    }

    /** Recovery is over (or failed): no more pacing, and a waiting replay goes on. */
    public void unregister(String persistenceId) {
        Budget b = budgets.remove(persistenceId);
        if (b != null) close(b);
    }

    private static void close(Budget b) {
        synchronized (b) {
            b.closed = true;
            b.notifyAll();
        }
    }

    /**
     * Called by the journal's replay thread before it delivers an event of {@code bytes}: waits
     * while the entity is behind by more than its budget (one event always goes).
     */
    void delivering(String persistenceId, long bytes) throws InterruptedException {
        Budget b = budgets.get(persistenceId);
        if (b == null) return;
        synchronized (b) {
            long deadline = System.currentTimeMillis() + STALL_MILLIS;
            while (!b.closed && b.inFlight > 0 && b.inFlight + bytes > b.maxBytes) {
                long left = deadline - System.currentTimeMillis();
                if (left <= 0) {
                    log.warn("Replay of persistence id [{}]: no event applied for {} ms, continuing without pacing",
                            persistenceId, STALL_MILLIS);
                    b.closed = true;
                    break;
                }
                b.wait(left);
            }
            if (!b.closed) {
                b.sizes.addLast(bytes);
                b.inFlight += bytes;
            }
        }
    }
}
