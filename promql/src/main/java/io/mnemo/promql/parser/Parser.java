package io.mnemo.promql.parser;

import io.mnemo.promql.ast.Expr;
import io.mnemo.tsdb.LabelMatcher;
import io.mnemo.tsdb.Labels;

import java.util.List;
import java.util.Objects;

/**
 * Parses PromQL as Prometheus 3.x does: the whole grammar, its type checks and its error messages.
 * Thread-safe; each call parses independently.
 */
public final class Parser {
    private static final Parser DEFAULT = new Parser(ParserOptions.DEFAULT);

    private final ParserOptions options;

    public Parser(ParserOptions options) {
        this.options = Objects.requireNonNull(options);
    }

    /** Parses with stable PromQL only (no experimental features). */
    public static Expr parse(String query) { return DEFAULT.parseExpr(query); }

    public ParserOptions options() { return options; }

    /**
     * Parses and type-checks an expression.
     *
     * @throws ParseException for a syntax or type error, with Prometheus's message and position, or
     *                        for an expression nested deeper than {@link ParserOptions#maxDepth()}
     */
    public Expr parseExpr(String query) {
        Expr e = new ExprParser(query, options).parseQuery();
        ExpressionDepth.check(e, options.maxDepth(), query);
        return new TypeChecker(query).check(e);
    }

    /**
     * Parses a series selector such as the {@code match[]} parameter of the series API:
     * {@code name}, {@code name{...}} or {@code {...}}, without operators or modifiers. Does not
     * require a non-empty matcher: callers decide.
     */
    public List<LabelMatcher> parseMetricSelector(String selector) {
        return new ExprParser(selector, options).parseSelectorOnly().matchers();
    }

    /** Parses a metric with its label set, {@code name{label="value", ...}}, into labels. */
    public Labels parseMetric(String metric) {
        return new ExprParser(metric, options).parseMetric();
    }
}
