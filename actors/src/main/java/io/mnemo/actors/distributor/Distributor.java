package io.mnemo.actors.distributor;

import io.mnemo.actors.MnemoMetrics;
import io.mnemo.actors.MnemoSettings;
import io.mnemo.actors.TenantLimits;
import io.mnemo.actors.distributor.otlp.OtlpBody;
import io.mnemo.actors.distributor.otlp.OtlpJson;
import io.mnemo.actors.distributor.otlp.OtlpTranslator;
import io.mnemo.actors.ingest.PartitionWriter;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The write path's router: turns a push into one Kafka record per partition and answers only
 * once Kafka has acknowledged all of them. It owns no data; any node with the distributor role
 * can take any push. Samples are checked against the tenant's limits at the time the push is
 * decoded, by the distributor's clock.
 */
public final class Distributor implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Distributor.class);
    /** Longest OTLP translation error message in an answer (Mimir's maxErrMsgLen). */
    private static final int MAX_OTLP_ERROR_LENGTH = 1024;

    /** Decoding state reused across pushes; one per worker thread. */
    private static final class Worker {
        final RemoteWriteBody body;
        final WriteRequestReader reader = new WriteRequestReader();
        final MetadataReader metadata = new MetadataReader();
        final RequestV2Reader readerV2 = new RequestV2Reader();
        final PartitionSplitter splitter;
        final OtlpBody otlpBody;
        final OtlpJson otlpJson = new OtlpJson();
        final OtlpTranslator otlp = new OtlpTranslator();

        Worker(MnemoSettings s) {
            body = new RemoteWriteBody(s.maxDecompressedSize());
            otlpBody = new OtlpBody(s.maxOtlpRequestSize());
            splitter = new PartitionSplitter(new SeriesValidator(
                    s.maxLabelNamesPerSeries(), s.maxLabelNameLength(), s.maxLabelValueLength()));
        }
    }

    /**
     * A decoded push: the topic and each partition's record to write there (null: none), and the
     * answer to give once they are written.
     */
    private record Prepared(String topic, byte[][] records, int samples, int histograms, int series, int exemplars,
                            PushResult answer) {
        static Prepared refused(PushResult answer) {
            return new Prepared(null, new byte[0][], 0, 0, 0, 0, answer);
        }

        boolean empty() {
            for (byte[] r : records) if (r != null) return false;
            return true;
        }
    }

    private final MnemoSettings settings;
    private final MnemoMetrics metrics;
    private final PartitionWriter writer;
    private final Clock clock;
    private final ExecutorService workers;
    private final ThreadLocal<Worker> worker;

    /** A distributor writing through {@code writer}, which it closes when it is closed. */
    public Distributor(MnemoSettings settings, MnemoMetrics metrics, PartitionWriter writer, Clock clock) {
        this.settings = settings;
        this.metrics = metrics;
        this.writer = writer;
        this.clock = clock;
        int threads = Math.max(4, 2 * Runtime.getRuntime().availableProcessors());
        AtomicInteger n = new AtomicInteger();
        this.workers = Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "mnemo-distributor-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        this.worker = ThreadLocal.withInitial(() -> new Worker(settings));
    }

    /** Decodes, validates and shards a remote write 1.0 body, writes it to Kafka, and gives the answer. */
    public CompletionStage<PushResult> push(String tenant, byte[] body) {
        return push(tenant, body, RemoteWriteVersion.V1);
    }

    /** Decodes, validates and shards a remote-write body of that version, writes it to Kafka, and gives the answer. */
    public CompletionStage<PushResult> push(String tenant, byte[] body, RemoteWriteVersion version) {
        metrics.receivedRequests.labelValues(tenant).inc();
        return send(tenant, body, version, settings.topic(), true);
    }

    /**
     * An OTLP metrics push (protobuf or JSON, gzip or not): translated into a remote write 1.0
     * request ({@link OtlpTranslator}, with the tenant's translation limits), which is then
     * validated, split, counted and written as any remote-write push. What the translation left
     * out (delta temporality, say) makes the answer a 400 naming it once the rest is written, as
     * Mimir answers ("otlp parse error: ..."), and is counted as discarded with reason
     * {@code otlp_parse_error}; a refusal by validation comes first, as in Mimir.
     */
    public CompletionStage<PushResult> pushOtlp(String tenant, byte[] body, boolean json, boolean gzip) {
        metrics.receivedRequests.labelValues(tenant).inc();
        return CompletableFuture.supplyAsync(() -> prepareOtlp(tenant, body, json, gzip), workers)
                .thenCompose(p -> p.empty()
                        ? CompletableFuture.completedFuture(p.answer())
                        : write(tenant, p, true));
    }

    /**
     * A push of the node's warm-up: the same code and producer as {@link #push}, but into
     * {@code topic} (never the ingest topic) and left out of the tenant metrics.
     */
    public CompletionStage<PushResult> rehearse(String tenant, byte[] body, String topic) {
        if (topic.equals(settings.topic())) throw new IllegalArgumentException("a rehearsal never writes to the ingest topic");
        return send(tenant, body, RemoteWriteVersion.V1, topic, false);
    }

    private CompletionStage<PushResult> send(String tenant, byte[] body, RemoteWriteVersion version, String topic, boolean counted) {
        // Decoded and handed to the producer on one worker thread, without another hop in between.
        return CompletableFuture.supplyAsync(() -> prepare(tenant, body, version, topic, counted), workers)
                .thenCompose(p -> p.empty()
                        ? CompletableFuture.completedFuture(p.answer())
                        : write(tenant, p, counted));
    }

    private Prepared prepare(String tenant, byte[] body, RemoteWriteVersion version, String topic, boolean counted) {
        Worker w = worker.get();
        // A rehearsal's synthetic samples are decades old: the tenant limits are for tenants' pushes.
        PushLimits limits = counted ? PushLimits.at(clock.millis(), settings.limits().of(tenant)) : PushLimits.NONE;
        PartitionSplitter.Split split;
        try {
            int len = w.body.decompress(body);
            if (version == RemoteWriteVersion.V2) {
                split = w.splitter.splitV2(tenant, w.readerV2.reset(w.body.buffer(), 0, len), settings.partitions(), limits);
            } else {
                w.reader.reset(w.body.buffer(), 0, len);
                split = w.splitter.split(tenant, w.reader, w.metadata.reset(w.body.buffer(), 0, len), settings.partitions(), limits);
            }
        } catch (RemoteWriteException e) {
            if (counted) metrics.rejectedRequests.labelValues(e.isTooLarge() ? "request_too_large" : "malformed").inc();
            return Prepared.refused(new PushResult(e.isTooLarge() ? 413 : 400, e.getMessage()));
        }
        return answer(tenant, topic, split, counted, null);
    }

    private Prepared prepareOtlp(String tenant, byte[] body, boolean json, boolean gzip) {
        Worker w = worker.get();
        TenantLimits.Limits tenantLimits = settings.limits().of(tenant);
        PushLimits limits = PushLimits.at(clock.millis(), tenantLimits);
        OtlpTranslator translator = w.otlp;
        PartitionSplitter.Split split;
        try {
            int len = w.otlpBody.read(body, gzip);
            byte[] request = w.otlpBody.buffer();
            if (json) {
                len = w.otlpJson.toProtobuf(request, 0, len);
                request = w.otlpJson.buffer();
            }
            translator.translate(request, 0, len, new OtlpTranslator.Options(tenantLimits.otelTranslationStrategy(),
                    tenantLimits.promoteOtelResourceAttributes(), tenantLimits.otelKeepIdentifyingResourceAttributes()));
            w.reader.reset(translator.output(), 0, translator.outputSize());
            split = w.splitter.split(tenant, w.reader, w.metadata.reset(translator.output(), 0, translator.outputSize()),
                    settings.partitions(), limits);
        } catch (RemoteWriteException e) {
            metrics.rejectedRequests.labelValues(e.isTooLarge() ? "request_too_large" : "malformed").inc();
            return Prepared.refused(new PushResult(e.isTooLarge() ? 413 : 400, e.getMessage()));
        }
        return answer(tenant, settings.topic(), split, true, translator);
    }

    /** The records of a split push and its answer; {@code otlp} (or null) says what an OTLP translation left out. */
    private Prepared answer(String tenant, String topic, PartitionSplitter.Split split, boolean counted, OtlpTranslator otlp) {
        PushResult answer = PushResult.OK;
        if (split.hasRejections()) {
            Rejection first = split.firstRejection();
            if (counted) {
                for (DiscardReason r : DiscardReason.values()) {
                    int n = split.discarded(r);
                    if (n > 0) (r.isMetadata() ? metrics.discardedMetadata : r.isExemplar() ? metrics.discardedExemplars
                            : metrics.discardedSamples).labelValues(tenant, r.label()).inc(n);
                }
                metrics.rejectedRequests.labelValues(first.reason().isMetadata() ? "invalid_metadata"
                        : first.reason().isExemplar() ? "invalid_exemplar" : "invalid_series").inc();
            }
            answer = new PushResult(400, first.message());
        }
        if (otlp != null && !otlp.errors().isEmpty()) {
            metrics.discardedSamples.labelValues(tenant, "otlp_parse_error").inc(otlp.droppedPoints());
            if (answer.ok()) {
                String message = "otlp parse error: " + String.join("; ", otlp.errors());
                if (message.length() > MAX_OTLP_ERROR_LENGTH) message = message.substring(0, MAX_OTLP_ERROR_LENGTH) + "...";
                metrics.rejectedRequests.labelValues("otlp_parse_error").inc();
                answer = new PushResult(400, message);
            }
        }
        byte[][] records = new byte[split.partitions()][];
        for (int p = 0; p < records.length; p++) records[p] = split.record(p);
        return new Prepared(topic, records, split.acceptedSamples(), split.acceptedHistograms(), split.acceptedSeries(),
                split.acceptedExemplars(), answer);
    }

    private CompletionStage<PushResult> write(String tenant, Prepared p, boolean counted) {
        long start = System.nanoTime();
        List<CompletableFuture<?>> acks = new ArrayList<>(p.records().length);
        long bytes = 0;
        for (int partition = 0; partition < p.records().length; partition++) {
            byte[] record = p.records()[partition];
            if (record == null) continue;
            bytes += record.length;
            CompletionStage<Void> ack;
            try {
                ack = writer.write(p.topic(), partition, tenant, record).thenApply(x -> null);
            } catch (RuntimeException e) {
                ack = CompletableFuture.failedFuture(e);
            }
            acks.add(ack.toCompletableFuture());
        }
        long written = bytes;
        Duration timeout = settings.produceTimeout();
        return CompletableFuture.allOf(acks.toArray(CompletableFuture<?>[]::new))
                .orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS)
                .handle((ok, err) -> {
                    if (err != null) {
                        Throwable cause = err.getCause() != null ? err.getCause() : err;
                        String why = cause instanceof TimeoutException
                                ? "Kafka did not acknowledge within " + timeout.toMillis() + " ms (mnemo.kafka.produce-timeout)"
                                : cause.toString();
                        if (counted) {
                            log.warn("Push of tenant {} not written: {}", tenant, why);
                            metrics.rejectedRequests.labelValues("kafka_unavailable").inc();
                        }
                        return new PushResult(503, "failed to write to Kafka, nothing was acknowledged: " + why);
                    }
                    PushResult answer = p.answer().withWritten(p.samples(), p.histograms(), p.exemplars());
                    if (!counted) return answer;
                    metrics.kafkaProduceSeconds.observe((System.nanoTime() - start) / 1e9);
                    metrics.kafkaProducedBytes.inc(written);
                    // Mimir counts native histogram samples as samples (received samples, ingestion rate).
                    metrics.receivedSamples.labelValues(tenant).inc(p.samples() + p.histograms());
                    metrics.receivedSeries.labelValues(tenant).inc(p.series());
                    return answer;
                });
    }

    @Override
    public void close() {
        workers.shutdown();
        writer.close();
    }
}
