package io.mnemo.http;

import io.mnemo.actors.MnemoSettings;
import io.mnemo.cluster.ReaderChoice;
import io.mnemo.cluster.Ring;
import io.mnemo.cluster.RingView;
import java.util.stream.Collectors;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * {@code GET /querier/status}: for every partition, the ingester this node's querier would read it
 * from right now, why that one (its state, its zone against the querier's), and which it would try
 * next — the same choice queries make, from this node's copy of the ring.
 */
final class QuerierStatusRoute extends AllDirectives {
    private final MnemoSettings settings;
    private final Ring ring;
    private final String node;

    QuerierStatusRoute(MnemoSettings settings, Ring ring, String node) {
        this.settings = settings;
        this.ring = ring;
        this.node = node;
    }

    Route route(boolean json) {
        RingView view = ring.view();
        StatusPage page = new StatusPage("Mnemo querier")
                .field("node", node)
                .field("querierRole", settings.hasRole("querier"))
                .field("zone", settings.zone())
                .field("zones", String.join(",", settings.zones()))
                .field("heartbeatTimeout", ring.heartbeatTimeout().toString())
                .field("ingesterTimeout", settings.ingesterQueryTimeout().toString());
        int readable = 0;
        StatusPage.Table partitions = page.table("partitions",
                "partition", "reader", "state", "zone", "node", "reason", "fallbacks");
        for (int p = 0; p < settings.partitions(); p++) {
            ReaderChoice c = ReaderChoice.of(view, p, settings.zone());
            RingView.Member r = c.reader().orElse(null);
            if (r != null) readable++;
            partitions.row(p, r == null ? null : r.id().toString(), r == null ? null : r.effectiveState().name(),
                    r == null ? null : r.id().zone(), r == null ? null : r.desc().node(), c.reason(),
                    c.fallbacks().stream().map(m -> m.id() + " " + m.effectiveState()).collect(Collectors.joining(", ")));
        }
        page.field("readablePartitions", readable).field("partitionCount", settings.partitions());
        return complete(page.render(json));
    }
}
