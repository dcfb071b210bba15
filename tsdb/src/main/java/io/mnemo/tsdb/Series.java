package io.mnemo.tsdb;

/** A series as a query sees it: its labels and a fresh iterator over its samples. */
public interface Series {
    Labels labels();

    SampleIterator iterator();
}
