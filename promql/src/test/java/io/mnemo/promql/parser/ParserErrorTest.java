package io.mnemo.promql.parser;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Error messages and positions, as Prometheus reports them for the same queries. */
class ParserErrorTest {
    record Case(String query, String message, int start, int end) {
        @Override
        public String toString() { return query; }
    }

    static Stream<Case> cases() {
        return Stream.of(
            // lexing
            new Case("", "unknown position: parse error: no expression found in input", 0, 0),
            new Case("# just a comment\n\n", "1:1: parse error: no expression found in input", 0, 0),
            new Case(".", "1:1: parse error: unexpected character: '.'", 0, 1),
            new Case("2.5.", "1:1: parse error: bad number or duration syntax: \"2.5.\"", 0, 4),
            new Case("100..4", "1:1: parse error: bad number or duration syntax: \"100..\"", 0, 6),
            new Case("0deadbeef", "1:1: parse error: bad number or duration syntax: \"0de\"", 0, 9),
            new Case("(1))", "1:5: parse error: unexpected right parenthesis ')'", 4, 4),
            new Case("((1)", "1:5: parse error: unclosed left parenthesis", 4, 4),
            new Case("1 !~ 1", "1:3: parse error: unexpected character after '!': '~'", 2, 6),
            new Case("1 =~ 1", "1:3: parse error: unexpected character after '=': '~'", 2, 6),
            new Case("{", "1:2: parse error: unexpected end of input inside braces", 1, 1),
            new Case("}", "1:1: parse error: unexpected character: '}'", 0, 1),
            new Case("some_metric{a:b=\"b\"}", "1:14: parse error: unexpected character inside braces: ':'", 13, 20),
            new Case("foo{1}", "1:5: parse error: unexpected character inside braces: '1'", 4, 6),
            new Case("foo[5mm]", "1:5: parse error: bad number or duration syntax: \"5mm\"", 4, 8),
            new Case("foo[\"5m\"]", "1:5: parse error: unexpected character in duration expression: '\"'", 4, 9),
            new Case("foo{bar=\"baz\"}[", "1:16: parse error: unexpected end of input in duration expression", 15, 15),
            new Case("foo[5s x 5s]", "1:8: parse error: unexpected character: 'x', expected ':'", 7, 12),
            new Case("sum by (\"foo)(some_metric{})", "1:9: parse error: unterminated quoted string", 8, 28),
            new Case("`\\``", "1:4: parse error: unterminated raw string", 3, 4),
            new Case("\"\\", "1:1: parse error: escape sequence not terminated", 0, 2),
            new Case("\"\\c\"", "1:1: parse error: unknown escape sequence U+0063 'c'", 0, 4),
            new Case("\"\\x.\"", "1:1: parse error: illegal character U+002E '.' in escape sequence", 0, 5),
            new Case("'\\\"'", "1:1: parse error: unknown escape sequence U+0022 '\"'", 0, 4),
            // syntax
            new Case("1+", "1:3: parse error: unexpected end of input", 2, 2),
            new Case("1 /", "1:4: parse error: unexpected end of input", 3, 3),
            new Case("*1", "1:1: parse error: unexpected <op:*>", 0, 1),
            new Case("@@", "1:1: parse error: unexpected <op:@>", 0, 1),
            new Case("-=", "1:2: parse error: unexpected \"=\"", 1, 2),
            new Case("++-++-+-+-<", "1:11: parse error: unexpected <op:<>", 10, 11),
            new Case("a - on(b) ignoring(c) d", "1:11: parse error: unexpected <ignoring>", 10, 18),
            new Case("foo + group_left(baz) bar", "1:7: parse error: unexpected <group_left>", 6, 16),
            new Case("sum some_metric by (test)", "1:5: parse error: unexpected identifier \"some_metric\"", 4, 15),
            new Case("sum (some_metric) without (test) by (test)", "1:34: parse error: unexpected <by>", 33, 35),
            new Case("foo 1", "1:5: parse error: unexpected number \"1\"", 4, 5),
            new Case("foo \"a string longer\"", "1:5: parse error: unexpected string \"\\\"a string \"...", 4, 21),
            new Case("some_metric{a=b}", "1:15: parse error: unexpected identifier \"b\" in label matching, expected string", 14, 15),
            new Case("foo{gibberish}", "1:14: parse error: unexpected \"}\" in label matching, expected label matching operator", 13, 14),
            new Case("foo{,}", "1:5: parse error: unexpected \",\" in label matching, expected identifier or \"}\"", 4, 5),
            new Case("foo{__name__=\"bar\" lol}", "1:20: parse error: unexpected identifier \"lol\" in label matching, expected \",\" or \"}\"", 19, 22),
            new Case("foo{\"a\"=}", "1:9: parse error: unexpected \"}\" in label matching, expected string", 8, 9),
            new Case("foo[]", "1:5: parse error: unexpected \"]\" in subquery or range selector, expected number, duration, step(), or range()", 4, 5),
            new Case("foo[step]", "1:9: parse error: unexpected \"]\" in subquery or range selector, expected number, duration, step(), or range()", 8, 9),
            new Case("foo[5m:x]", "1:8: parse error: unexpected character: 'x', expected ':'", 7, 9),
            new Case("foo[5m:5m:1m]", "1:10: parse error: unexpected colon ':'", 9, 13),
            new Case("some_metric[5m] OFFSET", "1:23: parse error: unexpected end of input in offset, expected number, duration, step(), or range()", 22, 22),
            new Case("some_metric[5m] @", "1:18: parse error: unexpected end of input in @, expected timestamp", 17, 17),
            new Case("sum without(==)(some_metric)", "1:13: parse error: unexpected <op:==> in grouping opts, expected label", 12, 14),
            new Case("sum without(foo,,)(some_metric)", "1:17: parse error: unexpected \",\" in grouping opts, expected label", 16, 17),
            new Case("sum without(foo bar)(some_metric)", "1:17: parse error: unexpected identifier \"bar\" in grouping opts, expected \",\" or \")\"", 16, 19),
            new Case("sum (some_metric) by test", "1:22: parse error: unexpected identifier \"test\" in grouping opts, expected \"(\"", 21, 25),
            new Case("topk(some_metric,)", "1:17: parse error: trailing commas not allowed in function call args", 16, 17),
            new Case("sum(", "1:5: parse error: unclosed left parenthesis", 4, 4),
            // semantic checks while parsing
            new Case("1 offset 1d", "1:1: parse error: offset modifier must be preceded by an instant vector selector or range vector selector or a subquery", 0, 1),
            new Case("foo offset 1s offset 2s", "1:1: parse error: offset may not be set multiple times", 0, 13),
            new Case("foo @ 1 @ 2", "1:1: parse error: @ <timestamp> may not be set multiple times", 0, 7),
            new Case("foo @ +Inf", "1:1: parse error: timestamp out of bounds for @ modifier: +Inf", 0, 3),
            new Case("foo @ NaN", "1:1: parse error: timestamp out of bounds for @ modifier: NaN", 0, 3),
            new Case("foo @ 9223372036854775808", "1:1: parse error: timestamp out of bounds for @ modifier: 9223372036854775808.000000", 0, 3),
            new Case("rate(some_metric[5m]) @ 1234", "1:1: parse error: @ modifier must be preceded by an instant vector selector or range vector selector or a subquery", 0, 21),
            new Case("foo[5y1hs]", "1:5: parse error: unknown unit \"hs\" in duration \"5y1hs\"", 4, 9),
            new Case("foo[5m1h]", "1:5: parse error: not a valid duration string: \"5m1h\"", 4, 8),
            new Case("foo[0m]", "1:5: parse error: duration must be greater than 0", 4, 6),
            new Case("foo[-1]", "1:5: parse error: duration must be greater than 0", 4, 6),
            new Case("foo[1m:0s]", "1:8: parse error: duration must be greater than 0", 7, 9),
            new Case("foo offset 9.5e10", "1:12: parse error: duration out of range", 11, 17),
            new Case("some_metric OFFSET 1m[5m]", "1:22: parse error: no offset modifiers allowed before range", 21, 25),
            new Case("some_metric @ start() [5m]", "1:23: parse error: no @ modifiers allowed before range", 22, 26),
            new Case("(foo + bar)[5m]", "1:12: parse error: ranges only allowed for vector selectors", 11, 15),
            new Case("rate(food[1m])[1h] offset 1h", "1:15: parse error: ranges only allowed for vector selectors", 14, 18),
            new Case("sum () by (test)", "1:1: parse error: no arguments for aggregate expression provided", 0, 16),
            new Case("topk(some_metric)", "1:1: parse error: wrong number of arguments for aggregate expression provided, expected 2, got 1", 0, 17),
            new Case("non_existent_function_far_bar()", "1:1: parse error: unknown function with name \"non_existent_function_far_bar\"", 0, 29),
            new Case("a>b()", "1:3: parse error: unknown function with name \"b\"", 2, 3),
            new Case("Rate(foo[5m])", "1:1: parse error: unknown function with name \"Rate\"", 0, 4),
            new Case("999" + "9".repeat(306), "1:1: parse error: error parsing number: strconv.ParseFloat: parsing \"" + "9".repeat(309) + "\": value out of range", 0, 309),
            // type checks
            new Case("1 and 1", "1:1: parse error: set operator \"and\" not allowed in binary scalar expression", 0, 7),
            new Case("foo or 1", "1:1: parse error: set operator \"or\" not allowed in binary scalar expression", 0, 8),
            new Case("1 == 1", "1:3: parse error: comparisons between scalars must use BOOL modifier", 2, 3),
            new Case("foo + bool bar", "1:5: parse error: bool modifier can only be used on comparison operators", 4, 9),
            new Case("foo and bool 10", "1:5: parse error: bool modifier can only be used on comparison operators", 4, 11),
            new Case("1 or on(bar) foo", "1:1: parse error: vector matching only allowed between instant vectors", 0, 16),
            new Case("foo == on(bar) 10", "1:1: parse error: vector matching only allowed between instant vectors", 0, 17),
            new Case("foo and on(bar) group_left(baz) bar", "1:1: parse error: no grouping allowed for \"and\" operation", 0, 35),
            new Case("foo unless on(bar) group_right(baz) bar", "1:1: parse error: no grouping allowed for \"unless\" operation", 0, 39),
            new Case("http_requests{group=\"production\"} + on(instance) group_left(job,instance) cpu_count{type=\"smp\"}",
                    "1:35: parse error: label \"instance\" must not occur in ON and GROUP clause at once", 34, 72),
            new Case("foo[5m] + 1", "1:1: parse error: binary expression must contain only scalar and instant vector types", 0, 7),
            new Case("-\"string\"", "1:1: parse error: unary expression only allowed on expressions of type scalar or instant vector, got \"string\"", 0, 9),
            new Case("-test[5m]", "1:1: parse error: unary expression only allowed on expressions of type scalar or instant vector, got \"range vector\"", 0, 9),
            new Case("topk(some_metric, other_metric)", "1:6: parse error: expected type scalar in aggregation parameter, got instant vector", 5, 16),
            new Case("count_values(5, other_metric)", "1:14: parse error: expected type string in aggregation parameter, got scalar", 13, 14),
            new Case("sum(foo[5m])", "1:5: parse error: expected type instant vector in aggregation expression, got range vector", 4, 11),
            new Case("floor()", "1:1: parse error: expected 1 argument(s) in call to \"floor\", got 0", 0, 7),
            new Case("floor(some_metric, 1)", "1:1: parse error: expected 1 argument(s) in call to \"floor\", got 2", 0, 21),
            new Case("floor(1)", "1:7: parse error: expected type instant vector in call to function \"floor\", got scalar", 6, 7),
            new Case("hour(some_metric, some_metric, some_metric)", "1:1: parse error: expected at most 1 argument(s) in call to \"hour\", got 3", 0, 43),
            new Case("label_join(foo)", "1:1: parse error: expected at least 3 argument(s) in call to \"label_join\", got 1", 0, 15),
            new Case("time(some_metric)", "1:1: parse error: expected 0 argument(s) in call to \"time\", got 1", 0, 17),
            new Case("rate(some_metric)", "1:6: parse error: expected type range vector in call to function \"rate\", got instant vector", 5, 16),
            new Case("rate(avg)", "1:6: parse error: expected type range vector in call to function \"rate\", got instant vector", 5, 8),
            new Case("test[5d] OFFSET 10s [10m:5s]", "1:1: parse error: subquery is only allowed on instant vector, got matrix instead", 0, 28),
            new Case("{}", "1:1: parse error: vector selector must contain at least one non-empty matcher", 0, 2),
            new Case("{x=\"\"}", "1:1: parse error: vector selector must contain at least one non-empty matcher", 0, 6),
            new Case("{x=~\".*\"}", "1:1: parse error: vector selector must contain at least one non-empty matcher", 0, 9),
            new Case("{x!~\".+\"}", "1:1: parse error: vector selector must contain at least one non-empty matcher", 0, 9),
            new Case("{x!=\"a\"}", "1:1: parse error: vector selector must contain at least one non-empty matcher", 0, 8),
            new Case("foo{__name__=\"bar\"}", "1:1: parse error: metric name must not be set twice: \"foo\" or \"bar\"", 0, 19),
            // the first error wins; line and column count lines
            new Case("foo +\n  bar{a=\"b\" c}", "2:13: parse error: unexpected identifier \"c\" in label matching, expected \",\" or \"}\"", 18, 19),
            // experimental features are off by default
            new Case("foo[5m+1m]", "1:5: parse error: experimental duration expression is not enabled", 4, 6),
            new Case("foo offset step()", "1:12: parse error: experimental duration expression is not enabled", 11, 17),
            new Case("limitk(1, x)", "1:1: parse error: limitk() is experimental and must be enabled with --enable-feature=promql-experimental-functions", 0, 12),
            new Case("sort_by_label(x, \"a\")", "1:1: parse error: function \"sort_by_label\" is not enabled", 0, 13),
            new Case("x anchored", "1:1: parse error: anchored modifier is experimental and not enabled", 0, 1),
            new Case("a + fill(1) b", "1:1: parse error: binop fill modifiers are experimental and not enabled", 0, 13));
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @MethodSource("cases")
    void reportsPrometheusError(Case c) {
        ParseException e = assertThrows(ParseException.class, () -> Parser.parse(c.query()));
        assertEquals(c.message(), e.getMessage());
        assertEquals(c.start(), e.positionRange().start(), "start");
        assertEquals(c.end(), e.positionRange().end(), "end");
        assertEquals(io.mnemo.promql.ErrorType.BAD_DATA, e.errorType());
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @MethodSource("experimentalCases")
    void experimentalErrors(Case c) {
        ParseException e = assertThrows(ParseException.class, () -> new Parser(ParserOptions.ALL).parseExpr(c.query()));
        assertEquals(c.message(), e.getMessage());
    }

    static Stream<Case> experimentalCases() {
        return Stream.of(
            new Case("foo[5s/0d]", "1:7: parse error: division by zero", 6, 7),
            new Case("foo[5s%0d]", "1:7: parse error: modulo by zero", 6, 7),
            new Case("foo offset (4d/0)", "1:15: parse error: division by zero", 14, 15),
            new Case("x anchored smoothed", "1:1: parse error: anchored and smoothed modifiers cannot be used together", 0, 10),
            new Case("x[1m:1m] anchored", "1:1: parse error: anchored modifier is not supported for subqueries", 0, 8),
            new Case("1[5m] smoothed", "1:2: parse error: ranges only allowed for vector selectors", 1, 5),
            new Case("info(rate(http_request_counter_total{}[5m]), target_info{foo=\"bar\"})",
                    "1:46: parse error: expected label selectors only, got vector selector instead", 45, 67),
            new Case("a + fill(1) on(x) b", "1:13: parse error: unexpected <on>", 12, 14),
            new Case("1 + fill(1) foo", "1:1: parse error: filling in missing series only allowed between instant vectors", 0, 15),
            new Case("a and fill(1) b", "1:1: parse error: filling in missing series not allowed for set operators", 0, 15));
    }
}
