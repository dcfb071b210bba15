package io.mnemo.actors.querier;

import java.time.Duration;

/**
 * Which stores a query's time range goes to, as Mimir's querier decides: ingesters hold the last
 * {@code query-ingesters-within} (they keep shipped blocks on disk a while longer), store-gateways
 * everything older than {@code query-store-after} (younger blocks may not be in the bucket, or
 * loaded, yet). Each side gets only its part of the range; 0 for either means that side is asked
 * for the whole range. Overlap between the two is expected (the ingesters' window is the longer)
 * and merged away. Unlike Mimir, ingesters are also asked back to the oldest sample they hold:
 * Mnemo takes samples of any age (a backfill), and those stay in an ingester's head until cut and
 * shipped, where no store-gateway has them yet; asking only by the clock would hide them.
 */
public record TimeRouting(Duration queryIngestersWithin, Duration queryStoreAfter) {

    /** A range of milliseconds, both ends inclusive. */
    public record Range(long mint, long maxt) {}

    public TimeRouting {
        if (queryIngestersWithin.isNegative() || queryStoreAfter.isNegative()) {
            throw new IllegalArgumentException("negative durations: " + queryIngestersWithin + ", " + queryStoreAfter);
        }
        if (!queryIngestersWithin.isZero() && queryStoreAfter.compareTo(queryIngestersWithin) >= 0) {
            // Else samples between the two would be asked of neither.
            throw new IllegalArgumentException("mnemo.querier.query-store-after (" + queryStoreAfter
                    + ") must be less than mnemo.querier.query-ingesters-within (" + queryIngestersWithin + ")");
        }
    }

    /** The part of [mint, maxt] the ingesters are asked for at {@code now}, or null when none. */
    public Range ingesters(long mint, long maxt, long now) {
        return ingesters(mint, maxt, now, Long.MAX_VALUE);
    }

    /**
     * The part of [mint, maxt] the ingesters are asked for at {@code now} when the oldest sample
     * any of them holds is {@code heldFrom} ({@link Long#MAX_VALUE}: none), or null when none.
     */
    public Range ingesters(long mint, long maxt, long now, long heldFrom) {
        if (queryIngestersWithin.isZero()) return new Range(mint, maxt);
        long from = Math.min(now - queryIngestersWithin.toMillis(), heldFrom);
        return maxt < from ? null : new Range(Math.max(mint, from), maxt);
    }

    /** The part of [mint, maxt] the store-gateways are asked for at {@code now}, or null when none. */
    public Range stores(long mint, long maxt, long now) {
        if (queryStoreAfter.isZero()) return new Range(mint, maxt);
        long until = now - queryStoreAfter.toMillis();
        return mint > until ? null : new Range(mint, Math.min(maxt, until));
    }
}
