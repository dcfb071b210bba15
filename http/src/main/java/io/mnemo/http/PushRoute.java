package io.mnemo.http;

import io.mnemo.actors.MnemoMetrics;
import io.mnemo.actors.MnemoSettings;
import io.mnemo.actors.TenantId;
import io.mnemo.actors.distributor.Distributor;
import java.util.Optional;
import java.util.OptionalLong;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.http.scaladsl.model.EntityStreamSizeException;

/** {@code POST /api/v1/push}: Prometheus remote write 1.0 into the distributor. */
final class PushRoute extends AllDirectives {
    private static final long READ_TIMEOUT_MS = 60_000;

    private final MnemoSettings settings;
    private final MnemoMetrics metrics;
    private final Distributor distributor;
    private final Tenants tenants;

    PushRoute(MnemoSettings settings, MnemoMetrics metrics, Distributor distributor, Tenants tenants) {
        this.settings = settings;
        this.metrics = metrics;
        this.distributor = distributor;
        this.tenants = tenants;
    }

    Route route() {
        return extractRequest(this::push);
    }

    private Route push(HttpRequest request) {
        Optional<String> tenant = tenants.tenant(request);
        if (tenant.isEmpty()) return refuse("no_org_id", StatusCodes.UNAUTHORIZED, Tenants.NO_ORG_ID);
        String invalid = TenantId.validate(tenant.get());
        if (invalid != null) return refuse("invalid_tenant", StatusCodes.BAD_REQUEST, invalid);

        long max = settings.maxRequestBodySize();
        OptionalLong length = request.entity().getContentLengthOption();
        if (length.isPresent() && length.getAsLong() > max) return tooLarge(length.getAsLong(), max);

        return extractMaterializer(mat -> onComplete(
                request.entity().withSizeLimit(max).toStrict(READ_TIMEOUT_MS, mat),
                body -> {
                    if (body.isFailure()) {
                        if (causedBy(body.failed().get(), EntityStreamSizeException.class)) return tooLarge(-1, max);
                        return refuse("read_error", StatusCodes.BAD_REQUEST, "failed to read request body: " + body.failed().get().getMessage());
                    }
                    byte[] bytes = body.get().getData().toArray();
                    return onSuccess(distributor.push(tenant.get(), bytes), result -> {
                        if (result.ok()) return complete(StatusCodes.OK);
                        return complete(StatusCodes.get(result.status()), result.message());
                    });
                }));
    }

    private Route tooLarge(long size, long max) {
        String msg = "the incoming push request has been rejected because its message size"
                + (size >= 0 ? " of " + size + " bytes" : "") + " is larger than the allowed limit of " + max
                + " bytes (mnemo.distributor.max-request-body-size)";
        return refuse("request_too_large", StatusCodes.PAYLOAD_TOO_LARGE, msg);
    }

    private Route refuse(String reason, org.apache.pekko.http.javadsl.model.StatusCode status, String message) {
        metrics.rejectedRequests.labelValues(reason).inc();
        return complete(status, message);
    }

    private static boolean causedBy(Throwable t, Class<? extends Throwable> type) {
        for (Throwable c = t; c != null; c = c.getCause()) if (type.isInstance(c)) return true;
        return false;
    }
}
