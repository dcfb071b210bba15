package io.mnemo.persistence;

/**
 * Marker for every Mnemo cluster message, persisted event and snapshot. {@code reference.conf} binds
 * it to {@link io.mnemo.persistence.serialization.KryoSerializer}, so implementing it is all a type
 * needs to cross the wire or enter the journal.
 */
public interface MnemoSerializable {
    /**
     * About how many bytes the serialized form takes; large messages (journal events of raw
     * records) override it so their buffer is sized once instead of grown by doubling.
     */
    default int serializedSizeHint() {
        return 0;
    }
}
