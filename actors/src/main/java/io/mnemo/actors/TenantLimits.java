package io.mnemo.actors;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigUtil;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Per-tenant limits ({@code mnemo.limits}): the defaults, and overrides under
 * {@code mnemo.limits.tenants."<tenant>"} that set any subset of them (Mimir's runtime overrides,
 * read once at startup here). Names and meanings are Mimir's, in HOCON spelling.
 */
public final class TenantLimits {

    /**
     * The limits of one tenant.
     *
     * @param outOfOrderTimeWindow        samples this far behind the head's newest are accepted out of order (0: none)
     * @param creationGracePeriod         samples newer than now plus this are refused (Mimir: creation_grace_period)
     * @param pastGracePeriod             samples older than now minus the out-of-order window minus this are
     *                                    refused; 0 turns the check off (Mimir: past_grace_period)
     * @param maxMetadataLength           longest metric family name, help or unit of metadata (Mimir: max_metadata_length)
     * @param maxGlobalMetadataPerUser    metric families with metadata kept per tenant, across the cluster; 0: no limit
     * @param maxFetchedSeriesPerQuery    series one query may fetch from storage; 0: no limit
     * @param maxFetchedChunkBytesPerQuery chunk bytes one query may fetch from storage; 0: no limit
     * @param maxQueryLength              longest time range a query may select (end - start plus its ranges and
     *                                    lookback); 0: no limit (Mimir: max_partial_query_length)
     * @param compactorBlocksRetentionPeriod blocks whose newest sample is older than this are deleted by the
     *                                    compactor; 0: kept forever (Mimir: compactor_blocks_retention_period)
     * @param otelTranslationStrategy     how OTLP names become Prometheus names (Mimir: otel_translation_strategy)
     * @param promoteOtelResourceAttributes OTLP resource attributes copied onto every series of their resource
     *                                    (Mimir: promote_otel_resource_attributes)
     * @param otelKeepIdentifyingResourceAttributes target_info keeps service.name, service.namespace and
     *                                    service.instance.id too (Mimir: otel_keep_identifying_resource_attributes)
     * @param maxGlobalExemplarsPerUser   exemplars kept per tenant, across the cluster; 0: exemplars are refused
     *                                    (Mimir: max_global_exemplars_per_user)
     * @param nativeHistogramsIngestionEnabled false refuses the tenant's native histogram samples with 400
     *                                    (Mimir: native_histograms_ingestion_enabled, which drops them silently)
     * @param maxNativeHistogramBuckets   most buckets a native histogram sample may have; 0: no limit
     *                                    (Mimir: max_native_histogram_buckets)
     * @param reduceNativeHistogramOverMaxBuckets a sample over that limit has its resolution reduced until it
     *                                    fits, rather than being refused (Mimir: reduce_native_histogram_over_max_buckets)
     */
    public record Limits(Duration outOfOrderTimeWindow, Duration creationGracePeriod, Duration pastGracePeriod,
                         int maxMetadataLength, int maxGlobalMetadataPerUser, int maxFetchedSeriesPerQuery,
                         long maxFetchedChunkBytesPerQuery, Duration maxQueryLength, Duration compactorBlocksRetentionPeriod,
                         OtelTranslationStrategy otelTranslationStrategy, List<String> promoteOtelResourceAttributes,
                         boolean otelKeepIdentifyingResourceAttributes, int maxGlobalExemplarsPerUser,
                         boolean nativeHistogramsIngestionEnabled, int maxNativeHistogramBuckets,
                         boolean reduceNativeHistogramOverMaxBuckets) {

        /** The limits with native histograms' defaults (tests). */
        public Limits(Duration outOfOrderTimeWindow, Duration creationGracePeriod, Duration pastGracePeriod,
                      int maxMetadataLength, int maxGlobalMetadataPerUser, int maxFetchedSeriesPerQuery,
                      long maxFetchedChunkBytesPerQuery, Duration maxQueryLength, Duration compactorBlocksRetentionPeriod,
                      OtelTranslationStrategy otelTranslationStrategy, List<String> promoteOtelResourceAttributes,
                      boolean otelKeepIdentifyingResourceAttributes, int maxGlobalExemplarsPerUser) {
            this(outOfOrderTimeWindow, creationGracePeriod, pastGracePeriod, maxMetadataLength, maxGlobalMetadataPerUser,
                    maxFetchedSeriesPerQuery, maxFetchedChunkBytesPerQuery, maxQueryLength, compactorBlocksRetentionPeriod,
                    otelTranslationStrategy, promoteOtelResourceAttributes, otelKeepIdentifyingResourceAttributes,
                    maxGlobalExemplarsPerUser, true, 0, true);
        }

        /** The limits without exemplars, as before they were kept (tests). */
        public Limits(Duration outOfOrderTimeWindow, Duration creationGracePeriod, Duration pastGracePeriod,
                      int maxMetadataLength, int maxGlobalMetadataPerUser, int maxFetchedSeriesPerQuery,
                      long maxFetchedChunkBytesPerQuery, Duration maxQueryLength, Duration compactorBlocksRetentionPeriod,
                      OtelTranslationStrategy otelTranslationStrategy, List<String> promoteOtelResourceAttributes,
                      boolean otelKeepIdentifyingResourceAttributes) {
            this(outOfOrderTimeWindow, creationGracePeriod, pastGracePeriod, maxMetadataLength, maxGlobalMetadataPerUser,
                    maxFetchedSeriesPerQuery, maxFetchedChunkBytesPerQuery, maxQueryLength, compactorBlocksRetentionPeriod,
                    otelTranslationStrategy, promoteOtelResourceAttributes, otelKeepIdentifyingResourceAttributes,
                    DEFAULT_MAX_GLOBAL_EXEMPLARS_PER_USER);
        }

        static Limits from(Config c) {
            Limits l = new Limits(
                    c.getDuration("out-of-order-time-window"),
                    c.getDuration("creation-grace-period"),
                    c.getDuration("past-grace-period"),
                    c.getInt("max-metadata-length"),
                    c.getInt("max-global-metadata-per-user"),
                    c.getInt("max-fetched-series-per-query"),
                    c.getBytes("max-fetched-chunk-bytes-per-query"),
                    c.getDuration("max-query-length"),
                    c.getDuration("compactor-blocks-retention-period"),
                    OtelTranslationStrategy.parse(c.getString("otel-translation-strategy")),
                    List.copyOf(c.getStringList("promote-otel-resource-attributes")),
                    c.getBoolean("otel-keep-identifying-resource-attributes"),
                    c.getInt("max-global-exemplars-per-user"),
                    c.getBoolean("native-histograms-ingestion-enabled"),
                    c.getInt("max-native-histogram-buckets"),
                    c.getBoolean("reduce-native-histogram-over-max-buckets"));
            if (l.maxMetadataLength <= 0) throw new IllegalArgumentException("max-metadata-length must be positive");
            if (l.outOfOrderTimeWindow.isNegative() || l.creationGracePeriod.isNegative() || l.pastGracePeriod.isNegative()
                    || l.maxQueryLength.isNegative() || l.maxGlobalMetadataPerUser < 0 || l.maxFetchedSeriesPerQuery < 0
                    || l.maxFetchedChunkBytesPerQuery < 0 || l.compactorBlocksRetentionPeriod.isNegative()
                    || l.maxGlobalExemplarsPerUser < 0 || l.maxNativeHistogramBuckets < 0) {
                throw new IllegalArgumentException("limits must not be negative");
            }
            return l;
        }
    }

    private static final Set<String> KEYS = Set.of("out-of-order-time-window", "creation-grace-period",
            "past-grace-period", "max-metadata-length", "max-global-metadata-per-user", "max-fetched-series-per-query",
            "max-fetched-chunk-bytes-per-query", "max-query-length", "compactor-blocks-retention-period",
            "otel-translation-strategy", "promote-otel-resource-attributes", "otel-keep-identifying-resource-attributes",
            "max-global-exemplars-per-user", "native-histograms-ingestion-enabled", "max-native-histogram-buckets",
            "reduce-native-histogram-over-max-buckets");

    /** Prometheus's default exemplar storage size (Mimir's default, 0, would refuse every exemplar). */
    public static final int DEFAULT_MAX_GLOBAL_EXEMPLARS_PER_USER = 100_000;

    private final Limits defaults;
    private final Map<String, Limits> overrides;

    public TenantLimits(Limits defaults, Map<String, Limits> overrides) {
        this.defaults = defaults;
        this.overrides = Map.copyOf(overrides);
    }

    /** Reads {@code mnemo.limits}; an override naming a key that is not a limit fails startup (a typo). */
    public static TenantLimits from(Config limits) {
        Config base = limits.withoutPath("tenants");
        Map<String, Limits> overrides = new HashMap<>();
        Config tenants = limits.getConfig("tenants");
        for (String tenant : tenants.root().keySet()) {
            Config t = tenants.getConfig(ConfigUtil.quoteString(tenant));
            for (String key : t.root().keySet()) {
                if (!KEYS.contains(key)) {
                    throw new IllegalArgumentException("mnemo.limits.tenants.\"" + tenant + "\"." + key
                            + " is not a per-tenant limit; limits are " + KEYS);
                }
            }
            try {
                overrides.put(tenant, Limits.from(t.withFallback(base)));
            } catch (RuntimeException e) {
                throw new IllegalArgumentException("mnemo.limits.tenants.\"" + tenant + "\": " + e.getMessage(), e);
            }
        }
        return new TenantLimits(Limits.from(base), overrides);
    }

    /** The limits of a tenant: its overrides over the defaults. */
    public Limits of(String tenant) {
        return overrides.getOrDefault(tenant, defaults);
    }

    /** The limits of tenants without overrides. */
    public Limits defaults() {
        return defaults;
    }

    /** How long the compactor keeps a tenant's blocks (newest sample older than this goes); 0: forever. */
    public Duration compactorBlocksRetentionPeriod(String tenant) {
        return of(tenant).compactorBlocksRetentionPeriod();
    }

    /** How far behind the head's newest sample a tenant's samples may arrive out of order; 0: never. */
    public Duration outOfOrderTimeWindow(String tenant) {
        return of(tenant).outOfOrderTimeWindow();
    }
}
