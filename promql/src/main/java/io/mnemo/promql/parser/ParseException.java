package io.mnemo.promql.parser;

import io.mnemo.promql.ErrorType;
import io.mnemo.promql.PromQLException;
import io.mnemo.promql.ast.PositionRange;

import java.nio.charset.StandardCharsets;

/**
 * A query that does not parse or does not type-check. The message is Prometheus's:
 * {@code 1:14: parse error: unexpected <op:+>}, with line and column (in bytes, 1-based) of the
 * error's start.
 */
public class ParseException extends PromQLException {
    private final PositionRange positionRange;
    private final String detail;
    private final String query;

    public ParseException(PositionRange positionRange, String detail, String query) {
        super(ErrorType.BAD_DATA, position(positionRange, query) + ": parse error: " + detail);
        this.positionRange = positionRange;
        this.detail = detail;
        this.query = query;
    }

    /** Where in the query the error is. */
    public PositionRange positionRange() { return positionRange; }

    /** The message without its position prefix, e.g. {@code unexpected end of input}. */
    public String detail() { return detail; }

    public String query() { return query; }

    private static String position(PositionRange r, String query) {
        if (query.isEmpty()) return "unknown position";
        int pos = r.start();
        if (pos < 0 || pos > query.length()) return "invalid position";
        int line = 1;
        int lineStart = 0;
        for (int i = 0; i < pos; i++) {
            if (query.charAt(i) == '\n') {
                line++;
                lineStart = i + 1;
            }
        }
        int col = query.substring(lineStart, pos).getBytes(StandardCharsets.UTF_8).length + 1;
        return line + ":" + col;
    }
}
