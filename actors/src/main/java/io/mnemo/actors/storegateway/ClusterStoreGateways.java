package io.mnemo.actors.storegateway;

import io.mnemo.cluster.BlockOwnership;
import io.mnemo.cluster.BlockOwnership.Gateway;
import io.mnemo.cluster.StoreGatewayMembers;
import java.util.HashMap;
import java.util.Map;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.receptionist.Receptionist;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.typed.Cluster;

/**
 * The store-gateways of this node's cluster: ownership from Pekko's membership
 * ({@link StoreGatewayMembers}), their actors from the receptionist (kept current by a
 * subscription), reachability from the cluster's failure detector.
 */
public final class ClusterStoreGateways implements StoreGateways {
    private final Cluster cluster;
    private final int replicationFactor;
    private volatile Map<String, ActorRef<StoreGatewayCommand>> refs = Map.of();

    public ClusterStoreGateways(ActorSystem<?> system, int replicationFactor) {
        this.cluster = Cluster.get(system);
        this.replicationFactor = replicationFactor;
        system.systemActorOf(listing(), "store-gateway-listing", Props.empty());
    }

    @Override
    public BlockOwnership ownership() {
        return StoreGatewayMembers.ownership(cluster.state().getMembers(), replicationFactor);
    }

    @Override
    public ActorRef<StoreGatewayCommand> ref(Gateway gateway) {
        return refs.get(gateway.address());
    }

    @Override
    public boolean reachable(Gateway gateway) {
        for (Member m : cluster.state().getUnreachable()) {
            if (m.address().toString().equals(gateway.address())) return false;
        }
        return true;
    }

    /** Keeps {@link #refs} as the receptionist lists the gateways, by their node's address. */
    private Behavior<Receptionist.Listing> listing() {
        return Behaviors.setup(ctx -> {
            ctx.getSystem().receptionist().tell(Receptionist.subscribe(StoreGateway.KEY, ctx.getSelf()));
            return Behaviors.receiveMessage(listing -> {
                Map<String, ActorRef<StoreGatewayCommand>> next = new HashMap<>();
                for (ActorRef<StoreGatewayCommand> ref : listing.getServiceInstances(StoreGateway.KEY)) {
                    Address a = ref.path().address();
                    // This node's own gateway is listed by a local path, without host and port.
                    next.put((a.hasLocalScope() ? cluster.selfMember().address() : a).toString(), ref);
                }
                refs = Map.copyOf(next);
                return Behaviors.same();
            });
        });
    }
}
