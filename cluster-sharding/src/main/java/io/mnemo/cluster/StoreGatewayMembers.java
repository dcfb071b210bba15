package io.mnemo.cluster;

import io.mnemo.cluster.BlockOwnership.Gateway;
import java.util.ArrayList;
import java.util.List;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.MemberStatus;

/**
 * The store-gateways of the cluster, from Pekko's membership: every member with the
 * {@value #ROLE} role that is Up, in the zone its {@code store-gateway-<zone>} role names. Members
 * that are leaving (or gone) are not, so their blocks move to others as soon as they start to
 * leave; unreachable ones still are until they are downed, and queriers ask their replicas.
 */
public final class StoreGatewayMembers {
    /** The role of a store-gateway node ({@code mnemo.roles}). */
    public static final String ROLE = "store-gateway";

    private StoreGatewayMembers() {}

    /** The cluster role that carries a store-gateway's zone. */
    public static String zoneRole(String zone) {
        return ROLE + "-" + zone;
    }

    /** The store-gateways among these members. */
    public static List<Gateway> of(Iterable<Member> members) {
        List<Gateway> out = new ArrayList<>();
        for (Member m : members) {
            if (m.status() != MemberStatus.up() || !m.hasRole(ROLE)) continue;
            String zone = zoneOf(m);
            if (zone != null) out.add(new Gateway(m.address().toString(), zone));
        }
        return out;
    }

    /** The ownership of blocks among these members. */
    public static BlockOwnership ownership(Iterable<Member> members, int replicationFactor) {
        return new BlockOwnership(of(members), replicationFactor);
    }

    private static String zoneOf(Member m) {
        String prefix = ROLE + "-";
        for (String role : m.getRoles()) {
            // Pekko adds "dc-<data center>" roles; ours is the one with this prefix.
            if (role.startsWith(prefix) && role.length() > prefix.length()) return role.substring(prefix.length());
        }
        return null;
    }
}
