package io.mnemo.server.kafka;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * How many copies of every record Mnemo's topics keep ({@code replication.factor}), and how many
 * of them must have a record before a producer with {@code acks=all} is answered
 * ({@code min.insync.replicas}). With 3 and 2, losing any one broker loses no acknowledged record
 * and stops no write; losing two stops writes (never acknowledging what only one broker has).
 *
 * @param factor             copies per partition; 0: the Kafka cluster's {@code default.replication.factor}
 * @param minInsyncReplicas  0: the Kafka cluster's {@code min.insync.replicas}
 */
public record Replication(short factor, int minInsyncReplicas) {
    /** A single broker: one copy. */
    public static final Replication SINGLE = new Replication((short) 1, 1);

    public Replication {
        if (factor < 0 || minInsyncReplicas < 0) throw new IllegalArgumentException("negative replication settings");
        if (factor > 0 && minInsyncReplicas > factor) {
            throw new IllegalArgumentException("mnemo.kafka.min-insync-replicas = " + minInsyncReplicas
                    + " is more than mnemo.kafka.replication-factor = " + factor + ": no write could ever be acknowledged");
        }
    }

    /**
     * The replication of {@code mnemo.kafka.replication-factor} and {@code min-insync-replicas},
     * where 0 means: for {@code brokers} embedded brokers, one copy per broker up to 3, acknowledged
     * by a majority of them (2 of 3); for an external cluster ({@code brokers} 0), the cluster's own defaults,
     * except that an explicit factor gets a majority as its minimum.
     */
    public static Replication resolve(int configuredFactor, int configuredMinInsync, int brokers) {
        int factor = configuredFactor > 0 ? configuredFactor : brokers > 0 ? Math.min(3, brokers) : 0;
        if (brokers > 0 && factor > brokers) {
            throw new IllegalArgumentException("mnemo.kafka.replication-factor = " + factor + " needs as many brokers, the "
                    + "embedded quorum has " + brokers);
        }
        int minInsync = configuredMinInsync > 0 ? configuredMinInsync : factor > 0 ? factor / 2 + 1 : 0;
        return new Replication((short) factor, minInsync);
    }

    /** The factor a new topic is created with; empty: the cluster's default. */
    public Optional<Short> topicFactor() {
        return factor > 0 ? Optional.of(factor) : Optional.empty();
    }

    /** Topic configs that carry this replication ({@code min.insync.replicas} when set). */
    public Map<String, String> topicConfigs() {
        return minInsyncReplicas > 0 ? Map.of("min.insync.replicas", Integer.toString(minInsyncReplicas)) : Map.of();
    }

    /**
     * Broker defaults for an embedded broker: topics created without a factor of their own and
     * Kafka's internal topics ({@code __consumer_offsets}, transaction state) get the same replication.
     */
    Map<String, String> brokerDefaults() {
        if (factor == 0) throw new IllegalStateException("an embedded broker needs a replication factor");
        Map<String, String> out = new LinkedHashMap<>();
        int minInsync = minInsyncReplicas > 0 ? minInsyncReplicas : 1;
        out.put("default.replication.factor", Short.toString(factor));
        out.put("min.insync.replicas", Integer.toString(minInsync));
        out.put("offsets.topic.replication.factor", Short.toString(factor));
        out.put("transaction.state.log.replication.factor", Short.toString(factor));
        out.put("transaction.state.log.min.isr", Integer.toString(minInsync));
        return out;
    }

    @Override
    public String toString() {
        return (factor == 0 ? "the cluster's default replication factor" : "replication factor " + factor)
                + (minInsyncReplicas == 0 ? "" : ", min.insync.replicas " + minInsyncReplicas);
    }
}
