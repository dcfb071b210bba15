package io.mnemo.http;

import static org.apache.pekko.http.javadsl.server.PathMatchers.segment;

import com.fasterxml.jackson.core.JsonGenerator;
import io.mnemo.actors.MnemoMetrics;
import io.mnemo.actors.MnemoSettings;
import io.mnemo.actors.querier.BlocksUnavailableException;
import io.mnemo.actors.querier.StoreFailureException;
import io.mnemo.actors.querier.PartitionUnavailableException;
import io.mnemo.actors.querier.TenantQueryable;
import io.mnemo.actors.querier.QueryLimitExceededException;
import io.mnemo.promql.Engine;
import io.mnemo.promql.EngineOptions;
import io.mnemo.promql.PromQLException;
import io.mnemo.promql.QueryResult;
import io.mnemo.promql.TooManySamplesException;
import io.mnemo.promql.ast.Expr;
import io.mnemo.promql.ast.Exprs;
import io.mnemo.promql.ast.Prettier;
import io.mnemo.promql.ast.VectorSelector;
import io.mnemo.promql.parser.ExpressionTooDeepException;
import io.mnemo.promql.parser.ParserOptions;
import io.mnemo.promql.text.GoQuoting;
import io.mnemo.promql.text.LabelNames;
import io.mnemo.promql.value.Matrix;
import io.mnemo.promql.value.Scalar;
import io.mnemo.promql.value.StringValue;
import io.mnemo.promql.value.Value;
import io.mnemo.promql.value.Vector;
import io.mnemo.tsdb.LabelMatcher;
import io.mnemo.tsdb.Labels;
import io.mnemo.tsdb.exemplar.Exemplar;
import io.mnemo.tsdb.exemplar.SeriesExemplars;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpMethods;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.MediaTypes;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.stream.Materializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Prometheus HTTP query API under {@code /prometheus/api/v1}: same paths, parameters, JSON
 * shapes, error types and status codes as Prometheus, scoped to the request's tenant. Queries run
 * on their own thread pool, never on the HTTP dispatcher, because reading from ingesters blocks;
 * its threads have the stack that expressions up to {@code mnemo.querier.max-expression-depth}
 * need. A query refused by a limit is counted per tenant and limit.
 */
final class PrometheusApi extends AllDirectives {
    private static final Logger log = LoggerFactory.getLogger(PrometheusApi.class);
    private static final int MAX_POINTS_PER_SERIES = 11_000;
    private static final long FORM_READ_TIMEOUT_MS = 30_000;

    /** One endpoint's work for a tenant: the JSON bytes of a successful answer. */
    private interface Handler {
        byte[] handle(String tenant, ApiParams params);
    }

    private final MnemoMetrics metrics;
    private final TenantQueryable querier;
    private final Tenants tenants;
    private final Engine engine;
    private final ExecutorService queryThreads;

    PrometheusApi(MnemoSettings settings, MnemoMetrics metrics, TenantQueryable querier, Tenants tenants) {
        this.metrics = metrics;
        this.querier = querier;
        this.tenants = tenants;
        this.engine = new Engine(EngineOptions.DEFAULT
                .withLookbackDelta(settings.lookbackDelta().toMillis())
                .withTimeout(settings.queryTimeout())
                .withMaxSamples(settings.maxQuerySamples())
                .withParserOptions(ParserOptions.DEFAULT.withMaxDepth(settings.maxExpressionDepth())));
        AtomicInteger n = new AtomicInteger();
        long stackSize = Engine.threadStackSize(settings.maxExpressionDepth());
        this.queryThreads = Executors.newFixedThreadPool(settings.maxConcurrentQueries(), r -> {
            Thread t = new Thread(null, r, "mnemo-query-" + n.incrementAndGet(), stackSize);
            t.setDaemon(true);
            return t;
        });
    }

    Route route() {
        return extractRequest(request -> extractMaterializer(mat -> onSuccess(formBody(request, mat), body -> {
            ApiParams params;
            try {
                params = ApiParams.parse(request.getUri().rawQueryString().orElse(""), body);
            } catch (ApiException e) {
                return error(e);
            }
            return concat(
                    path("query", () -> getOrPost(() -> run(request, "query", params, this::query))),
                    path("query_range", () -> getOrPost(() -> run(request, "query_range", params, this::queryRange))),
                    path("series", () -> getOrPost(() -> run(request, "series", params, this::series))),
                    path("labels", () -> getOrPost(() -> run(request, "labels", params, this::labels))),
                    path(segment("label").slash(segment()).slash("values"), name ->
                            get(() -> run(request, "label_values", params, (t, p) -> labelValues(t, name, p)))),
                    path("metadata", () -> get(() -> run(request, "metadata", params, this::metadata))),
                    path("format_query", () -> getOrPost(() -> run(request, "format_query", params, this::formatQuery))),
                    path("query_exemplars", () -> getOrPost(() -> run(request, "query_exemplars", params, this::queryExemplars))),
                    path(segment("status").slash("buildinfo"), () -> get(() -> complete(json(StatusCodes.OK,
                            PrometheusJson.success(PrometheusApi::buildInfo, null))))));
        })));
    }

    private Route getOrPost(java.util.function.Supplier<Route> inner) {
        return concat(get(inner), post(inner));
    }

    private static CompletionStage<String> formBody(HttpRequest request, Materializer mat) {
        boolean form = request.method() == HttpMethods.POST
                && request.entity().getContentType().mediaType().equals(MediaTypes.APPLICATION_X_WWW_FORM_URLENCODED);
        if (!form) return CompletableFuture.completedFuture("");
        return request.entity().toStrict(FORM_READ_TIMEOUT_MS, mat).thenApply(s -> s.getData().utf8String());
    }

    private Route run(HttpRequest request, String endpoint, ApiParams params, Handler handler) {
        Optional<String> tenant = tenants.tenant(request);
        if (tenant.isEmpty()) return complete(StatusCodes.UNAUTHORIZED, Tenants.NO_ORG_ID);
        long start = System.nanoTime();
        CompletionStage<HttpResponse> response = CompletableFuture
                .supplyAsync(() -> handler.handle(tenant.get(), params), queryThreads)
                .handle((bytes, err) -> {
                    metrics.querySeconds.labelValues(endpoint).observe((System.nanoTime() - start) / 1e9);
                    if (err == null) {
                        metrics.queries.labelValues(endpoint, "success").inc();
                        return json(StatusCodes.OK, bytes);
                    }
                    Throwable cause = err instanceof CompletionException && err.getCause() != null ? err.getCause() : err;
                    String limit = limitExceeded(cause);
                    if (limit != null) metrics.queriesRejected.labelValues(tenant.get(), limit).inc();
                    ApiException e = toApiException(cause);
                    metrics.queries.labelValues(endpoint, e.errorType).inc();
                    return errorResponse(e);
                });
        return completeWithFuture(response);
    }

    /** The limit that refused the query ({@code mnemo.limits} or {@code mnemo.querier} name), or null. */
    private static String limitExceeded(Throwable t) {
        if (t instanceof QueryLimitExceededException q) return q.limit();
        if (t instanceof TooManySamplesException) return "max-samples";
        if (t instanceof ExpressionTooDeepException) return "max-expression-depth";
        return null;
    }

    private static ApiException toApiException(Throwable t) {
        if (t instanceof ApiException a) return a;
        // A partition without a readable ingester, or blocks no store-gateway answered for, is 503
        // however deep the evaluator wrapped it.
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof PartitionUnavailableException p) return new ApiException(ApiException.UNAVAILABLE, p.getMessage());
            if (c instanceof BlocksUnavailableException b) return new ApiException(ApiException.UNAVAILABLE, b.getMessage());
            if (c instanceof StoreFailureException f) {
                log.error("Query failed in a store: {}", f.getMessage());
                return new ApiException(ApiException.INTERNAL, f.getMessage());
            }
        }
        if (t instanceof PromQLException p) return new ApiException(p.errorType().apiName(), p.getMessage());
        log.error("Query failed", t);
        return new ApiException(ApiException.INTERNAL, t.toString());
    }

    private Route error(ApiException e) {
        return complete(errorResponse(e));
    }

    private static HttpResponse errorResponse(ApiException e) {
        return json(StatusCodes.get(e.status()), PrometheusJson.error(e.errorType, e.getMessage()));
    }

    private static HttpResponse json(org.apache.pekko.http.javadsl.model.StatusCode status, byte[] body) {
        return HttpResponse.create().withStatus(status)
                .withEntity(HttpEntities.create(ContentTypes.APPLICATION_JSON, body));
    }

    // --- endpoints ---

    private byte[] query(String tenant, ApiParams p) {
        long time = ApiTime.parseTime("time", p.get("time"), ApiTime.now());
        Engine e = engineFor(p);
        QueryResult r = e.execInstant(querier.queryable(tenant, deadline(e)), required(p, "query"), time);
        return PrometheusJson.success(g -> writeValue(g, r.value()), r.warnings(), r.infos());
    }

    private byte[] queryRange(String tenant, ApiParams p) {
        long start = ApiTime.parseTime("start", required(p, "start"), 0);
        long end = ApiTime.parseTime("end", required(p, "end"), 0);
        if (end < start) throw new ApiException(ApiException.BAD_DATA, "invalid parameter \"end\": end timestamp must not be before start time");
        long step = ApiTime.parseDuration("step", required(p, "step"));
        if (step <= 0) throw new ApiException(ApiException.BAD_DATA,
                "invalid parameter \"step\": zero or negative query resolution step widths are not accepted. Try a positive integer");
        if ((end - start) / step > MAX_POINTS_PER_SERIES) throw new ApiException(ApiException.BAD_DATA,
                "exceeded maximum resolution of 11,000 points per timeseries. Try decreasing the query resolution (?step=XX)");
        Engine e = engineFor(p);
        QueryResult r = e.execRange(querier.queryable(tenant, deadline(e)), required(p, "query"), start, end, step);
        return PrometheusJson.success(g -> writeValue(g, r.value()), r.warnings(), r.infos());
    }

    /** When a query evaluated by the engine times out: reads from storage give up then too. */
    private static long deadline(Engine engine) {
        return System.nanoTime() + engine.options().timeout().toNanos();
    }

    /** The engine, or one with a shorter timeout when the request's {@code timeout} asks for one. */
    private Engine engineFor(ApiParams p) {
        String t = p.get("timeout");
        if (t == null) return engine;
        long ms = ApiTime.parseDuration("timeout", t);
        if (ms <= 0 || ms >= engine.options().timeout().toMillis()) return engine;
        return new Engine(engine.options().withTimeout(java.time.Duration.ofMillis(ms)));
    }

    /** Prometheus's /api/v1/metadata: family → [{type, help, unit}], with limit and limit_per_metric. */
    private byte[] metadata(String tenant, ApiParams p) {
        int limit = intParam(p, "limit", -1);
        int perMetric = intParam(p, "limit_per_metric", -1);
        java.util.Map<String, List<String[]>> all = querier.metadata(tenant, p.get("metric"));
        return PrometheusJson.success(g -> {
            g.writeStartObject();
            int families = 0;
            for (java.util.Map.Entry<String, List<String[]>> e : all.entrySet()) {
                if (limit >= 0 && families++ >= limit) break;
                g.writeArrayFieldStart(e.getKey());
                int n = 0;
                for (String[] m : e.getValue()) {
                    if (perMetric >= 0 && n++ >= perMetric) break;
                    g.writeStartObject();
                    g.writeStringField("type", m[0]);
                    g.writeStringField("help", m[1]);
                    g.writeStringField("unit", m[2]);
                    g.writeEndObject();
                }
                g.writeEndArray();
            }
            g.writeEndObject();
        }, null);
    }

    private static int intParam(ApiParams p, String name, int dflt) {
        String s = p.get(name);
        if (s == null) return dflt;
        try {
            return Integer.parseInt(s);
        } catch (NumberFormatException e) {
            throw new ApiException(ApiException.BAD_DATA, "invalid parameter \"" + name + "\": cannot parse \"" + s + "\"");
        }
    }

    private byte[] formatQuery(String tenant, ApiParams p) {
        String formatted = Prettier.format(engine.parser().parseExpr(required(p, "query")));
        return PrometheusJson.success(g -> g.writeString(formatted), null);
    }

    /**
     * Prometheus's /api/v1/query_exemplars: the exemplars in [start, end] of the series any vector
     * selector of the query selects (Prometheus's {@code parser.ExtractSelectors}; a query without
     * one answers null data), series sorted by labels, each with its exemplars oldest first.
     */
    private byte[] queryExemplars(String tenant, ApiParams p) {
        long start = ApiTime.parseTime("start", p.get("start"), ApiTime.MIN_TIME);
        long end = ApiTime.parseTime("end", p.get("end"), ApiTime.MAX_TIME);
        if (end < start) throw new ApiException(ApiException.BAD_DATA, "end timestamp must not be before start timestamp");
        Expr expr = engine.parser().parseExpr(required(p, "query"));
        List<LabelMatcher[]> selectors = new ArrayList<>();
        Exprs.walk(expr, (e, path) -> {
            if (e instanceof VectorSelector v) selectors.add(v.matchers().toArray(new LabelMatcher[0]));
        });
        if (selectors.isEmpty()) return PrometheusJson.success(JsonGenerator::writeNull, null);
        List<SeriesExemplars> found = querier.exemplars(tenant, start, end, selectors);
        return PrometheusJson.success(g -> {
            g.writeStartArray();
            for (SeriesExemplars s : found) {
                g.writeStartObject();
                g.writeFieldName("seriesLabels");
                PrometheusJson.writeLabels(g, s.seriesLabels());
                g.writeArrayFieldStart("exemplars");
                for (Exemplar e : s.exemplars()) {
                    g.writeStartObject();
                    g.writeFieldName("labels");
                    PrometheusJson.writeLabels(g, e.labels());
                    g.writeStringField("value", PrometheusJson.value(e.value()));
                    g.writeFieldName("timestamp");
                    g.writeNumber(PrometheusJson.timestamp(e.timestamp()));
                    g.writeEndObject();
                }
                g.writeEndArray();
                g.writeEndObject();
            }
            g.writeEndArray();
        }, null);
    }

    private byte[] series(String tenant, ApiParams p) {
        List<String> match = p.all("match[]");
        if (match.isEmpty()) throw new ApiException(ApiException.BAD_DATA, "no match[] parameter provided");
        long start = ApiTime.parseTime("start", p.get("start"), ApiTime.MIN_TIME);
        long end = ApiTime.parseTime("end", p.get("end"), ApiTime.MAX_TIME);
        int limit = limit(p);
        List<Labels> series = querier.series(tenant, start, end, matcherSets(match, true));
        List<String> warnings = new ArrayList<>();
        if (limit > 0 && series.size() > limit) {
            series = series.subList(0, limit);
            warnings.add("results truncated due to limit");
        }
        List<Labels> result = series;
        return PrometheusJson.success(g -> {
            g.writeStartArray();
            for (Labels l : result) PrometheusJson.writeLabels(g, l);
            g.writeEndArray();
        }, warnings);
    }

    private byte[] labels(String tenant, ApiParams p) {
        long start = ApiTime.parseTime("start", p.get("start"), ApiTime.MIN_TIME);
        long end = ApiTime.parseTime("end", p.get("end"), ApiTime.MAX_TIME);
        return stringsAnswer(unionOver(p, ms -> querier.labelNames(tenant, start, end, ms)), limit(p));
    }

    /**
     * Prometheus 3's label values: the path segment is a UTF-8 name, or one escaped for the path
     * with {@code U__} (value-encoding escaping).
     */
    private byte[] labelValues(String tenant, String segment, ApiParams p) {
        String name = LabelNames.unescape(segment);
        if (!LabelNames.isValid(name)) {
            throw new ApiException(ApiException.BAD_DATA, "invalid label name: " + GoQuoting.quote(name));
        }
        long start = ApiTime.parseTime("start", p.get("start"), ApiTime.MIN_TIME);
        long end = ApiTime.parseTime("end", p.get("end"), ApiTime.MAX_TIME);
        return stringsAnswer(unionOver(p, ms -> querier.labelValues(tenant, name, start, end, ms)), limit(p));
    }

    /** Runs a lookup once without matchers, or once per match[] and unions the sorted answers. */
    private List<String> unionOver(ApiParams p, Function<LabelMatcher[], List<String>> lookup) {
        List<String> match = p.all("match[]");
        if (match.isEmpty()) return lookup.apply(new LabelMatcher[0]);
        java.util.TreeSet<String> out = new java.util.TreeSet<>();
        for (LabelMatcher[] ms : matcherSets(match, false)) out.addAll(lookup.apply(ms));
        return new ArrayList<>(out);
    }

    private static byte[] stringsAnswer(List<String> values, int limit) {
        List<String> warnings = new ArrayList<>();
        List<String> out = values;
        if (limit > 0 && values.size() > limit) {
            out = values.subList(0, limit);
            warnings.add("results truncated due to limit");
        }
        List<String> result = out;
        return PrometheusJson.success(g -> PrometheusJson.writeStrings(g, result), warnings);
    }

    private List<LabelMatcher[]> matcherSets(List<String> selectors, boolean requireNonEmpty) {
        List<LabelMatcher[]> out = new ArrayList<>();
        for (String s : selectors) {
            List<LabelMatcher> ms;
            try {
                ms = engine.parser().parseMetricSelector(s);
            } catch (PromQLException e) {
                throw new ApiException(ApiException.BAD_DATA, "invalid parameter \"match[]\": " + e.getMessage());
            }
            if (ms.stream().allMatch(LabelMatcher::matchesEmpty)) {
                throw new ApiException(ApiException.BAD_DATA,
                        "match[] must contain at least one non-empty matcher");
            }
            out.add(ms.toArray(new LabelMatcher[0]));
        }
        return out;
    }

    private static int limit(ApiParams p) {
        String s = p.get("limit");
        if (s == null) return 0;
        try {
            int n = Integer.parseInt(s);
            if (n < 0) throw new NumberFormatException();
            return n;
        } catch (NumberFormatException e) {
            throw new ApiException(ApiException.BAD_DATA, "invalid parameter \"limit\": cannot parse \"" + s + "\" to a valid limit");
        }
    }

    private static String required(ApiParams p, String name) {
        String v = p.get(name);
        if (v == null) {
            throw new ApiException(ApiException.BAD_DATA, "invalid parameter \"" + name + "\": missing");
        }
        return v;
    }

    // --- result JSON ---

    /**
     * A query result as Prometheus writes it; a native histogram sample is written as
     * {@code "histogram"} in a vector, and a matrix series' histogram points as
     * {@code "histograms"} beside its float {@code "values"} (each key only when it has points).
     */
    static void writeValue(JsonGenerator g, Value v) throws IOException {
        g.writeStartObject();
        if (v instanceof Vector vec) {
            g.writeStringField("resultType", "vector");
            g.writeArrayFieldStart("result");
            for (int i = 0; i < vec.size(); i++) {
                g.writeStartObject();
                g.writeFieldName("metric");
                PrometheusJson.writeLabels(g, vec.labels(i));
                if (vec.histogram(i) != null) {
                    g.writeFieldName("histogram");
                    PrometheusJson.writeHistogramPoint(g, vec.timestamp(i), vec.histogram(i));
                } else {
                    g.writeFieldName("value");
                    PrometheusJson.writePoint(g, vec.timestamp(i), vec.value(i));
                }
                g.writeEndObject();
            }
            g.writeEndArray();
        } else if (v instanceof Matrix m) {
            g.writeStringField("resultType", "matrix");
            g.writeArrayFieldStart("result");
            for (Matrix.Series s : m.series()) {
                g.writeStartObject();
                g.writeFieldName("metric");
                PrometheusJson.writeLabels(g, s.labels());
                int histograms = 0;
                for (int i = 0; i < s.size(); i++) if (s.histogram(i) != null) histograms++;
                if (histograms < s.size()) {
                    g.writeArrayFieldStart("values");
                    for (int i = 0; i < s.size(); i++) {
                        if (s.histogram(i) == null) PrometheusJson.writePoint(g, s.timestamp(i), s.value(i));
                    }
                    g.writeEndArray();
                }
                if (histograms > 0) {
                    g.writeArrayFieldStart("histograms");
                    for (int i = 0; i < s.size(); i++) {
                        if (s.histogram(i) != null) PrometheusJson.writeHistogramPoint(g, s.timestamp(i), s.histogram(i));
                    }
                    g.writeEndArray();
                }
                g.writeEndObject();
            }
            g.writeEndArray();
        } else if (v instanceof Scalar s) {
            g.writeStringField("resultType", "scalar");
            g.writeFieldName("result");
            PrometheusJson.writePoint(g, s.timestamp(), s.value());
        } else if (v instanceof StringValue s) {
            g.writeStringField("resultType", "string");
            g.writeArrayFieldStart("result");
            g.writeNumber(PrometheusJson.timestamp(s.timestamp()));
            g.writeString(s.value());
            g.writeEndArray();
        }
        g.writeEndObject();
    }

    private static void buildInfo(JsonGenerator g) throws IOException {
        g.writeStartObject();
        g.writeStringField("version", "2.53.0");
        g.writeStringField("revision", "mnemo-0.1.0");
        g.writeStringField("branch", "main");
        g.writeStringField("buildUser", "mnemo");
        g.writeStringField("buildDate", "");
        g.writeStringField("goVersion", "java" + Runtime.version().feature());
        g.writeEndObject();
    }
}
