package io.mnemo.persistence.journal;

/**
 * One persisted event as stored in a segment: the fields of Pekko's {@code PersistentRepr} that
 * survive a restart, with the event (and optional metadata) in serialized form.
 *
 * @param manifest the event adapter manifest of the {@code PersistentRepr}, not the serializer's
 * @param metadata null when the event carries none
 */
record JournalRecord(
        long sequenceNr,
        long timestamp,
        String persistenceId,
        String writerUuid,
        String manifest,
        SerializedValue event,
        SerializedValue metadata) {
}
