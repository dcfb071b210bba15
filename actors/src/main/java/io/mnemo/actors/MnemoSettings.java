package io.mnemo.actors;

import com.typesafe.config.Config;
import io.mnemo.compactor.CompactorConfig;
import io.mnemo.objstore.BucketConfig;
import io.mnemo.objstore.S3Config;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/** The {@code mnemo} section of the configuration, read once at startup. */
public record MnemoSettings(
        Path dataDir,
        List<String> roles,
        String zone,
        List<String> zones,
        boolean multitenancyEnabled,
        String noAuthTenant,
        String topic,
        int partitions,
        Duration produceTimeout,
        long maxRequestBodySize,
        long maxDecompressedSize,
        long maxOtlpRequestSize,
        int maxLabelNamesPerSeries,
        int maxLabelNameLength,
        int maxLabelValueLength,
        int ingesterMaxBatchRecords,
        Duration ingesterMaxBatchWait,
        Duration lagRefreshInterval,
        long activeLagThreshold,
        Duration heartbeatTimeout,
        Duration leaveGrace,
        Duration blockRange,
        Duration headCompactionInterval,
        Duration lookbackDelta,
        Duration queryTimeout,
        Duration ingesterQueryTimeout,
        int maxConcurrentQueries,
        long maxQuerySamples,
        int maxExpressionDepth,
        TenantLimits limits,
        BucketConfig blocksStorage,
        Duration tsdbRetentionPeriod,
        BucketStoreSettings bucketStore,
        int storeGatewayReplicationFactor,
        Duration queryIngestersWithin,
        Duration queryStoreAfter,
        CompactorConfig compactor) {

    /**
     * {@code mnemo.blocks-storage.bucket-store}: how store-gateways serve the bucket (Mimir's
     * -blocks-storage.bucket-store.*).
     */
    public record BucketStoreSettings(Duration syncInterval, Path syncDir, Duration ignoreBlocksWithin,
                                      long indexCacheBytes, long chunksCacheBytes, Duration ignoreDeletionMarksDelay) {}

    public static MnemoSettings from(Config root) {
        Config c = root.getConfig("mnemo");
        if (!c.getStringList("zones").contains(c.getString("zone"))) {
            throw new IllegalArgumentException("mnemo.zone \"" + c.getString("zone") + "\" is not in mnemo.zones "
                    + c.getStringList("zones"));
        }
        if (c.getDuration("compactor.deletion-delay").compareTo(c.getDuration("blocks-storage.bucket-store.ignore-deletion-marks-delay")) < 0) {
            // Readers would still use blocks the cleaner has deleted.
            throw new IllegalArgumentException("mnemo.compactor.deletion-delay (" + c.getDuration("compactor.deletion-delay")
                    + ") must not be shorter than mnemo.blocks-storage.bucket-store.ignore-deletion-marks-delay ("
                    + c.getDuration("blocks-storage.bucket-store.ignore-deletion-marks-delay") + ")");
        }
        return new MnemoSettings(
                Path.of(c.getString("data-dir")),
                c.getStringList("roles"),
                c.getString("zone"),
                c.getStringList("zones"),
                c.getBoolean("multitenancy-enabled"),
                c.getString("no-auth-tenant"),
                c.getString("kafka.topic"),
                c.getInt("kafka.partitions"),
                c.getDuration("kafka.produce-timeout"),
                c.getBytes("distributor.max-request-body-size"),
                c.getBytes("distributor.max-decompressed-size"),
                c.getBytes("distributor.max-otlp-request-size"),
                c.getInt("distributor.max-label-names-per-series"),
                c.getInt("distributor.max-label-name-length"),
                c.getInt("distributor.max-label-value-length"),
                c.getInt("ingester.max-batch-records"),
                c.getDuration("ingester.max-batch-wait"),
                c.getDuration("ingester.lag-refresh-interval"),
                c.getLong("ring.active-lag-threshold"),
                c.getDuration("ring.heartbeat-timeout"),
                c.getDuration("ring.leave-grace"),
                c.getDuration("ingester.block-range"),
                c.getDuration("ingester.head-compaction-interval"),
                c.getDuration("querier.lookback-delta"),
                c.getDuration("querier.timeout"),
                c.getDuration("querier.ingester-timeout"),
                c.getInt("querier.max-concurrent"),
                c.getLong("querier.max-samples"),
                c.getInt("querier.max-expression-depth"),
                TenantLimits.from(c.getConfig("limits")),
                blocksStorage(c.getConfig("blocks-storage")),
                c.getDuration("blocks-storage.tsdb.retention-period"),
                bucketStore(c.getConfig("blocks-storage.bucket-store")),
                positive(c, "store-gateway.sharding-ring.replication-factor"),
                c.getDuration("querier.query-ingesters-within"),
                c.getDuration("querier.query-store-after"),
                compactor(c.getConfig("compactor")));
    }

    /** {@code mnemo.compactor} (Mimir's -compactor.*). */
    static CompactorConfig compactor(Config c) {
        return new CompactorConfig(c.getDuration("compaction-interval"), c.getDurationList("block-ranges"),
                c.getDuration("first-level-compaction-wait-period"), c.getDuration("deletion-delay"),
                c.getDuration("cleanup-interval"), Path.of(c.getString("data-dir")),
                c.getDuration("partial-block-deletion-delay"));
    }

    static BucketStoreSettings bucketStore(Config b) {
        if (b.getDuration("sync-interval").isZero() || b.getDuration("sync-interval").isNegative()) {
            throw new IllegalArgumentException("mnemo.blocks-storage.bucket-store.sync-interval must be positive");
        }
        return new BucketStoreSettings(b.getDuration("sync-interval"), Path.of(b.getString("sync-dir")),
                b.getDuration("ignore-blocks-within"), b.getBytes("index-cache.inmemory.max-size-bytes"),
                b.getBytes("chunks-cache.inmemory.max-size-bytes"), nonNegative(b, "ignore-deletion-marks-delay"));
    }

    private static Duration nonNegative(Config b, String key) {
        Duration d = b.getDuration(key);
        if (d.isNegative()) throw new IllegalArgumentException("mnemo.blocks-storage.bucket-store." + key + " must not be negative");
        return d;
    }

    private static int positive(Config c, String key) {
        int v = c.getInt(key);
        if (v < 1) throw new IllegalArgumentException("mnemo." + key + " must be at least 1: " + v);
        return v;
    }

    /** {@code mnemo.blocks-storage}: the bucket blocks go to (Mimir's -blocks-storage.*). */
    static BucketConfig blocksStorage(Config b) {
        Path dir;
        try {
            dir = Path.of(b.getString("filesystem.dir"));
        } catch (InvalidPathException e) {
            throw new IllegalArgumentException("mnemo.blocks-storage.filesystem.dir: " + e.getMessage(), e);
        }
        Config s3 = b.getConfig("s3");
        try {
            return new BucketConfig(BucketConfig.Backend.parse(b.getString("backend")), dir, new S3Config(
                    s3.getString("endpoint"), s3.getString("bucket-name"), s3.getString("region"),
                    s3.getString("access-key-id"), s3.getString("secret-access-key"), s3.getBoolean("insecure"),
                    S3Config.BucketLookupType.parse(s3.getString("bucket-lookup-type"))));
        } catch (IllegalArgumentException e) {
            // objstore's messages start with the key under blocks-storage: name it in full.
            throw new IllegalArgumentException("mnemo.blocks-storage." + e.getMessage(), e);
        }
    }

    public boolean hasRole(String role) {
        return roles.contains(role);
    }
}
