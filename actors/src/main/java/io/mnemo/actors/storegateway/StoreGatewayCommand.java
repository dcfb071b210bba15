package io.mnemo.actors.storegateway;

import io.mnemo.actors.MatcherSpec;
import io.mnemo.persistence.MnemoSerializable;
import org.apache.pekko.actor.typed.ActorRef;

/** What a {@link StoreGateway} is asked: reads by queriers, and its own sync schedule. */
public sealed interface StoreGatewayCommand {

    /**
     * Series of a tenant's blocks (those of {@code blocks}, by ULID, that this gateway has loaded)
     * matching the matchers, with chunks in [mint, maxt], or their label sets alone.
     */
    record Select(String tenant, long mint, long maxt, MatcherSpec[] matchers, boolean labelsOnly, String[] blocks,
                  ActorRef<StoreGatewayReply> replyTo) implements StoreGatewayCommand, MnemoSerializable {}

    /** Label names ({@code name} null) or one label's values over the same blocks. */
    record LabelQuery(String tenant, String name, long mint, long maxt, MatcherSpec[] matchers, String[] blocks,
                      ActorRef<StoreGatewayReply> replyTo) implements StoreGatewayCommand, MnemoSerializable {}

    /** Lists the bucket now and loads and drops blocks to match what this gateway owns (timer, membership change). */
    record Sync() implements StoreGatewayCommand {}

    /**
     * Stop serving: reads from now on are refused as unavailable (queriers ask replicas), the
     * bucket store closes, then the gateway stops and answers.
     */
    record Stop(ActorRef<org.apache.pekko.Done> replyTo) implements StoreGatewayCommand {}

    /** The cluster's members changed; {@code storeGateway}: a store-gateway's membership did. */
    record MembersChanged(boolean storeGateway) implements StoreGatewayCommand {}

    /** A sync ended (on the sync thread): what it did, how long it took, or its failure. */
    record Synced(io.mnemo.bucketstore.BucketStore.SyncResult result, long nanos, Throwable failure) implements StoreGatewayCommand {}
}
