package io.mnemo.tsdb.exemplar;

import io.mnemo.tsdb.Labels;

/** An exemplar as a query returns it: its own labels (a trace id, say), its value and timestamp (ms). */
public record Exemplar(Labels labels, double value, long timestamp) {}
