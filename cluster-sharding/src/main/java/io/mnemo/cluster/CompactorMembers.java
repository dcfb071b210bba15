package io.mnemo.cluster;

import io.mnemo.cluster.BlockOwnership.Gateway;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.MemberStatus;

/**
 * The compactors of the cluster and the tenants each works on (Mimir's compactor ring, without a
 * ring): every member with the {@value #ROLE} role that is Up is a compactor, and a tenant belongs
 * to exactly one of them, chosen by the rendezvous hashing of {@link BlockOwnership} with one
 * replica. Every compactor computes it from the same membership, so they agree without asking each
 * other; when a compactor leaves, only its tenants move, each to the next compactor in its weight
 * order. An unreachable compactor keeps its tenants until it is downed (so two never work on one).
 */
public final class CompactorMembers {
    /** The role of a compactor node ({@code mnemo.roles}). */
    public static final String ROLE = "compactor";
    /** Compactors have no zone: with one replica, zone awareness plays no part. */
    private static final String NO_ZONE = "any";

    private final BlockOwnership hashing;

    private CompactorMembers(Collection<String> addresses) {
        List<Gateway> compactors = new ArrayList<>();
        for (String a : addresses) compactors.add(new Gateway(a, NO_ZONE));
        this.hashing = new BlockOwnership(compactors, 1);
    }

    /** The compactors among these members: Up, with the role. */
    public static CompactorMembers of(Iterable<Member> members) {
        List<String> out = new ArrayList<>();
        for (Member m : members) {
            if (m.status() == MemberStatus.up() && m.hasRole(ROLE)) out.add(m.address().toString());
        }
        return new CompactorMembers(out);
    }

    /** Compactors by their node's address (tests). */
    public static CompactorMembers ofAddresses(Collection<String> addresses) {
        return new CompactorMembers(addresses);
    }

    /** The addresses of the compactors, sorted. */
    public List<String> addresses() {
        return hashing.gateways().stream().map(Gateway::address).toList();
    }

    /** The compactor that works on a tenant; empty when there is none. */
    public Optional<String> owner(String tenant) {
        List<Gateway> owners = hashing.owners(tenant);
        return owners.isEmpty() ? Optional.empty() : Optional.of(owners.get(0).address());
    }

    /** Whether the compactor at {@code address} works on the tenant. */
    public boolean owns(String address, String tenant) {
        return owner(tenant).map(address::equals).orElse(false);
    }
}
