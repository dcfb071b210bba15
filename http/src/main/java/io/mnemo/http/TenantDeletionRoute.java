package io.mnemo.http;

import static org.apache.pekko.http.javadsl.server.PathMatchers.segment;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.mnemo.actors.TenantId;
import io.mnemo.actors.compactor.TenantDeletion;
import java.io.IOException;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * Mimir's tenant deletion API, for the tenant of {@code X-Scope-OrgID}:
 * {@code POST /compactor/delete_tenant} marks it for deletion (200, empty body; the owning
 * compactor deletes its blocks at its next cleanup), and {@code GET /compactor/delete_tenant_status}
 * answers {@code {"tenant_id": "...", "blocks_deleted": true|false}}. 401 without a tenant, 400
 * for an invalid one, 503 naming the bucket when the bucket fails. Bucket calls run on the
 * blocking-IO dispatcher.
 */
final class TenantDeletionRoute extends AllDirectives {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Tenants tenants;
    private final TenantDeletion deletion;
    private final Executor blocking;

    TenantDeletionRoute(Tenants tenants, TenantDeletion deletion, Executor blocking) {
        this.tenants = tenants;
        this.deletion = deletion;
        this.blocking = blocking;
    }

    Route route() {
        return concat(
                path(segment("compactor").slash("delete_tenant"), () -> post(() -> extractRequest(r -> withTenant(r, tenant ->
                        call(() -> {
                            deletion.request(tenant);
                            return HttpResponse.create().withStatus(StatusCodes.OK);
                        }))))),
                path(segment("compactor").slash("delete_tenant_status"), () -> get(() -> extractRequest(r -> withTenant(r, tenant ->
                        call(() -> {
                            boolean deleted = deletion.blocksDeleted(tenant);
                            byte[] body = JSON.writeValueAsBytes(JSON.createObjectNode().put("tenant_id", tenant)
                                    .put("blocks_deleted", deleted));
                            return HttpResponse.create().withEntity(HttpEntities.create(ContentTypes.APPLICATION_JSON, body));
                        }))))));
    }

    private Route withTenant(HttpRequest request, java.util.function.Function<String, Route> inner) {
        Optional<String> tenant = tenants.tenant(request);
        if (tenant.isEmpty()) return complete(StatusCodes.UNAUTHORIZED, Tenants.NO_ORG_ID);
        String invalid = TenantId.validate(tenant.get());
        if (invalid != null) return complete(StatusCodes.BAD_REQUEST, invalid);
        return inner.apply(tenant.get());
    }

    @FunctionalInterface
    private interface BucketCall {
        HttpResponse run() throws IOException;
    }

    private Route call(BucketCall call) {
        return onSuccess(CompletableFuture.supplyAsync(() -> {
            try {
                return call.run();
            } catch (IOException e) {
                throw new CompletionException(e);
            }
        }, blocking).exceptionally(e -> HttpResponse.create().withStatus(StatusCodes.SERVICE_UNAVAILABLE)
                .withEntity("the bucket failed: " + (e.getCause() != null ? e.getCause() : e))), this::complete);
    }
}
