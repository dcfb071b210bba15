package io.mnemo.actors.ingester;

import io.mnemo.cluster.IngesterId;
import io.mnemo.persistence.journal.JournalNotices;

/**
 * Where a recovered ingester resumes on its partition, against what Kafka holds now ({@code
 * [earliest, end)}). The records from the resume offset up to Kafka's earliest are in neither its
 * journal nor Kafka (retention, or records deleted, while the journal lacked them): lost, which an
 * operator must accept before the ingester serves reads as if complete. Records the journal lacked
 * and Kafka still holds are rebuilt from Kafka, which is said too.
 *
 * @param journalLacks what this node's disk says is missing before {@code resumeAt} (see
 *     {@link #journalLacks}); null when the journal is intact
 * @param holdsData the ingester recovered something from this node's disk (events, a snapshot, blocks)
 */
record ResumeCheck(IngesterId id, String topic, long resumeAt, long earliest, long end, String journalLacks,
                   boolean holdsData) {

    /**
     * What the journal lacks, from what its open found ({@code notice}, may be null) and what else
     * the disk holds: events gone from it (segments deleted, a repair's truncation), or the whole
     * journal when there is none though a snapshot or blocks show there was one. Null if nothing.
     */
    static String journalLacks(JournalNotices.Notice notice, boolean restoredSnapshot, boolean hasBlocks) {
        if (notice == null) return null;
        if (notice.kind() == JournalNotices.Kind.EVENTS_LOST) return notice.what();
        if (restoredSnapshot || hasBlocks) {
            return "its journal is gone (there is none on this node, though its " + (restoredSnapshot ? "snapshot" : "blocks")
                    + " show it had one)";
        }
        return null;
    }

    boolean lost() {
        return earliest > resumeAt;
    }

    long lostRecords() {
        return lost() ? earliest - resumeAt : 0;
    }

    /** Kafka ends before the resume offset: the topic was re-created, or Kafka lost records it had acknowledged. */
    boolean behind() {
        return !lost() && end < resumeAt;
    }

    private String lostRange() {
        return "Kafka offsets [" + resumeAt + ", " + earliest + ") (" + lostRecords() + " records)";
    }

    private String why() {
        if (journalLacks != null) return journalLacks;
        return holdsData ? "what it holds ends at offset " + (resumeAt - 1) : "this node holds no journal, snapshot or blocks of it";
    }

    private String acceptWith() {
        return "POST /ingester/accept-data-loss?id=" + id;
    }

    /** The ERROR for a loss. */
    String lossReport() {
        return "Ingester " + id + ": DATA LOSS: " + lostRange() + " are in neither its journal nor Kafka: " + why()
                + ", and partition " + id.partition() + " of " + topic + " now starts at offset " + earliest
                + " (retention, or records deleted). The samples of those records are gone from this ingester. It stays "
                + "JOINING, and this node not ready, until an operator accepts the loss: " + acceptWith()
                + " on this node; it then resumes at offset " + earliest + ".";
    }

    /** {@code /ready}'s reason while the loss is not accepted. */
    String lossProblem() {
        return "ingester " + id + " lost " + lostRange() + ": " + why() + ", and Kafka no longer holds them (partition "
                + id.partition() + " of " + topic + " starts at offset " + earliest + "); accept the loss with " + acceptWith();
    }

    /** The WARN when the journal lacked records that Kafka still holds; null when there is nothing to say. */
    String rebuildReport() {
        if (lost() || behind() || journalLacks == null) return null;
        return "Ingester " + id + ": " + journalLacks + "; rebuilding Kafka offsets [" + resumeAt + ", " + end + ") ("
                + (end - resumeAt) + " records) from Kafka";
    }

    /** The ERROR when Kafka ends before the resume offset. */
    String behindReport() {
        return "Ingester " + id + ": partition " + id.partition() + " of " + topic + " ends at offset " + end + ", before "
                + "offset " + resumeAt + " where this ingester resumes: the topic was deleted and re-created, or Kafka lost "
                + "records it had acknowledged. Records below offset " + resumeAt + " will be taken for ones already "
                + "consumed and skipped.";
    }
}
