package io.mnemo.persistence.journal;

import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.pekko.actor.AbstractExtensionId;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.actor.ExtendedActorSystem;
import org.apache.pekko.actor.Extension;

/**
 * What the journal found when it opened a persistence id's log, beyond its events: that there was
 * no log at all, or that events are gone from it (segment files deleted outside Mnemo at its end,
 * or a repair that truncated it). Pekko's recovery cannot carry this, so the entity owning the
 * persistence id takes the notice once recovered, to say what it must rebuild from elsewhere (an
 * ingester: which Kafka offsets). The journal logs the finding itself, in its own terms.
 */
public final class JournalNotices implements Extension {

    public static final Id ID = new Id();

    public static final class Id extends AbstractExtensionId<JournalNotices> {
        @Override
        public JournalNotices createExtension(ExtendedActorSystem system) {
            return new JournalNotices();
        }
    }

    public static JournalNotices get(ActorSystem system) {
        return ID.get(system);
    }

    public enum Kind {
        /** No events were ever journaled here: no directory, segment or deletion marker. */
        NO_LOG,
        /** The log lost events at its end; {@link Notice#what()} says which and why. */
        EVENTS_LOST
    }

    /**
     * @param what for {@link Kind#EVENTS_LOST}, what is gone, e.g. "journal file … was deleted
     *     outside Mnemo: the events from sequence number 42 on are gone"
     */
    public record Notice(String persistenceId, Kind kind, String what) {}

    private final ConcurrentHashMap<String, Notice> notices = new ConcurrentHashMap<>();

    JournalNotices() {
    }

    void put(Notice notice) {
        notices.put(notice.persistenceId(), notice);
    }

    /** The notice of the last open of {@code persistenceId}'s log, once; empty when it opened clean. */
    public Optional<Notice> take(String persistenceId) {
        return Optional.ofNullable(notices.remove(persistenceId));
    }
}
