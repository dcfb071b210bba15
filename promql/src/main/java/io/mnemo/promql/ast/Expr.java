package io.mnemo.promql.ast;

import io.mnemo.promql.value.ValueType;

/**
 * A node of a parsed PromQL expression. Nodes are immutable; {@link #toString()} renders the node
 * back to PromQL in Prometheus's canonical form.
 */
public sealed interface Expr
        permits AggregateExpr, BinaryExpr, Call, DurationExpr, MatrixSelector, NumberLiteral, ParenExpr,
                StringLiteral, SubqueryExpr, UnaryExpr, VectorSelector {

    /** The type this expression evaluates to. */
    ValueType type();

    /** Where the expression sits in the query text it was parsed from. */
    PositionRange positionRange();
}
