package io.mnemo.actors.storegateway;

import io.mnemo.cluster.BlockOwnership;
import io.mnemo.cluster.BlockOwnership.Gateway;
import org.apache.pekko.actor.typed.ActorRef;

/** The store-gateways as a querier sees them: who owns which block, and how to reach each. */
public interface StoreGateways {

    /** The ownership of blocks now, from the cluster's store-gateways: the same function they sync by. */
    BlockOwnership ownership();

    /** The gateway's actor, or null when it has not registered (yet, or any more). */
    ActorRef<StoreGatewayCommand> ref(Gateway gateway);

    /** Whether the gateway's node is reachable now: replicas on reachable nodes are asked first. */
    boolean reachable(Gateway gateway);
}
