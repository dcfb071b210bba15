package io.mnemo.promql;

import io.mnemo.promql.value.Value;

import java.util.List;
import java.util.Objects;

/**
 * The value of a query with the warnings and infos Prometheus would return alongside it (the
 * {@code warnings} and {@code infos} of the HTTP API), rendered with positions in {@code query}.
 */
public record QueryResult(Value value, List<String> warnings, List<String> infos) {
    public QueryResult {
        Objects.requireNonNull(value);
        warnings = List.copyOf(warnings);
        infos = List.copyOf(infos);
    }

    static QueryResult of(Value value, Annotations annotations, String query) {
        return new QueryResult(value, annotations.warnings(query), annotations.infos(query));
    }
}
