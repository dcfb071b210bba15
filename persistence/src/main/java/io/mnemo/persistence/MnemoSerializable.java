package io.mnemo.persistence;

/**
 * Marker for every Mnemo cluster message, persisted event and snapshot. {@code reference.conf} binds
 * it to {@link io.mnemo.persistence.serialization.KryoSerializer}, so implementing it is all a type
 * needs to cross the wire or enter the journal.
 */
public interface MnemoSerializable {
}
