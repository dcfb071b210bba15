package io.mnemo.promql.ast;

import io.mnemo.promql.value.ValueType;

/** Aggregation operators; some take a parameter before the aggregated vector. */
public enum AggregateOp {
    SUM("sum", null), AVG("avg", null), COUNT("count", null), MIN("min", null), MAX("max", null),
    GROUP("group", null), STDDEV("stddev", null), STDVAR("stdvar", null),
    TOPK("topk", ValueType.SCALAR), BOTTOMK("bottomk", ValueType.SCALAR), QUANTILE("quantile", ValueType.SCALAR),
    COUNT_VALUES("count_values", ValueType.STRING),
    LIMITK("limitk", ValueType.SCALAR), LIMIT_RATIO("limit_ratio", ValueType.SCALAR);

    private final String keyword;
    private final ValueType paramType;

    AggregateOp(String keyword, ValueType paramType) {
        this.keyword = keyword;
        this.paramType = paramType;
    }

    public String keyword() { return keyword; }
    public boolean hasParam() { return paramType != null; }
    /** Type the parameter must have, or null when the operator takes none. */
    public ValueType paramType() { return paramType; }
    /** limitk and limit_ratio are behind Prometheus's promql-experimental-functions flag. */
    public boolean isExperimental() { return this == LIMITK || this == LIMIT_RATIO; }

    @Override
    public String toString() { return keyword; }
}
