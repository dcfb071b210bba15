package io.mnemo.http;

import static org.apache.pekko.http.javadsl.server.PathMatchers.segment;

import io.mnemo.actors.MnemoMetrics;
import io.mnemo.actors.MnemoSettings;
import io.mnemo.actors.distributor.Distributor;
import io.mnemo.actors.compactor.TenantDeletion;
import io.mnemo.actors.ingest.PartitionOffsets;
import io.mnemo.actors.ingest.TopicReplicationWatch;
import io.mnemo.actors.ingester.IngesterCommand.AcceptDataLossReply;
import io.mnemo.actors.querier.TenantQueryable;
import io.mnemo.actors.storegateway.StoreGateways;
import io.mnemo.actors.storegateway.SyncStatus;
import io.mnemo.cluster.Ring;
import io.mnemo.cluster.RingKeeper;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import org.apache.pekko.actor.typed.ActorRef;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;
import org.apache.pekko.http.javadsl.model.ContentType;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;

/** Every HTTP route of a node, on Mimir's paths. */
public final class MnemoRoutes extends AllDirectives {
    private static final ContentType METRICS_TYPE =
            ContentTypes.parse("text/plain; version=0.0.4; charset=utf-8");

    private final MnemoMetrics metrics;
    private final Supplier<CompletionStage<Readiness>> ready;
    private final Supplier<CompletionStage<FlushReport>> flush;
    private final PushRoute push;
    private final OtlpRoute otlp;
    private final PrometheusApi prometheusApi;
    private final RingRoutes ring;
    private final DistributorStatusRoute distributorStatus;
    private final QuerierStatusRoute querierStatus;
    private final StoreGatewayStatusRoute storeGatewayStatus;
    private final DataLossRoute dataLoss;
    private final TenantDeletionRoute tenantDeletion;

    /**
     * @param distributor      null on a node without the distributor role (pushes are answered 404)
     * @param storeGatewaySync null on a node without the store-gateway role
     * @param tenantDeletion   marks tenants for deletion in the bucket (every node has the bucket)
     * @param blocking         where bucket calls of HTTP requests run
     */
    public MnemoRoutes(MnemoSettings settings, MnemoMetrics metrics, Distributor distributor,
                       TenantQueryable querier, Ring ring, ActorRef<RingKeeper.Command> ringKeeper,
                       PartitionOffsets offsets, TopicReplicationWatch replication, String node,
                       Supplier<CompletionStage<Readiness>> ready, Supplier<CompletionStage<FlushReport>> flush,
                       java.util.function.Function<java.util.OptionalInt, CompletionStage<java.util.List<AcceptDataLossReply>>>
                               acceptDataLoss, StoreGateways storeGateways, SyncStatus storeGatewaySync,
                       TenantDeletion tenantDeletion, java.util.concurrent.Executor blocking) {
        this.metrics = metrics;
        this.ready = ready;
        this.flush = flush;
        Tenants tenants = new Tenants(settings);
        this.push = new PushRoute(settings, metrics, distributor, tenants);
        this.otlp = new OtlpRoute(settings, metrics, distributor, tenants);
        this.prometheusApi = new PrometheusApi(settings, metrics, querier, tenants);
        this.ring = new RingRoutes(ring, ringKeeper);
        this.distributorStatus = new DistributorStatusRoute(settings, metrics, offsets, replication, node);
        this.querierStatus = new QuerierStatusRoute(settings, ring, node);
        this.storeGatewayStatus = new StoreGatewayStatusRoute(settings, storeGatewaySync, storeGateways, node);
        this.dataLoss = new DataLossRoute(settings.zone(), acceptDataLoss);
        this.tenantDeletion = new TenantDeletionRoute(tenants, tenantDeletion, blocking);
    }

    public Route routes() {
        return concat(
                path(segment("api").slash("v1").slash("push"), () -> post(push::route)),
                path(segment("otlp").slash("v1").slash("metrics"), () -> post(otlp::route)),
                pathPrefix(segment("prometheus").slash("api").slash("v1"), prometheusApi::route),
                ring.route(),
                path(segment("distributor").slash("status"), () -> get(() -> acceptsJson(distributorStatus::route))),
                path(segment("querier").slash("status"), () -> get(() -> acceptsJson(querierStatus::route))),
                path(segment("store-gateway").slash("status"), () -> get(() -> acceptsJson(storeGatewayStatus::route))),
                path(segment("ingester").slash("flush"), () -> post(() ->
                        onSuccess(flush.get(), report -> complete(
                                report.failed() ? StatusCodes.INTERNAL_SERVER_ERROR : StatusCodes.OK, report.text())))),
                dataLoss.route(),
                tenantDeletion.route(),
                path("ready", () -> get(this::ready)),
                path("metrics", () -> get(this::metrics)));
    }

    /** JSON for {@code Accept: application/json}, HTML otherwise. */
    private Route acceptsJson(java.util.function.Function<Boolean, Route> page) {
        return optionalHeaderValueByName("Accept", accept ->
                page.apply(accept.map(a -> a.contains("application/json")).orElse(false)));
    }

    private Route ready() {
        return onSuccess(ready.get(), r -> r.ready()
                ? complete(StatusCodes.OK, r.reason())
                : complete(StatusCodes.SERVICE_UNAVAILABLE, "not ready: " + r.reason()));
    }

    private Route metrics() {
        ByteArrayOutputStream out = new ByteArrayOutputStream(16 * 1024);
        try {
            new PrometheusTextFormatWriter(false).write(out, metrics.registry.scrape());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return complete(HttpResponse.create().withEntity(HttpEntities.create(METRICS_TYPE, out.toByteArray())));
    }
}
