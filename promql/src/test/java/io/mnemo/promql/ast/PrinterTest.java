package io.mnemo.promql.ast;

import io.mnemo.promql.parser.Parser;
import io.mnemo.promql.parser.ParserOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The canonical form, as Prometheus prints the same expressions (printer_test.go, prettier_test.go). */
class PrinterTest {
    private static final Parser PARSER = new Parser(ParserOptions.ALL);

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '~', value = {
        "sum by() (task:errors:rate10s{job=\"s\"}) | sum(task:errors:rate10s{job=\"s\"})",
        "sum by(code) (task:errors:rate10s{job=\"s\"}) | sum by (code) (task:errors:rate10s{job=\"s\"})",
        "sum without() (task:errors:rate10s{job=\"s\"}) | sum without () (task:errors:rate10s{job=\"s\"})",
        "sum by(\"foo.bar\") (task:errors:rate10s{job=\"s\"}) | sum by (\"foo.bar\") (task:errors:rate10s{job=\"s\"})",
        "count by(\"ööö\", job) (foo) | count by (\"ööö\", job) (foo)",
        "a - on() c | a - on () c",
        "a - on(b) group_left(x, y) c | a - on (b) group_left (x, y) c",
        "a - on(b) group_left c | a - on (b) group_left () c",
        "a - on(b) group_left() (c) | a - on (b) group_left () (c)",
        "a - ignoring(b) c | a - ignoring (b) c",
        "a - ignoring() c | a - c",
        "a - ignoring() group_left c | a - ignoring () group_left () c",
        "a + fill(-23) b | a + fill (-23) b",
        "a + fill_left(-23) fill_right(42) b | a + fill_left (-23) fill_right (42) b",
        "a + fill_left(5) fill_right(5) b | a + fill (5) b",
        "a + on(b) group_left fill(-23) c | a + on (b) group_left () fill (-23) c",
        "a @ 10 | a @ 10.000",
        "a[1m] @ 10 | a[1m] @ 10.000",
        "{\"_0\"=\"1\"} | {_0=\"1\"}",
        "{``=\"0\"} | {\"\"=\"0\"}",
        "foo offset +(5) | foo offset (5)",
        "foo offset +min_of(10s, 20s) | foo offset min_of(10s, 20s)",
        "foo offset -min_of(10s, +max_of(step() ^ 2, 2)) | foo offset -min_of(10s, max_of(step() ^ 2, 2))",
        "foo[200-min_of(-step()^+step(),1)] | foo[200 - min_of(-step() ^ step(), 1)]",
        "foo[90] offset 3600 | foo[1m30s] offset 1h",
        "foo[14d] offset 365d | foo[2w] offset 1y",
        "foo[8d] | foo[8d]",
        "1e-7 + 1e21 | 0.0000001 + 1000000000000000000000",
        "5m + -5m | 5m + -5m",
        "label_join(x, 'dst', \"dq\\\"\\n\", `raw`) | label_join(x, \"dst\", \"dq\\\"\\n\", \"raw\")",
        "foo{b=\"2\", a=\"1\", c!=\"x\"} | foo{a=\"1\",b=\"2\",c!=\"x\"}",
        "rate(foo[5m])[1h:] offset 1m | rate(foo[5m])[1h:] offset 1m",
        "-(foo) ^ 2 | -(foo) ^ 2",
    })
    void printsCanonicalForm(String in, String out) {
        assertEquals(out, PARSER.parseExpr(in).toString());
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {
        "topk(5, task:errors:rate10s{job=\"s\"})", "count_values(\"value\", task:errors:rate10s{job=\"s\"})",
        "up > bool 0", "a offset 1m", "a offset -7m", "a{c=\"d\"}[5m] offset 1m", "a[12m] offset -3m", "a[1h:5m] offset 1m",
        "a anchored", "a{b=\"c\"}[5m] anchored @ start() offset 1m", "a{b=\"c\"}[5m] smoothed offset 1m",
        "{__name__=\"a\"}", "a{b!~\"c\"}[1m]", "a @ start()", "a[1m] @ end()", "{__name__=\"\",a=\"x\"}", "{\"a.b\"=\"c\"}",
        "{\"0\"=\"1\"}", "1048576", "foo[step()]", "foo[-step()]", "foo[(step())]", "foo[-(step())]", "foo offset -step()",
        "foo offset (step())", "foo offset -(5)", "foo offset (5m)", "foo[(5s)]", "foo[(5m):(1m)]",
        "foo[200 - min_of(step() + 10s, -max_of(step() ^ 2, 3))]", "foo[max_of(range(), 5s)]",
        "predict_linear(foo[1h], 3000)", "a and on (x) b", "a or b unless c", "+Inf", "-Inf", "NaN", "-some_metric"})
    void printsBackUnchanged(String in) {
        assertEquals(in, PARSER.parseExpr(in).toString());
    }

    @Test
    void prettierSplitsLongNodesOverIndentedLines() {
        assertEquals("sum(foo)", Prettier.format(PARSER.parseExpr("sum(foo)"), 10));
        assertEquals("""
                sum by (job, foo) (
                  sum without (job, foo) (
                    task:errors:rate10s{job="s"}
                  )
                )""", Prettier.format(PARSER.parseExpr("sum by(job,foo)\n(sum(task:errors:rate10s{job=\"s\"}) without(job,foo))"), 10));
        assertEquals("""
                topk(
                  10,
                  ask:errors:rate10s{job="s"}
                )""", Prettier.format(PARSER.parseExpr("topk(10, ask:errors:rate10s{job=\"s\"})"), 10));
        assertEquals("  a\n== bool\n  1", Prettier.format(PARSER.parseExpr("a == bool 1"), 10));
        assertEquals("""
                label_replace(
                  up{job="api-server",service="a:c"},
                  "foo",
                  "$1",
                  "service",
                  "(.*):.*"
                )""", Prettier.format(PARSER.parseExpr(
                "label_replace(up{job=\"api-server\",service=\"a:c\"}, \"foo\", \"$1\", \"service\", \"(.*):.*\")"), 10));
        String shortQuery = "sum by (job) (rate(http_requests_total[5m]))";
        assertEquals(shortQuery, Prettier.format(PARSER.parseExpr(shortQuery)));
    }
}
