package io.mnemo.cluster;

import io.mnemo.persistence.MnemoSerializable;

/**
 * Names one ingester: the consumer of one Kafka partition in one zone. Its entity id within the
 * zone's sharded entity type is the partition number; its persistence id (the journal it owns)
 * is {@code ingester|<zone>|<partition>}.
 */
public record IngesterId(String zone, int partition) implements MnemoSerializable {
    public IngesterId {
        if (zone == null || zone.isBlank()) throw new IllegalArgumentException("zone must not be empty");
        if (partition < 0) throw new IllegalArgumentException("partition must be >= 0: " + partition);
    }

    /** The sharded entity type name for a zone's ingesters. */
    public static String entityTypeName(String zone) {
        return "ingester-" + zone;
    }

    public String entityId() {
        return Integer.toString(partition);
    }

    public String persistenceId() {
        return "ingester|" + zone + "|" + partition;
    }

    /** The ingester a persistence id belongs to, or null when it is not an ingester's. */
    public static IngesterId fromPersistenceId(String persistenceId) {
        String[] parts = persistenceId.split("\\|", -1);
        if (parts.length != 3 || !parts[0].equals("ingester") || parts[1].isBlank()) return null;
        try {
            return new IngesterId(parts[1], Integer.parseInt(parts[2]));
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    @Override
    public String toString() {
        return zone + "/" + partition;
    }
}
