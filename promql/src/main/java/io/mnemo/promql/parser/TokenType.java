package io.mnemo.promql.parser;

import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/** The kinds of token the PromQL lexer produces. */
enum TokenType {
    EOF(Kind.OTHER, null), ERROR(Kind.OTHER, null),
    IDENTIFIER(Kind.OTHER, null), METRIC_IDENTIFIER(Kind.OTHER, null),
    NUMBER(Kind.OTHER, null), DURATION(Kind.OTHER, null), STRING(Kind.OTHER, null),

    LEFT_PAREN(Kind.PUNCTUATION, "("), RIGHT_PAREN(Kind.PUNCTUATION, ")"),
    LEFT_BRACE(Kind.PUNCTUATION, "{"), RIGHT_BRACE(Kind.PUNCTUATION, "}"),
    LEFT_BRACKET(Kind.PUNCTUATION, "["), RIGHT_BRACKET(Kind.PUNCTUATION, "]"),
    COMMA(Kind.PUNCTUATION, ","), EQL(Kind.PUNCTUATION, "="), COLON(Kind.PUNCTUATION, ":"),

    ADD(Kind.OPERATOR, "+"), SUB(Kind.OPERATOR, "-"), MUL(Kind.OPERATOR, "*"), DIV(Kind.OPERATOR, "/"),
    MOD(Kind.OPERATOR, "%"), POW(Kind.OPERATOR, "^"),
    EQLC(Kind.OPERATOR, "=="), NEQ(Kind.OPERATOR, "!="), LTE(Kind.OPERATOR, "<="), LSS(Kind.OPERATOR, "<"),
    GTE(Kind.OPERATOR, ">="), GTR(Kind.OPERATOR, ">"), TRIM_UPPER(Kind.OPERATOR, "</"), TRIM_LOWER(Kind.OPERATOR, ">/"),
    EQL_REGEX(Kind.OPERATOR, "=~"), NEQ_REGEX(Kind.OPERATOR, "!~"),
    LAND(Kind.OPERATOR, "and"), LOR(Kind.OPERATOR, "or"), LUNLESS(Kind.OPERATOR, "unless"),
    ATAN2(Kind.OPERATOR, "atan2"), AT(Kind.OPERATOR, "@"),

    AVG(Kind.AGGREGATOR, "avg"), BOTTOMK(Kind.AGGREGATOR, "bottomk"), COUNT(Kind.AGGREGATOR, "count"),
    COUNT_VALUES(Kind.AGGREGATOR, "count_values"), GROUP(Kind.AGGREGATOR, "group"), MAX(Kind.AGGREGATOR, "max"),
    MIN(Kind.AGGREGATOR, "min"), QUANTILE(Kind.AGGREGATOR, "quantile"), STDDEV(Kind.AGGREGATOR, "stddev"),
    STDVAR(Kind.AGGREGATOR, "stdvar"), SUM(Kind.AGGREGATOR, "sum"), TOPK(Kind.AGGREGATOR, "topk"),
    LIMITK(Kind.AGGREGATOR, "limitk"), LIMIT_RATIO(Kind.AGGREGATOR, "limit_ratio"),

    BOOL(Kind.KEYWORD, "bool"), BY(Kind.KEYWORD, "by"), GROUP_LEFT(Kind.KEYWORD, "group_left"),
    GROUP_RIGHT(Kind.KEYWORD, "group_right"), FILL(Kind.KEYWORD, "fill"), FILL_LEFT(Kind.KEYWORD, "fill_left"),
    FILL_RIGHT(Kind.KEYWORD, "fill_right"), IGNORING(Kind.KEYWORD, "ignoring"), OFFSET(Kind.KEYWORD, "offset"),
    SMOOTHED(Kind.KEYWORD, "smoothed"), ANCHORED(Kind.KEYWORD, "anchored"), ON(Kind.KEYWORD, "on"),
    WITHOUT(Kind.KEYWORD, "without"),

    START(Kind.PREPROCESSOR, "start"), END(Kind.PREPROCESSOR, "end"), STEP(Kind.PREPROCESSOR, "step"),
    RANGE(Kind.PREPROCESSOR, "range"), MAX_OF(Kind.PREPROCESSOR, "max_of"), MIN_OF(Kind.PREPROCESSOR, "min_of");

    /** How Prometheus describes a token in error messages depends on its kind. */
    enum Kind { OTHER, PUNCTUATION, OPERATOR, AGGREGATOR, KEYWORD, PREPROCESSOR }

    private static final Map<String, TokenType> WORDS = new HashMap<>();

    static {
        for (TokenType t : values()) {
            if (t.text != null && Character.isLetter(t.text.charAt(0))) WORDS.put(t.text, t);
        }
        WORDS.put("inf", NUMBER);
        WORDS.put("nan", NUMBER);
    }

    final Kind kind;
    /** The fixed text of the token, or null for tokens with variable text. */
    final String text;

    TokenType(Kind kind, String text) {
        this.kind = kind;
        this.text = text;
    }

    /** The token type of a reserved word (case-insensitive), or null for an ordinary identifier. */
    static TokenType ofWord(String word) { return WORDS.get(word.toLowerCase(Locale.ROOT)); }

    /** Reserved words the grammar also accepts as a metric name. */
    boolean isMetricIdentifier() {
        return switch (this) {
            case IDENTIFIER, METRIC_IDENTIFIER, AVG, BOTTOMK, BY, COUNT, COUNT_VALUES, FILL, FILL_LEFT, FILL_RIGHT,
                 GROUP, LAND, LOR, LUNLESS, MAX, MIN, OFFSET, QUANTILE, STDDEV, STDVAR, SUM, TOPK, WITHOUT, START, END,
                 LIMITK, LIMIT_RATIO, STEP, RANGE, ANCHORED, SMOOTHED, MAX_OF, MIN_OF -> true;
            default -> false;
        };
    }

    /** Tokens that can name a label in grouping clauses: identifiers and every reserved word. */
    boolean isLabelWord() {
        return this == IDENTIFIER || this == METRIC_IDENTIFIER
                || (text != null && Character.isLetter(text.charAt(0)));
    }
}
