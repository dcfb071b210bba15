package io.mnemo.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CompactorMembersTest {
    private static final List<String> THREE = List.of("pekko://mnemo@10.0.0.1:25520", "pekko://mnemo@10.0.0.2:25520",
            "pekko://mnemo@10.0.0.3:25520");

    @Test
    void everyTenantHasExactlyOneCompactorAndTheyShareTheWork() {
        CompactorMembers members = CompactorMembers.ofAddresses(THREE);
        Map<String, Integer> perCompactor = new HashMap<>();
        for (int t = 0; t < 300; t++) {
            String tenant = "tenant-" + t;
            int owners = 0;
            for (String c : THREE) if (members.owns(c, tenant)) owners++;
            assertEquals(1, owners, tenant);
            perCompactor.merge(members.owner(tenant).orElseThrow(), 1, Integer::sum);
        }
        assertEquals(3, perCompactor.size(), "every compactor has tenants: " + perCompactor);
        perCompactor.values().forEach(n -> assertTrue(n > 60, "roughly a third each: " + perCompactor));
    }

    @Test
    void onlyTheTenantsOfACompactorThatLeavesMove() {
        CompactorMembers before = CompactorMembers.ofAddresses(THREE);
        CompactorMembers after = CompactorMembers.ofAddresses(THREE.subList(0, 2));
        int moved = 0;
        for (int t = 0; t < 300; t++) {
            String tenant = "tenant-" + t;
            String was = before.owner(tenant).orElseThrow();
            String is = after.owner(tenant).orElseThrow();
            if (was.equals(THREE.get(2))) moved++;
            else assertEquals(was, is, tenant + " stays with its compactor");
        }
        assertTrue(moved > 0);
    }

    @Test
    void noCompactorNoOwner() {
        assertTrue(CompactorMembers.ofAddresses(List.of()).owner("t").isEmpty());
    }
}
