package io.mnemo.tsdb;

/** Something that can be queried over a time range: a head, a block, or a merge of them. */
@FunctionalInterface
public interface Queryable {
    /** A querier over samples with timestamps in [mint, maxt], both inclusive, in milliseconds. */
    Querier querier(long mint, long maxt);
}
