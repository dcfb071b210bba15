package io.mnemo.actors.readpath;

import io.mnemo.persistence.MnemoSerializable;
import io.mnemo.tsdb.RegexTooComplexException;
import io.mnemo.tsdb.db.TenantDb;

/**
 * Why a store (an ingester) did not answer a read, by kind, so that each keeps its meaning end to
 * end: a querier asks another zone's store when one is {@link Kind#UNAVAILABLE} (and answers 503
 * only when none is left), passes a {@link Kind#BAD_QUERY} on to the client as a 422, and reports
 * an {@link Kind#INTERNAL} failure as the server's own (500).
 */
public record ReadError(Kind kind, String message) implements MnemoSerializable {

    public enum Kind {
        /** This store may not serve reads (not ACTIVE or LEAVING, failed to recover, stopping): ask another. */
        UNAVAILABLE,
        /** The query itself cannot be answered (e.g. a regex too complex for a label value). */
        BAD_QUERY,
        /** A failure of the store's own (a bug, an unreadable block): not the client's doing. */
        INTERNAL
    }

    /** {@code who} (e.g. "ingester zone-a/3") may not serve reads, because {@code why}. */
    public static ReadError unavailable(String who, String why) {
        return new ReadError(Kind.UNAVAILABLE, who + " " + why);
    }

    /** The kind of a failure while reading: the query's fault or the store's. */
    public static ReadError of(String who, Throwable e) {
        if (e instanceof TenantDb.ClosedException) return unavailable(who, "stopped: " + e.getMessage());
        boolean query = e instanceof RegexTooComplexException || e instanceof IllegalArgumentException;
        return new ReadError(query ? Kind.BAD_QUERY : Kind.INTERNAL, who + ": " + e.getMessage());
    }
}
