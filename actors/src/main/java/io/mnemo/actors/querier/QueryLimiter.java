package io.mnemo.actors.querier;

import io.mnemo.actors.TenantLimits;
import io.mnemo.tsdb.Labels;
import io.mnemo.tsdb.SeriesHasher;

/**
 * What one query may fetch from storage, after Mimir's per-query limiter: the distinct series and
 * the chunk bytes of the ingesters' answers, counted as they are decoded (a streamed read will call
 * it per batch just the same), and the length of the time range it selects. One per query;
 * thread-safe, since the streams of a query's partitions arrive on several threads at once.
 */
public final class QueryLimiter {
    static final String MAX_SERIES = "max-fetched-series-per-query";
    static final String MAX_CHUNK_BYTES = "max-fetched-chunk-bytes-per-query";
    static final String MAX_QUERY_LENGTH = "max-query-length";
    private static final String CARDINALITY_STRATEGY = "Consider reducing the time range and/or number of series selected"
            + " by the query. One way to reduce the number of selected series is to add more label matchers to the query";

    private final int maxSeries;
    private final long maxChunkBytes;
    private final long maxQueryLengthMillis;
    /** 64-bit hashes of the series seen: a collision would undercount by one, in a space of 2^64. */
    private final LongSet series = new LongSet();
    private long chunkBytes;

    /** Limits of 0 are off. */
    public QueryLimiter(int maxSeries, long maxChunkBytes, long maxQueryLengthMillis) {
        this.maxSeries = maxSeries;
        this.maxChunkBytes = maxChunkBytes;
        this.maxQueryLengthMillis = maxQueryLengthMillis;
    }

    public static QueryLimiter of(TenantLimits.Limits limits) {
        return new QueryLimiter(limits.maxFetchedSeriesPerQuery(), limits.maxFetchedChunkBytesPerQuery(),
                limits.maxQueryLength().toMillis());
    }

    /** Fails when the time range [mint, maxt] a query selects is longer than its limit. */
    public void checkQueryLength(long mint, long maxt) {
        long length = maxt - mint;
        if (maxQueryLengthMillis == 0 || length <= maxQueryLengthMillis) return;
        throw new QueryLimitExceededException(MAX_QUERY_LENGTH, "the query time range exceeds the limit (query length: "
                + goDuration(length) + ", limit: " + goDuration(maxQueryLengthMillis) + ") (err-mnemo-max-query-length)."
                + " To adjust the related per-tenant limit, configure mnemo.limits.max-query-length, or contact your"
                + " service administrator.");
    }

    /** Counts a series fetched; the same series fetched again (by another selector) counts once. */
    public synchronized void addSeries(Labels labels) {
        if (maxSeries == 0 || !series.add(SeriesHasher.labels(labels)) || series.size() <= maxSeries) return;
        throw new QueryLimitExceededException(MAX_SERIES, "the query exceeded the maximum number of series (limit: "
                + maxSeries + " series) (err-mnemo-max-series-per-query). " + CARDINALITY_STRATEGY + ". Otherwise, to"
                + " adjust the related per-tenant limit, configure mnemo.limits.max-fetched-series-per-query, or contact"
                + " your service administrator.");
    }

    /** Counts bytes of chunks fetched (negative: an attempt's bytes given back, its answer read again elsewhere). */
    public synchronized void addChunkBytes(long bytes) {
        chunkBytes += bytes;
        if (maxChunkBytes == 0 || chunkBytes <= maxChunkBytes) return;
        throw new QueryLimitExceededException(MAX_CHUNK_BYTES, "the query exceeded the aggregated chunks size limit (limit: "
                + maxChunkBytes + " bytes) (err-mnemo-max-chunks-bytes-per-query). " + CARDINALITY_STRATEGY + ". Otherwise,"
                + " to adjust the related per-tenant limit, configure mnemo.limits.max-fetched-chunk-bytes-per-query, or"
                + " contact your service administrator.");
    }

    /** Go's time.Duration.String of a positive number of milliseconds, as Mimir's messages print it: 4m59.999s, 721h0m0s. */
    static String goDuration(long millis) {
        if (millis == 0) return "0s";
        if (millis < 1000) return millis + "ms";
        StringBuilder sb = new StringBuilder();
        long hours = millis / 3_600_000;
        long minutes = millis / 60_000 % 60;
        if (hours > 0) sb.append(hours).append('h');
        if (hours > 0 || minutes > 0) sb.append(minutes).append('m');
        sb.append(millis / 1000 % 60);
        long fraction = millis % 1000;
        if (fraction != 0) {
            String digits = String.format("%03d", fraction);
            sb.append('.').append(digits.replaceFirst("0+$", ""));
        }
        return sb.append('s').toString();
    }

    /** An open-addressing set of longs (no boxing: a query may fetch millions of series). */
    private static final class LongSet {
        private long[] slots = new long[16];
        private boolean hasZero;
        private int size;

        int size() { return size; }

        /** True when the value was not in the set yet. */
        boolean add(long v) {
            if (v == 0) {
                if (hasZero) return false;
                hasZero = true;
                size++;
                return true;
            }
            if (size * 2 >= slots.length) grow();
            if (!insert(slots, v)) return false;
            size++;
            return true;
        }

        private static boolean insert(long[] table, long v) {
            int mask = table.length - 1;
            int i = (int) (v ^ (v >>> 32)) * 0x9E3779B9 & mask;
            while (table[i] != 0) {
                if (table[i] == v) return false;
                i = (i + 1) & mask;
            }
            table[i] = v;
            return true;
        }

        private void grow() {
            long[] bigger = new long[slots.length * 2];
            for (long v : slots) if (v != 0) insert(bigger, v);
            slots = bigger;
        }
    }
}
