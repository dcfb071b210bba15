package io.mnemo.http;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import io.mnemo.actors.MnemoMetrics;
import io.mnemo.actors.MnemoSettings;
import io.mnemo.actors.TenantId;
import io.mnemo.actors.distributor.Distributor;
import io.mnemo.actors.distributor.PushResult;
import io.mnemo.actors.wire.ProtobufWriter;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import org.apache.pekko.http.javadsl.model.ContentType;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpHeader;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.MediaTypes;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.headers.Connection;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * {@code POST /otlp/v1/metrics}: OpenTelemetry's OTLP/HTTP metrics export into the distributor
 * (Mimir's path), with the tenant rules of remote write. {@code application/x-protobuf} or
 * {@code application/json}, uncompressed or {@code Content-Encoding: gzip}; anything else is
 * answered 415. The body is read up to {@code mnemo.distributor.max-otlp-request-size} (Mimir's
 * {@code max_otlp_request_size}, which bounds the decompressed size too): beyond, 413.
 *
 * <p>Answers as OTLP/HTTP asks and Mimir gives them, in the request's encoding (protobuf when that
 * was not one of the two): 200 with an empty {@code ExportMetricsServiceResponse} when everything
 * was written; otherwise the status (400 naming the metric, series or limit, 413, 415, 401, 503
 * when Kafka did not acknowledge) with a {@code google.rpc.Status} body carrying the message.
 */
final class OtlpRoute extends AllDirectives {
    private static final Duration READ_TIMEOUT = Duration.ofSeconds(60);
    static final String PROTOBUF = "application/x-protobuf";
    static final String JSON = "application/json";
    private static final ContentType.Binary PROTOBUF_TYPE = ContentTypes.create(MediaTypes.applicationBinary("x-protobuf", true));

    private final MnemoSettings settings;
    private final MnemoMetrics metrics;
    private final Distributor distributor;
    private final Tenants tenants;

    /** @param distributor null on a node without the distributor role: every push is answered 404 */
    OtlpRoute(MnemoSettings settings, MnemoMetrics metrics, Distributor distributor, Tenants tenants) {
        this.settings = settings;
        this.metrics = metrics;
        this.distributor = distributor;
        this.tenants = tenants;
    }

    Route route() {
        return extractRequest(this::push);
    }

    private Route push(HttpRequest request) {
        boolean json = mediaType(request).equals(JSON);
        if (distributor == null) {
            return refuseUnread(request, json, null, 404, "this node does not have the distributor role (mnemo.roles = "
                    + settings.roles() + "): send pushes to a node that has it");
        }
        Optional<String> tenant = tenants.tenant(request);
        if (tenant.isEmpty()) return refuseUnread(request, json, "no_org_id", 401, Tenants.NO_ORG_ID);
        String invalid = TenantId.validate(tenant.get());
        if (invalid != null) return refuseUnread(request, json, "invalid_tenant", 400, invalid);

        String type = mediaType(request);
        if (!type.equals(PROTOBUF) && !type.equals(JSON)) {
            return refuseUnread(request, false, "unsupported_media_type", 415, "unsupported content type: "
                    + (type.isEmpty() ? "none" : type) + ", supported: [" + JSON + ", " + PROTOBUF + "]");
        }
        String encoding = request.getHeader("Content-Encoding").map(HttpHeader::value).orElse("").trim().toLowerCase(Locale.ROOT);
        if (!encoding.isEmpty() && !encoding.equals("gzip") && !encoding.equals("identity")) {
            return refuseUnread(request, json, "unsupported_media_type", 415, "unsupported compression: " + encoding
                    + ". Only \"gzip\" or no compression supported");
        }
        boolean gzip = encoding.equals("gzip");

        long max = settings.maxOtlpRequestSize();
        return extractMaterializer(mat -> onComplete(
                BoundedBody.read(request.entity(), max, PushRoute.drainLimit(mat), READ_TIMEOUT, mat),
                body -> {
                    if (body.isFailure()) {
                        if (PushRoute.isTooLarge(body.failed().get())) {
                            return respondWithHeader(Connection.create("close"), () -> refuse(json, "request_too_large", 413, tooLarge(max)));
                        }
                        return refuse(json, "read_error", 400, "failed to read request body: " + body.failed().get().getMessage());
                    }
                    if (body.get().tooLarge()) return refuse(json, "request_too_large", 413, tooLarge(max));
                    return onSuccess(distributor.pushOtlp(tenant.get(), body.get().bytes(), json, gzip),
                            result -> complete(answer(result, json)));
                }));
    }

    private static String tooLarge(long max) {
        return "the incoming OTLP request has been rejected because its message size is larger than the allowed limit of "
                + max + " bytes (err-mnemo-distributor-max-otlp-request-size). To adjust the related limit, configure"
                + " mnemo.distributor.max-otlp-request-size";
    }

    /** The OTLP answer to a push: an empty ExportMetricsServiceResponse, or the status and a google.rpc.Status. */
    static HttpResponse answer(PushResult result, boolean json) {
        if (result.ok()) {
            return HttpResponse.create().withStatus(StatusCodes.OK).withEntity(json
                    ? HttpEntities.create(ContentTypes.APPLICATION_JSON, "{}")
                    : HttpEntities.create(PROTOBUF_TYPE, new byte[0]));
        }
        return status(result.status(), result.message(), json);
    }

    /**
     * A google.rpc.Status (code 1, message 2) answer. Its code is gRPC's for what happened where one
     * fits (3 INVALID_ARGUMENT for refused data, 14 UNAVAILABLE when Kafka did not take it), else
     * the HTTP status, as Mimir's httpgrpc errors carry it.
     */
    static HttpResponse status(int httpStatus, String message, boolean json) {
        int code = switch (httpStatus) {
            case 400 -> 3;
            case 503 -> 14;
            default -> httpStatus;
        };
        HttpResponse r = HttpResponse.create().withStatus(httpStatus);
        if (json) {
            String body = "{\"code\":" + code + ",\"message\":\""
                    + new String(JsonStringEncoder.getInstance().quoteAsString(message)) + "\"}";
            return r.withEntity(HttpEntities.create(ContentTypes.APPLICATION_JSON, body));
        }
        ProtobufWriter w = new ProtobufWriter(message.length() + 16);
        w.int64Field(1, code);
        w.bytesField(2, message.getBytes(StandardCharsets.UTF_8));
        return r.withEntity(HttpEntities.create(PROTOBUF_TYPE, w.toByteArray()));
    }

    private Route refuse(boolean json, String reason, int status, String message) {
        if (reason != null) metrics.rejectedRequests.labelValues(reason).inc();
        return complete(status(status, message, json));
    }

    /** Refuses once the body has been read and dropped (see {@link BoundedBody}), for the answer to reach the client. */
    private Route refuseUnread(HttpRequest request, boolean json, String reason, int status, String message) {
        return extractMaterializer(mat -> onComplete(request.discardEntityBytes(mat).completionStage(), drained ->
                drained.isSuccess() ? refuse(json, reason, status, message)
                        : respondWithHeader(Connection.create("close"), () -> refuse(json, reason, status, message))));
    }

    /** The media type sent, lower case and without parameters; "" for none. */
    private static String mediaType(HttpRequest request) {
        String raw = request.getHeader("Content-Type").map(HttpHeader::value).orElse(null);
        if (raw == null) {
            String rendered = request.entity().getContentType().toString();
            raw = rendered.equals("application/octet-stream") || rendered.equals("none/none") ? "" : rendered;
        }
        int semicolon = raw.indexOf(';');
        return (semicolon < 0 ? raw : raw.substring(0, semicolon)).trim().toLowerCase(Locale.ROOT);
    }
}
