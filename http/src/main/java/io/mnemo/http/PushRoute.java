package io.mnemo.http;

import io.mnemo.actors.MnemoMetrics;
import io.mnemo.actors.MnemoSettings;
import io.mnemo.actors.TenantId;
import io.mnemo.actors.distributor.Distributor;
import io.mnemo.actors.distributor.PushResult;
import io.mnemo.actors.distributor.RemoteWriteVersion;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import org.apache.pekko.http.javadsl.model.ContentType;
import org.apache.pekko.http.javadsl.model.HttpHeader;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.StatusCode;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.headers.Connection;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.stream.Materializer;
import org.apache.pekko.http.scaladsl.model.EntityStreamSizeException;

/**
 * {@code POST /api/v1/push}: Prometheus remote write 1.0 and 2.0 into the distributor. The message
 * type is negotiated by Content-Type ({@link RemoteWriteNegotiation}: 415 for anything else), a 2.0
 * answer carries the {@code X-Prometheus-Remote-Write-*-Written} headers, and
 * the body is kept in memory only up to {@code mnemo.distributor.max-request-body-size}, whether
 * it comes with a Content-Length or chunked ({@link BoundedBody}): a larger one is answered 413,
 * once read and dropped up to Pekko's {@code parsing.max-content-length}, beyond which the
 * connection is closed.
 *
 * <p>Only a node with the distributor role has a distributor: on any other node the route answers
 * 404, naming the role, so that a remote-write client pointed at the wrong node is told so instead
 * of retrying.
 */
final class PushRoute extends AllDirectives {
    private static final Duration READ_TIMEOUT = Duration.ofSeconds(60);
    static final String SAMPLES_WRITTEN = "X-Prometheus-Remote-Write-Samples-Written";
    static final String HISTOGRAMS_WRITTEN = "X-Prometheus-Remote-Write-Histograms-Written";
    static final String EXEMPLARS_WRITTEN = "X-Prometheus-Remote-Write-Exemplars-Written";

    private final MnemoSettings settings;
    private final MnemoMetrics metrics;
    /** Null on a node without the distributor role. */
    private final Distributor distributor;
    private final Tenants tenants;

    /** @param distributor null on a node without the distributor role: every push is answered 404 */
    PushRoute(MnemoSettings settings, MnemoMetrics metrics, Distributor distributor, Tenants tenants) {
        this.settings = settings;
        this.metrics = metrics;
        this.distributor = distributor;
        this.tenants = tenants;
    }

    Route route() {
        return distributor == null ? extractRequest(this::notADistributor) : extractRequest(this::push);
    }

    /** A push to a node without a distributor: 404 once the body is read and dropped; not counted. */
    private Route notADistributor(HttpRequest request) {
        String message = "this node does not have the distributor role (mnemo.roles = " + settings.roles()
                + "): send pushes to a node that has it";
        return extractMaterializer(mat -> onComplete(request.discardEntityBytes(mat).completionStage(), drained ->
                drained.isSuccess() ? complete(StatusCodes.NOT_FOUND, message)
                        : respondWithHeader(Connection.create("close"), () -> complete(StatusCodes.NOT_FOUND, message))));
    }

    private Route push(HttpRequest request) {
        Optional<String> tenant = tenants.tenant(request);
        if (tenant.isEmpty()) return refuseUnread(request, "no_org_id", StatusCodes.UNAUTHORIZED, Tenants.NO_ORG_ID);
        String invalid = TenantId.validate(tenant.get());
        if (invalid != null) return refuseUnread(request, "invalid_tenant", StatusCodes.BAD_REQUEST, invalid);

        RemoteWriteNegotiation.Outcome negotiated = RemoteWriteNegotiation.negotiate(contentType(request),
                request.getHeader("Content-Encoding").map(HttpHeader::value).orElse(null));
        if (negotiated.refused()) {
            return refuseUnread(request, "unsupported_media_type", StatusCodes.UNSUPPORTED_MEDIA_TYPE, negotiated.refusal());
        }
        RemoteWriteVersion version = negotiated.version();

        long max = settings.maxRequestBodySize();
        return extractMaterializer(mat -> onComplete(
                BoundedBody.read(request.entity(), max, drainLimit(mat), READ_TIMEOUT, mat),
                body -> {
                    if (body.isFailure()) {
                        // Beyond the drain limit the rest is not read: the connection cannot carry another request.
                        if (isTooLarge(body.failed().get())) {
                            OptionalLong length = request.entity().getContentLengthOption();
                            return respondWithHeader(Connection.create("close"),
                                    () -> tooLarge(length.isPresent() ? length.getAsLong() : -1, max));
                        }
                        return refuse("read_error", StatusCodes.BAD_REQUEST, "failed to read request body: " + body.failed().get().getMessage());
                    }
                    if (body.get().tooLarge()) return tooLarge(body.get().size(), max);
                    return onSuccess(distributor.push(tenant.get(), body.get().bytes(), version), result -> {
                        Route answer = result.ok() ? complete(StatusCodes.OK)
                                : complete(StatusCodes.get(result.status()), result.message());
                        return version == RemoteWriteVersion.V2 ? respondWithHeaders(written(result), () -> answer) : answer;
                    });
                }));
    }

    /**
     * Remote write 2.0's answer headers: what was written, also on a 400 where the valid rest was.
     * Remote write 1.0 answers go without them, as Prometheus 3's do.
     */
    private static List<HttpHeader> written(PushResult result) {
        return List.of(RawHeader.create(SAMPLES_WRITTEN, Integer.toString(result.samplesWritten())),
                RawHeader.create(HISTOGRAMS_WRITTEN, Integer.toString(result.histogramsWritten())),
                RawHeader.create(EXEMPLARS_WRITTEN, Integer.toString(result.exemplarsWritten())));
    }

    private Route tooLarge(long size, long max) {
        String msg = "the incoming push request has been rejected because its message size"
                + (size >= 0 ? " of " + size + " bytes" : "") + " is larger than the allowed limit of " + max
                + " bytes (mnemo.distributor.max-request-body-size)";
        return refuse("request_too_large", StatusCodes.PAYLOAD_TOO_LARGE, msg);
    }

    /** The most a push body is read, kept or not: Pekko's parsing.max-content-length. */
    static long drainLimit(Materializer mat) {
        return mat.system().settings().config().getBytes("pekko.http.server.parsing.max-content-length");
    }

    private Route refuse(String reason, StatusCode status, String message) {
        metrics.rejectedRequests.labelValues(reason).inc();
        return complete(status, message);
    }

    /**
     * Refuses a request without looking at its body, once the body has been read and dropped (up
     * to Pekko's parsing.max-content-length; beyond it the connection is closed), for the answer
     * to reach a client still sending it (see {@link BoundedBody}).
     */
    private Route refuseUnread(HttpRequest request, String reason, StatusCode status, String message) {
        return extractMaterializer(mat -> onComplete(request.discardEntityBytes(mat).completionStage(), drained ->
                drained.isSuccess() ? refuse(reason, status, message)
                        : respondWithHeader(Connection.create("close"), () -> refuse(reason, status, message))));
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

    /** A body beyond the drain limit (the entity's size limit tripped). */
    static boolean isTooLarge(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) if (c instanceof EntityStreamSizeException) return true;
        return false;
    }
}
