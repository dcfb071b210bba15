package io.mnemo.http;

import io.mnemo.actors.MnemoMetrics;
import io.mnemo.actors.MnemoSettings;
import io.mnemo.actors.distributor.Distributor;
import java.util.Optional;
import java.util.OptionalLong;
import org.apache.pekko.http.javadsl.model.ContentType;
import org.apache.pekko.http.javadsl.model.HttpHeader;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.http.scaladsl.model.EntityStreamException;
import org.apache.pekko.http.scaladsl.model.EntityStreamSizeException;

/**
 * {@code POST /api/v1/push}: Prometheus remote write 1.0 into the distributor. The message type
 * is negotiated by Content-Type ({@link RemoteWriteNegotiation}: 415 for anything but 1.0), and
 * the body is read into memory only up to {@code mnemo.distributor.max-request-body-size}, whether
 * it comes with a Content-Length or chunked: a larger one is answered 413 as soon as that is known.
 */
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
        String invalid = Tenants.validate(tenant.get());
        if (invalid != null) return refuse("invalid_tenant", StatusCodes.BAD_REQUEST, invalid);

        String unsupported = RemoteWriteNegotiation.refusal(contentType(request),
                request.getHeader("Content-Encoding").map(HttpHeader::value).orElse(null));
        if (unsupported != null) return refuse("unsupported_media_type", StatusCodes.UNSUPPORTED_MEDIA_TYPE, unsupported);

        long max = settings.maxRequestBodySize();
        OptionalLong length = request.entity().getContentLengthOption();
        if (length.isPresent() && length.getAsLong() > max) return tooLarge(length.getAsLong(), max);

        // Both limits at max: the entity's (above Pekko's parsing.max-content-length, and for chunked
        // bodies) and toStrict's (else Pekko's max-to-strict-bytes, 8 MiB, would apply and answer 400).
        return extractMaterializer(mat -> onComplete(
                request.entity().withSizeLimit(max).toStrict(READ_TIMEOUT_MS, max, mat),
                body -> {
                    if (body.isFailure()) {
                        if (isTooLarge(body.failed().get())) return tooLarge(-1, max);
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

    /**
     * The Content-Type as sent, null when there was none. Pekko turns a missing one into
     * application/octet-stream (as RFC 9110 allows a recipient to assume), so that one stands for
     * none; a header Pekko could not parse stays among the raw headers.
     */
    private static String contentType(HttpRequest request) {
        Optional<HttpHeader> raw = request.getHeader("Content-Type");
        if (raw.isPresent()) return raw.get().value();
        ContentType type = request.entity().getContentType();
        String rendered = type.toString();
        return rendered.equals("application/octet-stream") || rendered.equals("none/none") ? null : rendered;
    }

    /** A body over the limit: the entity's size limit, or toStrict's own ("Request too large"). */
    private static boolean isTooLarge(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof EntityStreamSizeException) return true;
            if (c instanceof EntityStreamException e && e.info().summary().equals("Request too large")) return true;
        }
        return false;
    }
}
