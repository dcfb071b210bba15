package io.mnemo.cluster;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.pekko.actor.ActorRef;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.actor.Address;
import org.apache.pekko.cluster.Cluster;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.sharding.ShardCoordinator;
import scala.collection.immutable.IndexedSeq;
import scala.concurrent.Future;
import scala.jdk.javaapi.CollectionConverters;

/**
 * The shard allocation strategy of one zone's ingester entity type: {@link StickyAllocation}'s
 * decisions applied to the shard regions the coordinator knows, with journal homes from
 * {@link JournalHomes}. It rebalances only while every node of the zone is an Up, reachable member:
 * moving shards while a node comes or goes would be undone a moment later.
 */
public final class IngesterShardAllocation extends ShardCoordinator.AbstractShardAllocationStrategy
        implements ShardCoordinator.ActorSystemDependentAllocationStrategy {
    private final String zone;
    private final StickyAllocation decisions;
    private final JournalHomes homes;
    private volatile Cluster cluster;

    public IngesterShardAllocation(String zone, int partitions, JournalHomes homes) {
        this.zone = zone;
        this.decisions = new StickyAllocation(partitions);
        this.homes = homes;
    }

    @Override
    public void start(ActorSystem system) {
        cluster = Cluster.get(system);
    }

    @Override
    public Future<ActorRef> allocateShard(ActorRef requester, String shardId,
                                          Map<ActorRef, IndexedSeq<String>> currentShardAllocations) {
        Map<String, ActorRef> regions = new HashMap<>();
        Map<String, List<String>> shards = shardsByNode(currentShardAllocations, regions);
        String node = decisions.allocate(shardId, shards, homes.partitionsHeld(zone, uids(regions.keySet())));
        return Future.successful(regions.get(node));
    }

    @Override
    public Future<java.util.Set<String>> rebalance(Map<ActorRef, IndexedSeq<String>> currentShardAllocations,
                                                   java.util.Set<String> rebalanceInProgress) {
        if (!rebalanceInProgress.isEmpty() || !settled(currentShardAllocations.keySet())) {
            return Future.successful(Set.of());
        }
        Map<String, List<String>> shards = shardsByNode(currentShardAllocations, new HashMap<>());
        return Future.successful(decisions.rebalance(shards, homes.partitionsHeld(zone, uids(shards.keySet()))));
    }

    /** True when every region's node is an Up member that this node can reach. */
    private boolean settled(java.util.Set<ActorRef> regions) {
        for (ActorRef region : regions) {
            Member m = member(address(region));
            if (m == null || m.status() != MemberStatus.up()) return false;
        }
        return cluster.state().getUnreachable().isEmpty();
    }

    private Map<String, List<String>> shardsByNode(Map<ActorRef, IndexedSeq<String>> allocations,
                                                   Map<String, ActorRef> regions) {
        Map<String, List<String>> out = new HashMap<>();
        allocations.forEach((region, shards) -> {
            String node = address(region).toString();
            regions.put(node, region);
            out.put(node, CollectionConverters.asJava(shards));
        });
        return out;
    }

    private Map<String, Long> uids(java.util.Set<String> nodes) {
        Map<String, Long> out = new HashMap<>();
        for (Member m : cluster.state().getMembers()) {
            String node = m.address().toString();
            if (nodes.contains(node)) out.put(node, m.uniqueAddress().longUid());
        }
        return out;
    }

    private Member member(Address address) {
        for (Member m : cluster.state().getMembers()) if (m.address().equals(address)) return m;
        return null;
    }

    /** A local region's path has no host: it is on this node. */
    private Address address(ActorRef region) {
        Address a = region.path().address();
        return a.host().isEmpty() ? cluster.selfAddress() : a;
    }
}
