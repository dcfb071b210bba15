package io.mnemo.cluster;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Which store-gateways serve a block: {@code min(replication factor, gateways)} of them, chosen by
 * rendezvous hashing (each gateway's weight for a block is a hash of the block's id and the
 * gateway's; the heaviest win) with zone awareness (one replica per zone first, heaviest zones
 * first). Store-gateways and queriers compute it from the same membership, so they agree without
 * asking each other. Only the blocks of a gateway that leaves move (each to the next gateway in its
 * weight order); a gateway that joins takes only blocks it now outweighs another owner for. Pure
 * and immutable.
 */
public final class BlockOwnership {
    /** A store-gateway: its node's address (its identity in the hash) and its zone. */
    public record Gateway(String address, String zone) implements Comparable<Gateway> {
        public Gateway {
            if (address == null || address.isBlank()) throw new IllegalArgumentException("address must not be empty");
            if (zone == null || zone.isBlank()) throw new IllegalArgumentException("zone must not be empty");
        }

        @Override
        public int compareTo(Gateway o) {
            return address.compareTo(o.address);
        }

        @Override
        public String toString() {
            return address + " (" + zone + ")";
        }
    }

    private final List<Gateway> gateways;
    private final long[] gatewayHashes;
    private final int replicationFactor;

    /**
     * @param replicationFactor replicas per block (Mimir's store_gateway.sharding_ring.replication_factor);
     *                          fewer when there are fewer gateways
     */
    public BlockOwnership(Collection<Gateway> gateways, int replicationFactor) {
        if (replicationFactor < 1) throw new IllegalArgumentException("replication factor must be >= 1: " + replicationFactor);
        this.gateways = gateways.stream().distinct().sorted().toList();
        Set<String> addresses = new HashSet<>();
        for (Gateway g : this.gateways) {
            if (!addresses.add(g.address())) throw new IllegalArgumentException("gateway " + g.address() + " in two zones");
        }
        this.gatewayHashes = new long[this.gateways.size()];
        for (int i = 0; i < gatewayHashes.length; i++) gatewayHashes[i] = hash(this.gateways.get(i).address(), 0);
        this.replicationFactor = replicationFactor;
    }

    /** Every gateway, sorted by address. */
    public List<Gateway> gateways() { return gateways; }

    public int replicationFactor() { return replicationFactor; }

    /**
     * The gateways that serve a block, best first: the heaviest gateway of each zone, heaviest
     * zones first, until the replication factor is met; with fewer zones than that, the next
     * heaviest gateways of any zone. Empty when there is no gateway.
     *
     * @param blockId the block's ULID (its id is unique across tenants)
     */
    public List<Gateway> owners(String blockId) {
        int n = gateways.size();
        int want = Math.min(replicationFactor, n);
        if (want == 0) return List.of();
        long block = hash(blockId, 0);
        Integer[] order = new Integer[n];
        long[] weight = new long[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
            weight[i] = mix(block ^ gatewayHashes[i]);
        }
        // Ties (2^-64) by address, so every node orders alike.
        java.util.Arrays.sort(order, Comparator.<Integer>comparingLong(i -> weight[i]).reversed()
                .thenComparing(i -> gateways.get(i)));
        List<Gateway> out = new ArrayList<>(want);
        Set<String> zones = new HashSet<>();
        for (int i : order) {
            if (out.size() == want) break;
            Gateway g = gateways.get(i);
            if (zones.add(g.zone())) out.add(g);
        }
        for (int i : order) {
            if (out.size() == want) break;
            Gateway g = gateways.get(i);
            if (!out.contains(g)) out.add(g);
        }
        return out;
    }

    /** Whether {@code gateway} is among the block's owners. */
    public boolean owns(Gateway gateway, String blockId) {
        return owners(blockId).contains(gateway);
    }

    /** FNV-1a over the UTF-8 bytes, then a finalizer: the same on every JVM. */
    static long hash(String s, long seed) {
        long h = 0xcbf29ce484222325L ^ seed;
        for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
            h ^= b & 0xFF;
            h *= 0x100000001b3L;
        }
        return mix(h);
    }

    /** Murmur3's 64-bit finalizer: every input bit moves every output bit. */
    private static long mix(long h) {
        h ^= h >>> 33;
        h *= 0xff51afd7ed558ccdL;
        h ^= h >>> 33;
        h *= 0xc4ceb9fe1a85ec53L;
        h ^= h >>> 33;
        return h;
    }

    @Override
    public String toString() {
        return "BlockOwnership{rf=" + replicationFactor + ", gateways=" + gateways + "}";
    }
}
