package io.mnemo.actors;

import io.mnemo.bucketstore.BucketStore;
import io.mnemo.bucketstore.cache.CacheStats;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
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
    /** Exemplars refused, by tenant and reason (Mimir: cortex_discarded_exemplars_total). */
    public final Counter discardedExemplars;
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
    /** Exemplars in the ingester's stores (Prometheus: prometheus_tsdb_exemplar_exemplars_in_storage). */
    public final Gauge ingesterExemplarsInStorage;
    /** Exemplars added to the ingester's stores (Prometheus: prometheus_tsdb_exemplar_exemplars_appended_total). */
    public final Counter ingesterExemplarsAppended;
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

    /** Blocks a store-gateway has loaded now (Mimir: cortex_bucket_store_blocks_loaded). */
    public final Gauge bucketStoreBlocksLoaded;
    /** Blocks a store-gateway loaded, each load (Mimir: cortex_bucket_store_block_loads_total). */
    public final Counter bucketStoreBlockLoads;
    /** Block loads that failed (Mimir: cortex_bucket_store_block_load_failures_total). */
    public final Counter bucketStoreBlockLoadFailures;
    /** Blocks a store-gateway dropped: no longer its, or gone (Mimir: cortex_bucket_store_block_drops_total). */
    public final Counter bucketStoreBlockDrops;
    /** How long store-gateway syncs take (Mimir: cortex_bucket_stores_blocks_sync_seconds). */
    public final Histogram bucketStoreSyncSeconds;
    /** Store-gateway syncs that failed as a whole (the bucket could not be listed). */
    public final Counter bucketStoreSyncFailures;
    /** When the last sync succeeded (Mimir: cortex_bucket_stores_blocks_last_successful_sync_timestamp_seconds). */
    public final Gauge bucketStoreLastSuccessfulSync;
    /** Read streams a store-gateway is serving now. */
    public final Gauge storeGatewayReadStreams;
    /** Store-gateway read streams cancelled by their querier before the answer ended. */
    public final Counter storeGatewayReadStreamsCancelled;
    /** Reads of store-gateways that needed blocks checked (Mimir: cortex_querier_blocks_consistency_checks_total). */
    public final Counter querierBlocksConsistencyChecks;
    /** Of those, the ones that failed: some block no gateway answered for (Mimir: ..._checks_failed_total). */
    public final Counter querierBlocksConsistencyChecksFailed;

    /** Compaction passes over a tenant (Mimir: cortex_compactor_runs_started_total). */
    public final Counter compactorRunsStarted;
    /** Passes, or groups in them, that failed (Mimir: cortex_compactor_runs_failed_total). */
    public final Counter compactorRunsFailed;
    /** Cleanups of a tenant (Mimir: cortex_compactor_block_cleanup_started_total). */
    public final Counter compactorCleanupStarted;
    /** Cleanups, or block deletions in them, that failed (Mimir: cortex_compactor_block_cleanup_failed_total). */
    public final Counter compactorCleanupFailed;
    /** Blocks marked for deletion, by reason (Mimir: cortex_compactor_blocks_marked_for_deletion_total). */
    public final Counter compactorBlocksMarkedForDeletion;
    /** Blocks deleted from the bucket (Mimir: cortex_compactor_blocks_cleaned_total). */
    public final Counter compactorBlocksCleaned;
    /** Blocks marked no-compact (Mimir: cortex_compactor_blocks_marked_for_no_compaction_total). */
    public final Counter compactorBlocksMarkedForNoCompaction;
    /** Merges running now (0 or 1 per compactor): what kill tests wait for. */
    public final Gauge compactorMergesRunning;

    public final Counter queries;
    public final Counter queriesRejected;
    public final Histogram querySeconds;

    /** The node's store-gateway's bucket store, whose reads and caches are scraped; null without one. */
    private volatile BucketStore bucketStore;

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
        discardedExemplars = Counter.builder().name("mnemo_discarded_exemplars_total")
                .help("Exemplars discarded, by tenant and reason.").labelNames("tenant", "reason").register(registry);
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
        ingesterExemplarsInStorage = Gauge.builder().name("mnemo_ingester_exemplars_in_storage")
                .help("Exemplars in the ingester's exemplar stores (all tenants), by zone and partition.")
                .labelNames("zone", "partition").register(registry);
        ingesterExemplarsAppended = Counter.builder().name("mnemo_ingester_exemplars_appended_total")
                .help("Exemplars added to the ingester's exemplar stores, by zone and partition (journal replays too).")
                .labelNames("zone", "partition").register(registry);
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

        bucketStoreBlocksLoaded = Gauge.builder().name("mnemo_bucket_store_blocks_loaded")
                .help("Blocks the store-gateway has loaded (their index-headers on local disk) and serves.").register(registry);
        bucketStoreBlockLoads = Counter.builder().name("mnemo_bucket_store_block_loads_total")
                .help("Blocks the store-gateway loaded, each load.").register(registry);
        bucketStoreBlockLoadFailures = Counter.builder().name("mnemo_bucket_store_block_load_failures_total")
                .help("Block loads of the store-gateway that failed (retried at the next sync).").register(registry);
        bucketStoreBlockDrops = Counter.builder().name("mnemo_bucket_store_block_drops_total")
                .help("Blocks the store-gateway dropped: no longer its to serve, or gone from the bucket.").register(registry);
        bucketStoreSyncSeconds = Histogram.builder().name("mnemo_bucket_stores_blocks_sync_seconds")
                .help("Time a store-gateway sync of the bucket took (listing, loading and dropping blocks).").register(registry);
        bucketStoreSyncFailures = Counter.builder().name("mnemo_bucket_stores_blocks_sync_failures_total")
                .help("Store-gateway syncs that failed as a whole (the bucket could not be listed).").register(registry);
        bucketStoreLastSuccessfulSync = Gauge.builder().name("mnemo_bucket_stores_blocks_last_successful_sync_timestamp_seconds")
                .help("Unix time of the store-gateway's last successful sync.").register(registry);
        storeGatewayReadStreams = Gauge.builder().name("mnemo_store_gateway_read_streams")
                .help("Read streams the store-gateway is serving now.").register(registry);
        storeGatewayReadStreamsCancelled = Counter.builder().name("mnemo_store_gateway_read_streams_cancelled_total")
                .help("Store-gateway read streams cancelled by their querier before the answer ended.").register(registry);
        querierBlocksConsistencyChecks = Counter.builder().name("mnemo_querier_blocks_consistency_checks_total")
                .help("Reads of store-gateways whose blocks were checked to be all answered for.").register(registry);
        querierBlocksConsistencyChecksFailed = Counter.builder().name("mnemo_querier_blocks_consistency_checks_failed_total")
                .help("Reads of store-gateways that failed because some block no store-gateway answered for (the query answered 503).")
                .register(registry);

        // Read at scrape time from the store-gateway's bucket store (Thanos's objstore and store cache metrics).
        CounterWithCallback.builder().name("mnemo_bucket_store_bucket_reads_total")
                .help("Ranged reads the store-gateway made from the bucket (index, series and chunks not in its caches).")
                .callback(cb -> { if (bucketStore != null) cb.call(bucketStore.bucketReads()); }).register(registry);
        CounterWithCallback.builder().name("mnemo_bucket_store_bucket_read_bytes_total")
                .help("Bytes the store-gateway read from the bucket by ranged reads.")
                .callback(cb -> { if (bucketStore != null) cb.call(bucketStore.bucketBytesRead()); }).register(registry);
        CounterWithCallback.builder().name("mnemo_bucket_store_cache_requests_total")
                .help("Lookups in the store-gateway's caches, by cache (index: postings and series; chunks).").labelNames("cache")
                .callback(cb -> cache(cb, s -> s.hits() + s.misses())).register(registry);
        CounterWithCallback.builder().name("mnemo_bucket_store_cache_hits_total")
                .help("Lookups the store-gateway's caches answered, by cache.").labelNames("cache")
                .callback(cb -> cache(cb, CacheStats::hits)).register(registry);
        CounterWithCallback.builder().name("mnemo_bucket_store_cache_evictions_total")
                .help("Entries the store-gateway's caches evicted to stay within their bounds, by cache.").labelNames("cache")
                .callback(cb -> cache(cb, CacheStats::evictions)).register(registry);
        GaugeWithCallback.builder().name("mnemo_bucket_store_cache_items")
                .help("Entries in the store-gateway's caches, by cache.").labelNames("cache")
                .callback(cb -> cacheGauge(cb, CacheStats::entries)).register(registry);
        GaugeWithCallback.builder().name("mnemo_bucket_store_cache_size_bytes")
                .help("Estimated bytes held by the store-gateway's caches, by cache.").labelNames("cache")
                .callback(cb -> cacheGauge(cb, CacheStats::bytes)).register(registry);
        GaugeWithCallback.builder().name("mnemo_bucket_store_cache_max_size_bytes")
                .help("Bounds of the store-gateway's caches, by cache (mnemo.blocks-storage.bucket-store.*-cache).")
                .labelNames("cache").callback(cb -> cacheGauge(cb, CacheStats::maxBytes)).register(registry);

        compactorRunsStarted = Counter.builder().name("mnemo_compactor_runs_started_total")
                .help("Compaction passes over a tenant the compactor started.").register(registry);
        compactorRunsFailed = Counter.builder().name("mnemo_compactor_runs_failed_total")
                .help("Compaction passes, or groups of blocks in them, that failed (tried again at the next pass).").register(registry);
        compactorCleanupStarted = Counter.builder().name("mnemo_compactor_block_cleanup_started_total")
                .help("Cleanups of a tenant (retention, deletions past the delay, tenant deletion, bucket index).").register(registry);
        compactorCleanupFailed = Counter.builder().name("mnemo_compactor_block_cleanup_failed_total")
                .help("Cleanups of a tenant, or block deletions in them, that failed (tried again next time).").register(registry);
        compactorBlocksMarkedForDeletion = Counter.builder().name("mnemo_compactor_blocks_marked_for_deletion_total")
                .help("Blocks the compactor marked for deletion, by reason (compaction, retention).").labelNames("reason")
                .register(registry);
        compactorBlocksCleaned = Counter.builder().name("mnemo_compactor_blocks_cleaned_total")
                .help("Blocks the compactor deleted from the bucket.").register(registry);
        compactorBlocksMarkedForNoCompaction = Counter.builder().name("mnemo_compactor_blocks_marked_for_no_compaction_total")
                .help("Blocks the compactor could not read and marked no-compact (compaction carries on without them).")
                .register(registry);
        compactorMergesRunning = Gauge.builder().name("mnemo_compactor_merges_running")
                .help("Merges of blocks the compactor is running now.").register(registry);

        queries = Counter.builder().name("mnemo_querier_queries_total")
                .help("Queries evaluated, by endpoint and outcome.").labelNames("endpoint", "outcome").register(registry);
        queriesRejected = Counter.builder().name("mnemo_querier_queries_rejected_total")
                .help("Queries refused for going over a query limit, by tenant and limit.").labelNames("tenant", "reason")
                .register(registry);
        querySeconds = Histogram.builder().name("mnemo_querier_query_duration_seconds")
                .help("Query evaluation time.").labelNames("endpoint").register(registry);
    }

    /** The compactor's counts, into this registry. */
    public io.mnemo.compactor.CompactorMetrics compactor() {
        return new io.mnemo.compactor.CompactorMetrics() {
            @Override
            public void compactionRun() { compactorRunsStarted.inc(); }

            @Override
            public void compactionFailed() { compactorRunsFailed.inc(); }

            @Override
            public void cleanupRun() { compactorCleanupStarted.inc(); }

            @Override
            public void cleanupFailed() { compactorCleanupFailed.inc(); }

            @Override
            public void blocksMarkedForDeletion(String reason, int blocks) {
                compactorBlocksMarkedForDeletion.labelValues(reason).inc(blocks);
            }

            @Override
            public void blocksDeleted(int blocks) { compactorBlocksCleaned.inc(blocks); }

            @Override
            public void blockMarkedNoCompact() { compactorBlocksMarkedForNoCompaction.inc(); }
        };
    }

    /** From now on, the bucket store metrics are this store's (the node's store-gateway's). */
    public void serving(BucketStore store) {
        this.bucketStore = store;
    }

    private void cache(CounterWithCallback.Callback cb, java.util.function.ToLongFunction<CacheStats> value) {
        BucketStore store = bucketStore;
        if (store == null) return;
        cb.call(value.applyAsLong(store.indexCacheStats()), "index");
        cb.call(value.applyAsLong(store.chunksCacheStats()), "chunks");
    }

    private void cacheGauge(GaugeWithCallback.Callback cb, java.util.function.ToLongFunction<CacheStats> value) {
        BucketStore store = bucketStore;
        if (store == null) return;
        cb.call(value.applyAsLong(store.indexCacheStats()), "index");
        cb.call(value.applyAsLong(store.chunksCacheStats()), "chunks");
    }
}
