package io.mnemo.actors.ingester;

import io.mnemo.cluster.IngesterId;
import io.mnemo.persistence.MnemoSerializable;
import io.mnemo.tsdb.RegexTooComplexException;

/**
 * Why an ingester did not answer a read, by kind, so that each keeps its meaning end to end: a
 * querier asks another zone's ingester when one is {@link Kind#UNAVAILABLE} (and answers 503 only
 * when none is left), passes a {@link Kind#BAD_QUERY} on to the client as a 422, and reports an
 * {@link Kind#INTERNAL} failure as the server's own (500).
 */
public record IngesterError(Kind kind, String message) implements MnemoSerializable {

    public enum Kind {
        /** This ingester may not serve reads (not ACTIVE or LEAVING, or failed to recover): ask another. */
        UNAVAILABLE,
        /** The query itself cannot be answered (e.g. a regex too complex for a label value). */
        BAD_QUERY,
        /** A failure of the ingester's own (a bug, unreadable block): not the client's doing. */
        INTERNAL
    }

    static IngesterError unavailable(IngesterId id, String why) {
        return new IngesterError(Kind.UNAVAILABLE, "ingester " + id + " " + why);
    }

    /** The kind of a failure while reading: the query's fault or the ingester's. */
    static IngesterError of(IngesterId id, RuntimeException e) {
        boolean query = e instanceof RegexTooComplexException || e instanceof IllegalArgumentException;
        return new IngesterError(query ? Kind.BAD_QUERY : Kind.INTERNAL, "ingester " + id + ": " + e.getMessage());
    }
}
