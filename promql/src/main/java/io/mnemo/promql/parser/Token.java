package io.mnemo.promql.parser;

import io.mnemo.promql.ast.PositionRange;
import io.mnemo.promql.text.GoQuoting;

/** A lexed token: its type, its start offset in the query, and its text. */
record Token(TokenType type, int pos, String val) {
    int end() { return pos + val.length(); }

    PositionRange range() { return new PositionRange(pos, end()); }

    /** The token as Prometheus names it in "unexpected ..." messages. */
    String describe() {
        if (type == TokenType.EOF) return "end of input";
        if (type.text != null) {
            return switch (type.kind) {
                case KEYWORD -> "<" + val + ">";
                case OPERATOR -> "<op:" + val + ">";
                case AGGREGATOR -> "<aggr:" + val + ">";
                default -> GoQuoting.quote(val);
            };
        }
        return switch (type) {
            case IDENTIFIER -> "identifier " + GoQuoting.quote(val);
            case METRIC_IDENTIFIER -> "metric identifier " + GoQuoting.quote(val);
            case STRING -> "string " + shortQuoted();
            case NUMBER -> "number " + shortQuoted();
            case DURATION -> "duration " + shortQuoted();
            default -> val;
        };
    }

    private String shortQuoted() {
        return val.length() > 10 ? GoQuoting.quoteTruncated(val, 10) + "..." : GoQuoting.quote(val);
    }
}
