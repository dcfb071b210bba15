package io.mnemo.actors;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

/**
 * The process's own metrics. One instance per node, on its own registry, so that several nodes
 * can run in one JVM (tests) without clashing.
 */
public final class MnemoMetrics {
    public final PrometheusRegistry registry;

    public final Counter receivedRequests;
    public final Counter receivedSamples;
    public final Counter receivedSeries;
    /** Samples refused, by tenant and reason (Mimir: cortex_discarded_samples_total). */
    public final Counter discardedSamples;
    /** Metadata entries refused, by tenant and reason (Mimir: cortex_discarded_metadata_total). */
    public final Counter discardedMetadata;
    public final Counter rejectedRequests;
    public final Histogram kafkaProduceSeconds;
    public final Counter kafkaProducedBytes;

    public final Counter ingesterAppendedSamples;
    public final Counter ingesterRejectedSamples;
    public final Counter ingesterInvalidRecords;
    public final Gauge ingesterLag;
    public final Gauge ingesterState;
    public final Counter journalBytes;
    public final Counter journalEvents;
    public final Gauge headSeries;
    /** Read streams an ingester is serving now (each open from its first frame until it ends or is cancelled). */
    public final Gauge ingesterReadStreams;
    /** Read streams that ended before their answer did: the querier cancelled them (its query timed out or failed). */
    public final Counter ingesterReadStreamsCancelled;
    public final Gauge journalCorrupted;
    public final Gauge dataLossRecords;
    public final Counter lostRecords;
    /** Blocks an ingester uploaded to the bucket (Mimir: cortex_ingester_shipper_uploads_total). */
    public final Counter shipperUploads;
    /** Block uploads that failed, each attempt (Mimir: cortex_ingester_shipper_upload_failures_total). */
    public final Counter shipperUploadFailures;

    public final Counter queries;
    public final Counter queriesRejected;
    public final Histogram querySeconds;

    public MnemoMetrics(PrometheusRegistry registry) {
        this.registry = registry;
        receivedRequests = Counter.builder().name("mnemo_distributor_requests_total")
                .help("Push requests received, by tenant.").labelNames("tenant").register(registry);
        receivedSamples = Counter.builder().name("mnemo_distributor_received_samples_total")
                .help("Samples accepted by the distributor and acknowledged by Kafka, by tenant.")
                .labelNames("tenant").register(registry);
        receivedSeries = Counter.builder().name("mnemo_distributor_received_series_total")
                .help("Series accepted by the distributor, by tenant.").labelNames("tenant").register(registry);
        discardedSamples = Counter.builder().name("mnemo_discarded_samples_total")
                .help("Samples discarded, by tenant and reason.").labelNames("tenant", "reason").register(registry);
        discardedMetadata = Counter.builder().name("mnemo_discarded_metadata_total")
                .help("Metric metadata entries discarded, by tenant and reason.").labelNames("tenant", "reason")
                .register(registry);
        rejectedRequests = Counter.builder().name("mnemo_distributor_rejected_requests_total")
                .help("Push requests answered with an error, by reason.").labelNames("reason").register(registry);
        kafkaProduceSeconds = Histogram.builder().name("mnemo_distributor_kafka_produce_duration_seconds")
                .help("Time from sending a request's records to Kafka until all were acknowledged.")
                .register(registry);
        kafkaProducedBytes = Counter.builder().name("mnemo_distributor_kafka_produced_bytes_total")
                .help("Bytes of record values written to Kafka.").register(registry);

        ingesterAppendedSamples = Counter.builder().name("mnemo_ingester_appended_samples_total")
                .help("Samples appended to the head, by zone and partition.")
                .labelNames("zone", "partition").register(registry);
        ingesterRejectedSamples = Counter.builder().name("mnemo_ingester_rejected_samples_total")
                .help("Samples the head refused, by zone, partition and reason.")
                .labelNames("zone", "partition", "reason").register(registry);
        ingesterInvalidRecords = Counter.builder().name("mnemo_ingester_invalid_records_total")
                .help("Ingest records skipped (an invalid tenant id as key, a format version this build does not read) "
                        + "or applied only up to damage, by zone, "
                        + "partition and reason; counted when first consumed, not on journal replay.")
                .labelNames("zone", "partition", "reason").register(registry);
        ingesterLag = Gauge.builder().name("mnemo_ingester_kafka_lag_records")
                .help("Records in the partition not yet consumed by its ingester.")
                .labelNames("zone", "partition").register(registry);
        ingesterState = Gauge.builder().name("mnemo_ingester_ring_state")
                .help("1 for the ingester's current ring state.")
                .labelNames("zone", "partition", "state").register(registry);
        journalBytes = Counter.builder().name("mnemo_ingester_journal_bytes_total")
                .help("Record bytes persisted to the ingester journal (WAL).")
                .labelNames("zone", "partition").register(registry);
        journalEvents = Counter.builder().name("mnemo_ingester_journal_events_total")
                .help("Batches persisted to the ingester journal (WAL).")
                .labelNames("zone", "partition").register(registry);
        ingesterReadStreams = Gauge.builder().name("mnemo_ingester_read_streams")
                .help("Read streams an ingester is serving now, by zone and partition.")
                .labelNames("zone", "partition").register(registry);
        ingesterReadStreamsCancelled = Counter.builder().name("mnemo_ingester_read_streams_cancelled_total")
                .help("Read streams cancelled by their querier before the answer ended, by zone and partition.")
                .labelNames("zone", "partition").register(registry);
        headSeries = Gauge.builder().name("mnemo_ingester_head_series")
                .help("Series in the ingester's heads.").labelNames("zone", "partition").register(registry);
        journalCorrupted = Gauge.builder().name("mnemo_ingester_journal_corrupted")
                .help("1 while the ingester cannot recover because its journal is damaged or misses a segment.")
                .labelNames("zone", "partition").register(registry);
        dataLossRecords = Gauge.builder().name("mnemo_ingester_data_loss_records")
                .help("Records the ingester misses that Kafka no longer holds, until an operator accepts the loss.")
                .labelNames("zone", "partition").register(registry);
        lostRecords = Counter.builder().name("mnemo_ingester_lost_records_total")
                .help("Records found lost (in neither the journal nor Kafka) when the ingester recovered.")
                .labelNames("zone", "partition").register(registry);
        shipperUploads = Counter.builder().name("mnemo_ingester_shipper_uploads_total")
                .help("Blocks the ingester uploaded to the bucket, by zone and partition.")
                .labelNames("zone", "partition").register(registry);
        shipperUploadFailures = Counter.builder().name("mnemo_ingester_shipper_upload_failures_total")
                .help("Block uploads to the bucket that failed, every attempt, by zone and partition.")
                .labelNames("zone", "partition").register(registry);

        queries = Counter.builder().name("mnemo_querier_queries_total")
                .help("Queries evaluated, by endpoint and outcome.").labelNames("endpoint", "outcome").register(registry);
        queriesRejected = Counter.builder().name("mnemo_querier_queries_rejected_total")
                .help("Queries refused for going over a query limit, by tenant and limit.").labelNames("tenant", "reason")
                .register(registry);
        querySeconds = Histogram.builder().name("mnemo_querier_query_duration_seconds")
                .help("Query evaluation time.").labelNames("endpoint").register(registry);
    }
}
