package io.mnemo.http;

import io.mnemo.actors.MnemoSettings;
import io.mnemo.actors.storegateway.StoreGateways;
import io.mnemo.actors.storegateway.SyncStatus;
import io.mnemo.cluster.BlockOwnership;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * {@code GET /store-gateway/status}: this node's store-gateway (its syncs and the blocks it serves)
 * and the cluster's store-gateways as this node's querier sees them (zone, reachable, registered),
 * which together decide who is asked for which block.
 */
final class StoreGatewayStatusRoute extends AllDirectives {
    private final MnemoSettings settings;
    private final SyncStatus sync;
    private final StoreGateways gateways;
    private final String node;

    /** @param sync null on a node without the store-gateway role */
    StoreGatewayStatusRoute(MnemoSettings settings, SyncStatus sync, StoreGateways gateways, String node) {
        this.settings = settings;
        this.sync = sync;
        this.gateways = gateways;
        this.node = node;
    }

    Route route(boolean json) {
        MnemoSettings.BucketStoreSettings b = settings.bucketStore();
        StatusPage page = new StatusPage("Mnemo store-gateway")
                .field("node", node)
                .field("storeGatewayRole", sync != null)
                .field("zone", settings.zone())
                .field("replicationFactor", settings.storeGatewayReplicationFactor())
                .field("syncInterval", b.syncInterval().toString())
                .field("ignoreBlocksWithin", b.ignoreBlocksWithin().toString())
                .field("queryStoreAfter", settings.queryStoreAfter().toString())
                .field("queryIngestersWithin", settings.queryIngestersWithin().toString());
        if (sync != null) {
            page.field("lastSync", sync.lastSync() == null ? null : sync.lastSync().toString())
                    .field("lastSyncFailure", sync.lastFailure())
                    .field("blocksLoaded", sync.blocksLoaded());
        }
        BlockOwnership ownership = gateways.ownership();
        StatusPage.Table members = page.table("storeGateways", "address", "zone", "reachable", "registered");
        for (BlockOwnership.Gateway g : ownership.gateways()) {
            members.row(g.address(), g.zone(), gateways.reachable(g), gateways.ref(g) != null);
        }
        if (sync != null) {
            StatusPage.Table blocks = page.table("blocks", "tenant", "block", "minTime", "maxTime", "series", "samples");
            for (SyncStatus.LoadedBlock l : sync.loaded()) {
                blocks.row(l.tenant(), l.ulid(), l.minTime(), l.maxTime(), l.series(), l.samples());
            }
        }
        return complete(page.render(json));
    }
}
