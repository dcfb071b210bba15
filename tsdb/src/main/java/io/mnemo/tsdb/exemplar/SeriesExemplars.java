package io.mnemo.tsdb.exemplar;

import io.mnemo.tsdb.Labels;
import java.util.List;

/** A series' exemplars in a time range, oldest first: one entry of a {@code query_exemplars} answer. */
public record SeriesExemplars(Labels seriesLabels, List<Exemplar> exemplars) {}
