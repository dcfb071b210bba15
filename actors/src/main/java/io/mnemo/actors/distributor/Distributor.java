package io.mnemo.actors.distributor;

import io.mnemo.actors.MnemoMetrics;
import io.mnemo.actors.MnemoSettings;
import java.nio.charset.StandardCharsets;
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
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.kafka.ProducerSettings;
import org.apache.pekko.kafka.javadsl.SendProducer;
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

    /** Where the records of pushes go: Kafka's producer in a node; a list in tests without Kafka. */
    public interface RecordSink extends AutoCloseable {
        /** Sends a record; completes once Kafka acknowledged it, exceptionally if it will not. */
        CompletionStage<?> send(ProducerRecord<byte[], byte[]> record);

        @Override
        void close();
    }

    /** Decoding state reused across pushes; one per worker thread. */
    private static final class Worker {
        final RemoteWriteBody body;
        final WriteRequestReader reader = new WriteRequestReader();
        final MetadataReader metadata = new MetadataReader();
        final PartitionSplitter splitter;

        Worker(MnemoSettings s) {
            body = new RemoteWriteBody(s.maxDecompressedSize());
            splitter = new PartitionSplitter(new SeriesValidator(
                    s.maxLabelNamesPerSeries(), s.maxLabelNameLength(), s.maxLabelValueLength()));
        }
    }

    /** A decoded push: the records to write and the answer to give once they are written. */
    private record Prepared(List<ProducerRecord<byte[], byte[]>> records, int samples, int series, PushResult answer) {}

    private final MnemoSettings settings;
    private final MnemoMetrics metrics;
    private final RecordSink sink;
    private final Clock clock;
    private final ExecutorService workers;
    private final ThreadLocal<Worker> worker;

    public Distributor(MnemoSettings settings, MnemoMetrics metrics, String bootstrapServers, ActorSystem<?> system) {
        this(settings, metrics, kafka(settings, bootstrapServers, system), Clock.systemUTC());
    }

    public Distributor(MnemoSettings settings, MnemoMetrics metrics, RecordSink sink, Clock clock) {
        this.settings = settings;
        this.metrics = metrics;
        this.sink = sink;
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

    /** The Kafka producer: acks=all, idempotent, timeouts derived from the produce timeout. */
    private static RecordSink kafka(MnemoSettings settings, String bootstrapServers, ActorSystem<?> system) {
        long timeoutMs = settings.produceTimeout().toMillis();
        ProducerSettings<byte[], byte[]> base = ProducerSettings
                .create(system, new ByteArraySerializer(), new ByteArraySerializer());
        long requestTimeoutMs = Math.max(1000, timeoutMs / 2);
        String linger = base.getProperty(ProducerConfig.LINGER_MS_CONFIG);
        // Kafka refuses a delivery timeout below linger + request timeout (the producer then never starts).
        long deliveryTimeoutMs = requestTimeoutMs + (linger == null ? 0 : Long.parseLong(linger.trim())) + 2;
        ProducerSettings<byte[], byte[]> ps = base
                .withBootstrapServers(bootstrapServers)
                .withProperty(ProducerConfig.ACKS_CONFIG, "all")
                .withProperty(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true")
                .withProperty(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, Integer.toString(64 << 20))
                .withProperty(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, Long.toString(requestTimeoutMs))
                .withProperty(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, Long.toString(deliveryTimeoutMs))
                .withProperty(ProducerConfig.MAX_BLOCK_MS_CONFIG, Long.toString(timeoutMs))
                .withProperty(ProducerConfig.CLIENT_ID_CONFIG, "mnemo-distributor");
        SendProducer<byte[], byte[]> producer = new SendProducer<>(ps, system);
        return new RecordSink() {
            @Override
            public CompletionStage<RecordMetadata> send(ProducerRecord<byte[], byte[]> record) {
                return producer.send(record);
            }

            @Override
            public void close() {
                try {
                    producer.close().toCompletableFuture().get(15, TimeUnit.SECONDS);
                } catch (Exception e) {
                    log.warn("Kafka producer did not close cleanly: {}", e.toString());
                }
            }
        };
    }

    /** Decodes, validates and shards a remote-write body, writes it to Kafka, and gives the answer. */
    public CompletionStage<PushResult> push(String tenant, byte[] body) {
        metrics.receivedRequests.labelValues(tenant).inc();
        return send(tenant, body, settings.topic(), true);
    }

    /**
     * A push of the node's warm-up: the same code and producer as {@link #push}, but into
     * {@code topic} (never the ingest topic) and left out of the tenant metrics.
     */
    public CompletionStage<PushResult> rehearse(String tenant, byte[] body, String topic) {
        if (topic.equals(settings.topic())) throw new IllegalArgumentException("a rehearsal never writes to the ingest topic");
        return send(tenant, body, topic, false);
    }

    private CompletionStage<PushResult> send(String tenant, byte[] body, String topic, boolean counted) {
        // Decoded and handed to the producer on one worker thread, without another hop in between.
        return CompletableFuture.supplyAsync(() -> prepare(tenant, body, topic, counted), workers)
                .thenCompose(p -> p.records().isEmpty()
                        ? CompletableFuture.completedFuture(p.answer())
                        : write(tenant, p, counted));
    }

    private Prepared prepare(String tenant, byte[] body, String topic, boolean counted) {
        Worker w = worker.get();
        // A rehearsal's synthetic samples are decades old: the tenant limits are for tenants' pushes.
        PushLimits limits = counted ? PushLimits.at(clock.millis(), settings.limits().of(tenant)) : PushLimits.NONE;
        PartitionSplitter.Split split;
        try {
            int len = w.body.decompress(body);
            w.reader.reset(w.body.buffer(), 0, len);
            split = w.splitter.split(tenant, w.reader, w.metadata.reset(w.body.buffer(), 0, len), settings.partitions(), limits);
        } catch (RemoteWriteException e) {
            if (counted) metrics.rejectedRequests.labelValues(e.isTooLarge() ? "request_too_large" : "malformed").inc();
            return new Prepared(List.of(), 0, 0, new PushResult(e.isTooLarge() ? 413 : 400, e.getMessage()));
        }
        PushResult answer = PushResult.OK;
        if (split.hasRejections()) {
            Rejection first = split.firstRejection();
            if (counted) {
                for (DiscardReason r : DiscardReason.values()) {
                    int n = split.discarded(r);
                    if (n > 0) (r.isMetadata() ? metrics.discardedMetadata : metrics.discardedSamples).labelValues(tenant, r.label()).inc(n);
                }
                metrics.rejectedRequests.labelValues(first.reason().isMetadata() ? "invalid_metadata" : "invalid_series").inc();
            }
            answer = new PushResult(400, first.message());
        }
        byte[] key = tenant.getBytes(StandardCharsets.UTF_8);
        List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
        for (int p = 0; p < split.partitions(); p++) {
            byte[] value = split.record(p);
            if (value != null) records.add(new ProducerRecord<>(topic, p, key, value));
        }
        return new Prepared(records, split.acceptedSamples(), split.acceptedSeries(), answer);
    }

    private CompletionStage<PushResult> write(String tenant, Prepared p, boolean counted) {
        long start = System.nanoTime();
        CompletableFuture<?>[] acks = new CompletableFuture<?>[p.records().size()];
        long bytes = 0;
        for (int i = 0; i < acks.length; i++) {
            ProducerRecord<byte[], byte[]> r = p.records().get(i);
            bytes += r.value().length;
            CompletionStage<Void> ack;
            try {
                ack = sink.send(r).thenApply(x -> null);
            } catch (RuntimeException e) {
                ack = CompletableFuture.failedFuture(e);
            }
            acks[i] = ack.toCompletableFuture();
        }
        long written = bytes;
        Duration timeout = settings.produceTimeout();
        return CompletableFuture.allOf(acks)
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
                    if (!counted) return p.answer();
                    metrics.kafkaProduceSeconds.observe((System.nanoTime() - start) / 1e9);
                    metrics.kafkaProducedBytes.inc(written);
                    metrics.receivedSamples.labelValues(tenant).inc(p.samples());
                    metrics.receivedSeries.labelValues(tenant).inc(p.series());
                    return p.answer();
                });
    }

    @Override
    public void close() {
        workers.shutdown();
        sink.close();
    }
}
