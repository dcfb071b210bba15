package io.mnemo.actors.ingester;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * The ingester's side of its {@link WriteBehindLog}: sends it the out-of-order samples of each
 * journaled batch, counts the events not yet written, and holds back what must wait until the log
 * has them all — block cuts and journal truncation. (A cut after a batch whose out-of-order
 * samples are not logged yet could leave a restart unable to tell them from samples now in
 * blocks; a journal truncated past them would lose them.) A snapshot cannot wait, so it carries
 * the events sent but not yet written ({@link #unwritten}).
 */
final class WriteBehindLogClient {
    private final ActorRef<WriteBehindLog.Command> log;
    private List<OutOfOrderLogged> recovered;
    private final long loggedUpTo;
    /** Sent to the log, not yet confirmed written, oldest first (the log writes in order). */
    private final ArrayDeque<OutOfOrderLogged> unwritten = new ArrayDeque<>();
    /** Actions waiting for the log to catch up, by key (one compaction is as good as several). */
    private final Map<Object, Runnable> waiting = new LinkedHashMap<>();

    WriteBehindLogClient(ActorRef<WriteBehindLog.Command> log, List<OutOfOrderLogged> recovered, long loggedUpTo) {
        this.log = log;
        this.recovered = recovered;
        this.loggedUpTo = loggedUpTo;
    }

    /** What the log replayed at start, once (null afterwards). */
    List<OutOfOrderLogged> takeRecovered() {
        List<OutOfOrderLogged> r = recovered;
        recovered = null;
        return r;
    }

    /** Highest Kafka offset whose out-of-order samples the log held at start; -1 if none. */
    long loggedUpTo() { return loggedUpTo; }

    void append(List<OutOfOrderLogged> events) {
        if (events.isEmpty()) return;
        unwritten.addAll(events);
        log.tell(new WriteBehindLog.Append(events));
    }

    /** Runs the action now if the log has everything sent to it, else once it does. */
    void whenWritten(Object key, Runnable action) {
        if (unwritten.isEmpty()) {
            action.run();
        } else {
            waiting.put(key, action);
        }
    }

    void written(int events) {
        for (int i = 0; i < events; i++) unwritten.poll();
        if (!unwritten.isEmpty() || waiting.isEmpty()) return;
        List<Runnable> run = List.copyOf(waiting.values());
        waiting.clear();
        for (Runnable r : run) r.run();
    }

    /** The events sent to the log that it has not confirmed yet, oldest first. */
    List<OutOfOrderLogged> unwritten() {
        return new ArrayList<>(unwritten);
    }

    /** After a cut: per tenant [minValidTime, offset at its newest cut], see {@link WriteBehindLog.Truncate}. */
    void truncate(Map<String, long[]> compacted) {
        log.tell(new WriteBehindLog.Truncate(compacted));
    }
}
