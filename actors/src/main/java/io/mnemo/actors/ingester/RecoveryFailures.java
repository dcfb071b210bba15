package io.mnemo.actors.ingester;

import io.mnemo.cluster.IngesterId;
import io.mnemo.persistence.journal.JournalCorruptedException;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The ingesters of this node whose recovery failed, and why. Sharding re-creates a stopped entity
 * on every message it gets (the wake-up every 5 s, each {@code /ready} probe), so without memory a
 * damaged journal would be read, and its failure logged, many times a minute. The entity consults
 * this instead: within {@link #RETRY_AFTER} of a failure it stands in as a {@link FailedIngester}
 * that answers with the reason, and only then recovers again. Since the registry outlives the
 * entity, a failure is reported at ERROR once per node start (again only if the reason changes).
 */
public final class RecoveryFailures {
    /** How long after a failed recovery the next attempt starts. */
    static final Duration RETRY_AFTER = Duration.ofSeconds(30);

    /**
     * @param reason one line naming what failed, where and what to do (for {@code /ready} and
     *     replies to reads)
     * @param journalDamaged the journal is damaged or misses a segment (not, say, Kafka or a bug)
     * @param attempts failed recoveries since the node started
     */
    public record Failure(IngesterId id, String reason, boolean journalDamaged, long lastFailureMillis, int attempts) {
        long retryAtMillis() {
            return lastFailureMillis + RETRY_AFTER.toMillis();
        }
    }

    private final ConcurrentHashMap<IngesterId, Failure> failures = new ConcurrentHashMap<>();

    /**
     * Records a failed recovery of {@code id}. Returns true when it is news to report at ERROR: the
     * first failure since the node started, or one with another reason.
     */
    boolean failed(IngesterId id, Throwable cause, long nowMillis) {
        JournalCorruptedException damage = journalDamage(cause);
        String reason = damage != null ? describe(id, damage) : "ingester " + id + " failed to recover: " + rootMessage(cause);
        Failure before = failures.get(id);
        failures.put(id, new Failure(id, reason, damage != null, nowMillis, before == null ? 1 : before.attempts() + 1));
        return before == null || !before.reason().equals(reason);
    }

    /** Recovery succeeded: the failure (if any) is over. */
    Optional<Failure> recovered(IngesterId id) {
        return Optional.ofNullable(failures.remove(id));
    }

    /** The partition left this node: its failure is no longer this node's to report. */
    void forget(IngesterId id) {
        failures.remove(id);
    }

    /** The failure that stands while the next attempt is not due yet. */
    Optional<Failure> standing(IngesterId id, long nowMillis) {
        Failure f = failures.get(id);
        return f != null && nowMillis < f.retryAtMillis() ? Optional.of(f) : Optional.empty();
    }

    public Optional<Failure> of(IngesterId id) {
        return Optional.ofNullable(failures.get(id));
    }

    public Map<IngesterId, Failure> all() {
        return Map.copyOf(failures);
    }

    /** The journal damage behind a recovery failure, or null when it is something else. */
    static JournalCorruptedException journalDamage(Throwable cause) {
        for (Throwable t = cause; t != null; t = t.getCause()) {
            if (t instanceof JournalCorruptedException j) return j;
        }
        return null;
    }

    private static String describe(IngesterId id, JournalCorruptedException e) {
        return "ingester " + id + " cannot recover: its journal file " + e.file()
                + (e.fileMissing() ? " is missing (" + e.damage() + ")"
                        : " is damaged at offset " + e.offset() + " (" + e.damage() + ")")
                + "; restart the node with --journal.repair (see persistence/README.md)";
    }

    private static String rootMessage(Throwable cause) {
        Throwable root = cause;
        while (root.getCause() != null && root.getCause() != root) root = root.getCause();
        return root.toString();
    }
}
