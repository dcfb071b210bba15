package io.mnemo.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mnemo.cluster.BlockOwnership.Gateway;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class BlockOwnershipTest {
    static final List<String> BLOCKS = blocks(2000);
    static final long PINNED_HASH = 7998943725471359047L;

    /** ULID-like ids: 26 characters of Crockford's base32. */
    static List<String> blocks(int n) {
        String alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
        Random r = new Random(17);
        List<String> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            StringBuilder sb = new StringBuilder();
            for (int c = 0; c < 26; c++) sb.append(alphabet.charAt(r.nextInt(32)));
            out.add(sb.toString());
        }
        return out;
    }

    static Gateway gw(int node, String zone) {
        return new Gateway("pekko://mnemo@10.0.0." + node + ":25520", zone);
    }

    static List<Gateway> twoZones(int perZone) {
        List<Gateway> out = new ArrayList<>();
        for (int i = 0; i < perZone; i++) {
            out.add(gw(i, "zone-a"));
            out.add(gw(100 + i, "zone-b"));
        }
        return out;
    }

    static Map<String, List<Gateway>> owners(BlockOwnership o) {
        Map<String, List<Gateway>> out = new HashMap<>();
        for (String b : BLOCKS) out.put(b, o.owners(b));
        return out;
    }

    @Test
    void everyBlockHasMinOfReplicationFactorAndGatewaysOwnersInDistinctZonesFirst() {
        for (int rf = 1; rf <= 4; rf++) {
            for (int perZone = 1; perZone <= 3; perZone++) {
                BlockOwnership o = new BlockOwnership(twoZones(perZone), rf);
                for (String b : BLOCKS) {
                    List<Gateway> owners = o.owners(b);
                    assertEquals(Math.min(rf, 2 * perZone), owners.size(), "rf " + rf + ", " + perZone + " per zone: " + owners);
                    assertEquals(owners.size(), new HashSet<>(owners).size(), "distinct gateways: " + owners);
                    Set<String> zones = new HashSet<>();
                    for (Gateway g : owners) zones.add(g.zone());
                    assertEquals(Math.min(owners.size(), 2), zones.size(), "one replica per zone before a second: " + owners);
                }
            }
        }
        assertEquals(List.of(), new BlockOwnership(List.of(), 2).owners(BLOCKS.get(0)), "no gateway, no owner");
    }

    @Test
    void twoReplicasInTwoZonesPutACopyInEachZone() {
        BlockOwnership o = new BlockOwnership(twoZones(3), 2);
        for (String b : BLOCKS) {
            List<Gateway> owners = o.owners(b);
            assertEquals(Set.of("zone-a", "zone-b"), Set.of(owners.get(0).zone(), owners.get(1).zone()), b + ": " + owners);
        }
    }

    @Test
    void blocksSpreadEvenlyOverTheGatewaysOfAZone() {
        BlockOwnership o = new BlockOwnership(twoZones(4), 2);
        Map<Gateway, Integer> count = new HashMap<>();
        for (String b : BLOCKS) for (Gateway g : o.owners(b)) count.merge(g, 1, Integer::sum);
        // 2,000 blocks over 4 gateways per zone: 500 each; a hash spreads them within a few standard deviations.
        for (Map.Entry<Gateway, Integer> e : count.entrySet()) {
            assertTrue(Math.abs(e.getValue() - 500) < 100, e.getKey() + " owns " + e.getValue() + " blocks");
        }
        assertEquals(8, count.size());
    }

    @Test
    void aGatewayThatLeavesMovesOnlyItsOwnBlocks() {
        for (int rf = 1; rf <= 3; rf++) {
            List<Gateway> all = twoZones(3);
            all.add(gw(200, "zone-c"));
            BlockOwnership before = new BlockOwnership(all, rf);
            for (Gateway leaving : all) {
                List<Gateway> rest = new ArrayList<>(all);
                rest.remove(leaving);
                BlockOwnership after = new BlockOwnership(rest, rf);
                int moved = 0;
                for (String b : BLOCKS) {
                    List<Gateway> was = before.owners(b);
                    List<Gateway> is = after.owners(b);
                    if (!was.contains(leaving)) {
                        assertEquals(Set.copyOf(was), Set.copyOf(is), "rf " + rf + ": " + leaving + " left; block " + b
                                + " was not its, yet its owners changed");
                    } else {
                        moved++;
                        List<Gateway> stay = new ArrayList<>(was);
                        stay.remove(leaving);
                        assertTrue(is.containsAll(stay), "rf " + rf + ": the other owners of " + b + " keep it: " + was + " → " + is);
                        assertEquals(was.size(), is.size(), "the block found a new owner");
                    }
                }
                assertTrue(moved > 0, leaving + " owned some blocks");
            }
        }
    }

    @Test
    void aGatewayThatJoinsTakesBlocksOnlyFromOneOwnerEach() {
        BlockOwnership before = new BlockOwnership(twoZones(2), 2);
        List<Gateway> more = twoZones(2);
        Gateway joining = gw(50, "zone-a");
        more.add(joining);
        BlockOwnership after = new BlockOwnership(more, 2);
        int taken = 0;
        for (String b : BLOCKS) {
            List<Gateway> was = before.owners(b);
            List<Gateway> is = after.owners(b);
            if (!is.contains(joining)) {
                assertEquals(Set.copyOf(was), Set.copyOf(is), b + " did not go to the new gateway, yet moved");
                continue;
            }
            taken++;
            Set<Gateway> lost = new HashSet<>(was);
            lost.removeAll(is);
            assertEquals(1, lost.size(), b + ": only the replica of the new gateway's zone moves: " + was + " → " + is);
            assertEquals("zone-a", lost.iterator().next().zone());
        }
        // One third of zone-a's blocks go to the third zone-a gateway.
        assertTrue(Math.abs(taken - BLOCKS.size() / 3) < 120, "took " + taken);
    }

    @Test
    void theAnswerDependsOnlyOnMembershipNotOnItsOrder() {
        List<Gateway> all = twoZones(3);
        List<Gateway> reversed = new ArrayList<>(all);
        java.util.Collections.reverse(reversed);
        assertEquals(owners(new BlockOwnership(all, 2)), owners(new BlockOwnership(reversed, 2)));
        // The hash is part of the cluster's protocol (queriers and gateways must agree, across
        // builds too during a rolling upgrade): pinned against an accidental change.
        assertEquals(PINNED_HASH, BlockOwnership.hash("01JEXAMPLE0000000000000000", 0));
        assertEquals(List.of(gw(0, "zone-a"), gw(100, "zone-b")), new BlockOwnership(all, 2).owners("01JEXAMPLE0000000000000000"));
    }

    @Test
    void aGatewayIsInOneZone() {
        assertThrows(IllegalArgumentException.class, () -> new BlockOwnership(List.of(gw(1, "zone-a"), gw(1, "zone-b")), 2));
        assertThrows(IllegalArgumentException.class, () -> new BlockOwnership(List.of(gw(1, "zone-a")), 0));
    }
}
