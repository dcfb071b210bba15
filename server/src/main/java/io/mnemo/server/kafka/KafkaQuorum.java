package io.mnemo.server.kafka;

import com.typesafe.config.Config;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.kafka.common.Uuid;

/**
 * The embedded brokers of a cluster as one KRaft quorum with static voters: every voter is a
 * controller and a broker ({@code mnemo.kafka.embedded.quorum}, the same list on every node).
 *
 * <p>Every voter must be formatted with the same cluster id. Unless one is configured, it is
 * derived from the voter list (ids and controller addresses), so nodes that share the
 * configuration agree on it without talking to each other, and a voter whose data directory was
 * wiped is formatted again with the id the others have.
 */
public record KafkaQuorum(List<Voter> voters, Optional<String> configuredClusterId) {

    /** One voter: its node id, the broker listener clients use, and the controller listener the voters use. */
    public record Voter(int id, String host, int port, int controllerPort) {
        public Voter {
            if (id < 1) throw new IllegalArgumentException("quorum voter ids start at 1, got " + id);
            if (host == null || host.isBlank()) throw new IllegalArgumentException("quorum voter " + id + " has no host");
            if (port < 1 || controllerPort < 1 || port == controllerPort) {
                throw new IllegalArgumentException("quorum voter " + id + " needs two different ports (port "
                        + port + ", controller-port " + controllerPort + ")");
            }
        }

        String broker() {
            return host + ":" + port;
        }
    }

    public KafkaQuorum {
        voters = voters.stream().sorted(Comparator.comparingInt(Voter::id)).toList();
        Set<Integer> ids = new HashSet<>();
        Set<String> endpoints = new HashSet<>();
        for (Voter v : voters) {
            if (!ids.add(v.id())) throw new IllegalArgumentException("quorum voter id " + v.id() + " appears twice");
            if (!endpoints.add(v.host() + ":" + v.port()) || !endpoints.add(v.host() + ":" + v.controllerPort())) {
                throw new IllegalArgumentException("quorum voter " + v.id() + " shares a host:port with another voter");
            }
        }
        configuredClusterId.ifPresent(KafkaQuorum::checkClusterId);
    }

    /**
     * The quorum of {@code mnemo.kafka.embedded} ({@code quorum = [{id, host, port, controller-port}, ...]},
     * optional {@code cluster-id}); empty when the list is empty (a single node's own broker).
     */
    public static Optional<KafkaQuorum> from(Config embedded) {
        if (!embedded.hasPath("quorum") || embedded.getConfigList("quorum").isEmpty()) return Optional.empty();
        List<Voter> voters = new ArrayList<>();
        for (Config v : embedded.getConfigList("quorum")) {
            voters.add(new Voter(v.getInt("id"), v.getString("host"), v.getInt("port"), v.getInt("controller-port")));
        }
        String clusterId = embedded.hasPath("cluster-id") ? embedded.getString("cluster-id").trim() : "";
        return Optional.of(new KafkaQuorum(voters, clusterId.isEmpty() ? Optional.empty() : Optional.of(clusterId)));
    }

    public int size() {
        return voters.size();
    }

    public Optional<Voter> voter(int id) {
        return voters.stream().filter(v -> v.id() == id).findFirst();
    }

    /** Every voter's broker listener, for clients' {@code bootstrap.servers}: any one of them answering is enough. */
    public String bootstrapServers() {
        return voters.stream().map(Voter::broker).collect(Collectors.joining(","));
    }

    /** Kafka's {@code controller.quorum.voters}: {@code id@host:controllerPort,...}. */
    public String votersProperty() {
        return voters.stream().map(v -> v.id() + "@" + v.host() + ":" + v.controllerPort()).collect(Collectors.joining(","));
    }

    /** The configured cluster id, or one derived from {@link #votersProperty()} (a Kafka {@link Uuid}). */
    public String clusterId() {
        return configuredClusterId.orElseGet(() -> derivedClusterId(votersProperty()));
    }

    static String derivedClusterId(String voters) {
        MessageDigest sha;
        try {
            sha = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        byte[] seed = ("mnemo-kafka-quorum:" + voters).getBytes(StandardCharsets.UTF_8);
        for (int round = 0; ; round++) {
            sha.update(seed);
            ByteBuffer digest = ByteBuffer.wrap(sha.digest(new byte[] {(byte) round}));
            String id = new Uuid(digest.getLong(), digest.getLong()).toString();
            // Kafka's own generator avoids ids that start with '-' (they read as options in its tools).
            if (!id.startsWith("-") && !Uuid.RESERVED.contains(Uuid.fromString(id))) return id;
        }
    }

    private static void checkClusterId(String id) {
        try {
            Uuid.fromString(id);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("mnemo.kafka.embedded.cluster-id \"" + id
                    + "\" is not a Kafka cluster id (22 characters of URL-safe base64, e.g. from kafka-storage.sh random-uuid)");
        }
    }
}
