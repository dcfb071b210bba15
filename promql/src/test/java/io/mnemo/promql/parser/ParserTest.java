package io.mnemo.promql.parser;

import io.mnemo.promql.ast.AggregateExpr;
import io.mnemo.promql.ast.AggregateOp;
import io.mnemo.promql.ast.At;
import io.mnemo.promql.ast.BinaryExpr;
import io.mnemo.promql.ast.BinaryOp;
import io.mnemo.promql.ast.Call;
import io.mnemo.promql.ast.DurationExpr;
import io.mnemo.promql.ast.Expr;
import io.mnemo.promql.ast.MatrixSelector;
import io.mnemo.promql.ast.NumberLiteral;
import io.mnemo.promql.ast.ParenExpr;
import io.mnemo.promql.ast.PositionRange;
import io.mnemo.promql.ast.StringLiteral;
import io.mnemo.promql.ast.SubqueryExpr;
import io.mnemo.promql.ast.UnaryExpr;
import io.mnemo.promql.ast.VectorMatching;
import io.mnemo.promql.ast.VectorSelector;
import io.mnemo.promql.value.ValueType;
import io.mnemo.tsdb.LabelMatcher;
import io.mnemo.tsdb.Labels;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ParserTest {
    private static final Parser ALL = new Parser(ParserOptions.ALL);

    private static Expr parse(String q) { return Parser.parse(q); }

    private static <T> T parse(String q, Class<T> type) { return assertInstanceOf(type, parse(q)); }

    private static double number(Expr e) { return assertInstanceOf(NumberLiteral.class, e).value(); }

    private static String name(Expr e) { return assertInstanceOf(VectorSelector.class, e).name(); }

    @Nested
    class Literals {
        @ParameterizedTest(name = "{0}")
        @CsvSource(delimiter = '|', value = {
            "1 | 1", "+5.5e-3 | 0.0055", "-0755 | -493", ".5 | 0.5", "5. | 5", "123.4567 | 123.4567", "5e3 | 5000",
            "0xc | 12", "0x1F | 31", "0755 | 493", "09 | 9", "1_000 | 1000", "1e-7 | 0.0000001", "+Inf | Infinity",
            "-inf | -Infinity", "Inf | Infinity"})
        void numbers(String q, double expected) {
            assertEquals(expected, number(parse(q)));
        }

        @Test
        void nanIsANumber() {
            assertTrue(Double.isNaN(number(parse("NaN"))));
            assertTrue(Double.isNaN(number(parse("nan"))));
        }

        @Test
        void negativeNumberLiteralsAreFoldedWithTheSignsPosition() {
            NumberLiteral n = parse("-1", NumberLiteral.class);
            assertEquals(-1, n.value());
            assertEquals(new PositionRange(0, 2), n.positionRange());
            assertEquals(5, number(parse("--5")));
        }

        @Test
        void durationsAreNumbersOfSeconds() {
            NumberLiteral n = parse("1h30m", NumberLiteral.class);
            assertEquals(5400, n.value());
            assertTrue(n.duration());
            assertEquals("1h30m", n.toString());
            assertEquals(0.25, number(parse("250ms")));
            assertEquals(365 * 86400 + 7 * 86400, number(parse("1y1w")));
        }

        @Test
        void stringsInAllThreeQuoteStylesWithEscapes() {
            assertEquals("a\"b\n\t\\", parse("\"a\\\"b\\n\\t\\\\\"", StringLiteral.class).value());
            assertEquals("it's", parse("'it\\'s'", StringLiteral.class).value());
            assertEquals("raw \\n \"q\"", parse("`raw \\n \"q\"`", StringLiteral.class).value());
            assertEquals("A\u00e9\u00e9\u20ac\uD83D\uDE00\u0007",
                    parse("\"\\x41\\u00e9\\303\\251\\xe2\\x82\\xac\\U0001F600\\a\"", StringLiteral.class).value());
            assertEquals(ValueType.STRING, parse("'x'").type());
        }

        @Test
        void commentsAreSkipped() {
            BinaryExpr b = parse("foo # the first\n + # more\n bar # end", BinaryExpr.class);
            assertEquals("foo", name(b.lhs()));
            assertEquals("bar", name(b.rhs()));
            assertEquals("foo", name(parse("foo{# inside braces\na=\"b\"}")));
        }
    }

    @Nested
    class Selectors {
        @Test
        void metricNameBecomesTheLastMatcher() {
            String q = "http_requests{job=\"api\", code!=\"500\", path=~\"/a.*\", method!~'GET|PUT',}";
            VectorSelector vs = parse(q, VectorSelector.class);
            assertEquals("http_requests", vs.name());
            assertEquals(List.of(LabelMatcher.equal("job", "api"), LabelMatcher.notEqual("code", "500"),
                    LabelMatcher.regex("path", "/a.*"), LabelMatcher.notRegex("method", "GET|PUT"),
                    LabelMatcher.equal(Labels.METRIC_NAME, "http_requests")), vs.matchers());
            assertEquals(new PositionRange(0, q.length()), vs.positionRange());
            assertEquals(ValueType.VECTOR, vs.type());
        }

        @Test
        void quotedMetricAndLabelNamesInsideBraces() {
            VectorSelector vs = parse("{\"my.metric\", \"a.b\"=\"c\"}", VectorSelector.class);
            assertEquals("", vs.name());
            assertEquals(List.of(LabelMatcher.equal(Labels.METRIC_NAME, "my.metric"), LabelMatcher.equal("a.b", "c")),
                    vs.matchers());
            assertEquals("{\"a.b\"=\"c\",__name__=\"my.metric\"}", vs.toString());
        }

        @Test
        void keywordsCanBeMetricNames() {
            for (String kw : List.of("sum", "by", "offset", "without", "start", "end", "step", "and", "bool_x", "fill")) {
                assertEquals(kw, name(parse(kw)), kw);
            }
            assertEquals("a:b:c", name(parse("a:b:c")));
            BinaryExpr b = parse("fill + fill", BinaryExpr.class);
            assertEquals("fill", name(b.lhs()));
        }

        @Test
        void keywordsAreCaseInsensitiveButMetricNamesKeepTheirCase() {
            assertEquals(AggregateOp.SUM, parse("SUM BY (x) (foo)", AggregateExpr.class).op());
            assertEquals("SUM", name(parse("SUM")));
            assertEquals(-1, parse("foo OFFSET -1s", VectorSelector.class).offsetMillis() / 1000);
        }

        @Test
        void rangeSelector() {
            MatrixSelector m = parse("foo{a=\"b\"}[5m]", MatrixSelector.class);
            assertEquals(300_000, m.rangeMillis());
            assertEquals("foo", m.vectorSelector().name());
            assertEquals(new PositionRange(0, 14), m.positionRange());
            assertEquals(ValueType.MATRIX, m.type());
            assertEquals(5400_000, parse("foo[1h30m]", MatrixSelector.class).rangeMillis());
        }

        @Test
        void plainNumbersInDurationPositionsAreSeconds() {
            assertEquals(1500, parse("foo[1.5]", MatrixSelector.class).rangeMillis());
            assertEquals(90_000, parse("foo offset 90", VectorSelector.class).offsetMillis());
            SubqueryExpr s = parse("foo[60:1.5]", SubqueryExpr.class);
            assertEquals(60_000, s.rangeMillis());
            assertEquals(1500, s.stepMillis());
        }

        @Test
        void offsetAndAtModifiersInEitherOrder() {
            VectorSelector a = parse("foo offset 5m @ 100", VectorSelector.class);
            VectorSelector b = parse("foo @ 100 offset 5m", VectorSelector.class);
            for (VectorSelector vs : List.of(a, b)) {
                assertEquals(300_000, vs.offsetMillis());
                assertEquals(At.timestamp(100_000), vs.at());
                assertEquals(new PositionRange(0, 19), vs.positionRange());
            }
            assertEquals(-420_000, parse("foo offset -7m", VectorSelector.class).offsetMillis());
            assertEquals(At.timestamp(-1500), parse("foo @ -1.5", VectorSelector.class).at());
            assertEquals(At.timestamp(300_000), parse("foo @ 5m", VectorSelector.class).at());
            assertEquals(At.START, parse("foo @ start()", VectorSelector.class).at());
            assertEquals(At.END, parse("foo @ end()", VectorSelector.class).at());
        }

        @Test
        void modifiersAfterARangeGoOnItsSelector() {
            MatrixSelector m = parse("foo[5m] @ end() offset 1m", MatrixSelector.class);
            assertEquals(At.END, m.vectorSelector().at());
            assertEquals(60_000, m.vectorSelector().offsetMillis());
            assertEquals(new PositionRange(0, 25), m.positionRange());
        }

        @Test
        void modifiersBindToTheClosestOperand() {
            BinaryExpr b = parse("a + b offset 5m", BinaryExpr.class);
            assertEquals(0, assertInstanceOf(VectorSelector.class, b.lhs()).offsetMillis());
            assertEquals(300_000, assertInstanceOf(VectorSelector.class, b.rhs()).offsetMillis());
            UnaryExpr u = parse("-foo offset 5m", UnaryExpr.class);
            assertEquals(300_000, assertInstanceOf(VectorSelector.class, u.expr()).offsetMillis());
        }

        @Test
        void subqueries() {
            SubqueryExpr s = parse("rate(foo[5m])[1h:30s] @ 10 offset 2m", SubqueryExpr.class);
            assertEquals(3600_000, s.rangeMillis());
            assertEquals(30_000, s.stepMillis());
            assertEquals(120_000, s.offsetMillis());
            assertEquals(At.timestamp(10_000), s.at());
            assertInstanceOf(Call.class, s.expr());
            assertEquals(0, parse("foo[5m:]", SubqueryExpr.class).stepMillis());
            SubqueryExpr nested = parse("max_over_time((foo + bar)[5m:])[10m:5s]", SubqueryExpr.class);
            assertInstanceOf(SubqueryExpr.class, assertInstanceOf(Call.class, nested.expr()).args().get(0));
        }

        @Test
        void metricSelectorsForTheSeriesApi() {
            Parser p = new Parser(ParserOptions.DEFAULT);
            assertEquals(List.of(LabelMatcher.equal("job", "x"), LabelMatcher.equal(Labels.METRIC_NAME, "up")),
                    p.parseMetricSelector("up{job=\"x\"}"));
            assertEquals(List.of(LabelMatcher.regex("job", ".*")), p.parseMetricSelector("{job=~\".*\"}"));
        }

        @Test
        void metricsWithLabelSets() {
            Parser p = new Parser(ParserOptions.DEFAULT);
            assertEquals(Labels.of("__name__", "up", "job", "a b", "x.y", "1"), p.parseMetric("up{job=\"a b\", \"x.y\"='1'}"));
            assertEquals(Labels.of("__name__", "my.metric"), p.parseMetric("{\"my.metric\"}"));
            assertEquals(Labels.EMPTY, p.parseMetric("{}"));
        }
    }

    @Nested
    class Operators {
        private BinaryExpr bin(Expr e, BinaryOp op) {
            BinaryExpr b = assertInstanceOf(BinaryExpr.class, e);
            assertEquals(op, b.op());
            return b;
        }

        @Test
        void multiplicationBindsTighterThanAddition() {
            BinaryExpr add = bin(parse("1 + 2 * 3 - 4"), BinaryOp.SUB);
            BinaryExpr inner = bin(add.lhs(), BinaryOp.ADD);
            bin(inner.rhs(), BinaryOp.MUL);
            assertEquals(4, number(add.rhs()));
        }

        @Test
        void powerIsRightAssociative() {
            BinaryExpr b = bin(parse("2 ^ 3 ^ 2"), BinaryOp.POW);
            assertEquals(2, number(b.lhs()));
            bin(b.rhs(), BinaryOp.POW);
        }

        @Test
        void otherOperatorsAreLeftAssociative() {
            BinaryExpr b = bin(parse("a - b - c"), BinaryOp.SUB);
            bin(b.lhs(), BinaryOp.SUB);
            assertEquals("c", name(b.rhs()));
            BinaryExpr d = bin(parse("a / b % c atan2 d"), BinaryOp.ATAN2);
            bin(bin(d.lhs(), BinaryOp.MOD).lhs(), BinaryOp.DIV);
        }

        @Test
        void setOperatorPrecedence() {
            // or < and = unless < comparisons < + -
            BinaryExpr or = bin(parse("a or b and c unless d"), BinaryOp.LOR);
            BinaryExpr unless = bin(or.rhs(), BinaryOp.LUNLESS);
            bin(unless.lhs(), BinaryOp.LAND);
            BinaryExpr and = bin(parse("a and b > c + d"), BinaryOp.LAND);
            bin(bin(and.rhs(), BinaryOp.GTR).rhs(), BinaryOp.ADD);
        }

        @Test
        void unaryMinusBindsLikeMultiplication() {
            UnaryExpr u = parse("-a ^ b", UnaryExpr.class);
            bin(u.expr(), BinaryOp.POW);
            BinaryExpr m = bin(parse("-a * b"), BinaryOp.MUL);
            assertInstanceOf(UnaryExpr.class, m.lhs());
            UnaryExpr n = parse("-1^2", UnaryExpr.class);
            assertEquals(BinaryOp.SUB, n.op());
            BinaryExpr mul = bin(parse("-1*2"), BinaryOp.MUL);
            assertEquals(-1, number(mul.lhs()));
            assertEquals(new PositionRange(0, 2), mul.lhs().positionRange());
            BinaryExpr pow = bin(parse("-1^-2", UnaryExpr.class).expr(), BinaryOp.POW);
            assertEquals(-2, number(pow.rhs()));
        }

        @Test
        void comparisonWithBool() {
            BinaryExpr b = bin(parse("1 < bool 2 - 1 * 2"), BinaryOp.LSS);
            assertTrue(b.returnBool());
            assertEquals(ValueType.SCALAR, b.type());
            bin(b.rhs(), BinaryOp.SUB);
            BinaryExpr v = bin(parse("foo == bool on(a) bar"), BinaryOp.EQLC);
            assertTrue(v.returnBool());
            assertEquals(List.of("a"), v.matching().matchingLabels());
        }

        @Test
        void vectorMatching() {
            BinaryExpr b = bin(parse("a * on(x, \"y.z\") group_left(w) b"), BinaryOp.MUL);
            VectorMatching vm = b.matching();
            assertTrue(vm.on());
            assertEquals(List.of("x", "y.z"), vm.matchingLabels());
            assertEquals(VectorMatching.Cardinality.MANY_TO_ONE, vm.cardinality());
            assertEquals(List.of("w"), vm.include());

            VectorMatching right = bin(parse("a / ignoring(x) group_right b"), BinaryOp.DIV).matching();
            assertFalse(right.on());
            assertEquals(VectorMatching.Cardinality.ONE_TO_MANY, right.cardinality());
            assertEquals(List.of(), right.include());

            assertEquals(VectorMatching.Cardinality.ONE_TO_ONE, bin(parse("a + b"), BinaryOp.ADD).matching().cardinality());
        }

        @Test
        void setOperatorsMatchManyToManyAndScalarOperandsHaveNoMatching() {
            assertEquals(VectorMatching.Cardinality.MANY_TO_MANY, bin(parse("a and b"), BinaryOp.LAND).matching().cardinality());
            assertNull(bin(parse("a + 1"), BinaryOp.ADD).matching());
            assertNull(bin(parse("1 + 1"), BinaryOp.ADD).matching());
        }

        @Test
        void labelNamesInGroupingMayBeKeywords() {
            BinaryExpr b = bin(parse("a + on(on, by, sum, offset, bool, group_left) b"), BinaryOp.ADD);
            assertEquals(List.of("on", "by", "sum", "offset", "bool", "group_left"), b.matching().matchingLabels());
        }

        @Test
        void fillModifiers() {
            BinaryExpr b = assertInstanceOf(BinaryExpr.class, ALL.parseExpr("a + fill_left(-1) fill_right(2) b"));
            assertEquals(-1.0, b.matching().fillLeft());
            assertEquals(2.0, b.matching().fillRight());
            BinaryExpr c = assertInstanceOf(BinaryExpr.class, ALL.parseExpr("a + on(x) group_left fill(0) b"));
            assertEquals(0.0, c.matching().fillLeft());
            assertEquals(0.0, c.matching().fillRight());
        }

        @Test
        void trimOperatorsHaveComparisonPrecedence() {
            BinaryExpr b = bin(parse("h </ 1 + 2"), BinaryOp.TRIM_UPPER);
            bin(b.rhs(), BinaryOp.ADD);
        }
    }

    @Nested
    class CallsAndAggregations {
        @Test
        void aggregationWithGroupingBeforeOrAfter() {
            AggregateExpr a = parse("sum by (job, \"a.b\") (rate(x[5m]))", AggregateExpr.class);
            AggregateExpr b = parse("sum(rate(x[5m])) by (job, \"a.b\")", AggregateExpr.class);
            for (AggregateExpr e : List.of(a, b)) {
                assertEquals(AggregateOp.SUM, e.op());
                assertEquals(List.of("job", "a.b"), e.grouping());
                assertFalse(e.without());
                assertNull(e.param());
                assertInstanceOf(Call.class, e.expr());
            }
            AggregateExpr w = parse("avg without (instance) (x)", AggregateExpr.class);
            assertTrue(w.without());
            assertEquals(new PositionRange(0, 26), w.positionRange());
        }

        @Test
        void aggregationParameters() {
            AggregateExpr t = parse("topk(3, x)", AggregateExpr.class);
            assertEquals(3, number(t.param()));
            assertEquals("x", name(t.expr()));
            assertEquals("v", assertInstanceOf(StringLiteral.class, parse("count_values(\"v\", x)", AggregateExpr.class).param()).value());
            assertEquals(0.9, number(parse("quantile(0.9, x)", AggregateExpr.class).param()));
            assertEquals(AggregateOp.LIMIT_RATIO, assertInstanceOf(AggregateExpr.class, ALL.parseExpr("limit_ratio(0.5, x)")).op());
        }

        @Test
        void functionCalls() {
            Call c = parse("label_join(up, \"dst\", \",\", \"a\", \"b\", \"c\")", Call.class);
            assertEquals("label_join", c.function().name());
            assertEquals(6, c.args().size());
            Call r = parse("round(x)", Call.class);
            assertEquals(1, r.args().size());
            assertEquals(ValueType.SCALAR, parse("time()").type());
            assertEquals(ValueType.SCALAR, parse("scalar(x)").type());
            assertEquals(new PositionRange(0, 13), parse("rate(foo[5m])").positionRange());
            assertEquals("step", assertInstanceOf(Call.class, ALL.parseExpr("step()")).function().name());
        }

        @Test
        void parenthesesArePreserved() {
            ParenExpr p = parse("(1 + 2) * 3", BinaryExpr.class).lhs() instanceof ParenExpr pe ? pe : null;
            assertInstanceOf(BinaryExpr.class, p.expr());
            assertEquals(new PositionRange(0, 7), p.positionRange());
        }
    }

    @Nested
    class DurationExpressions {
        @Test
        void arithmeticInRanges() {
            MatrixSelector m = assertInstanceOf(MatrixSelector.class, ALL.parseExpr("foo[2m * (10 + 5)]"));
            DurationExpr d = m.rangeExpr();
            assertEquals(DurationExpr.Op.MUL, d.op());
            assertEquals(120, number(d.lhs()));
            assertTrue(assertInstanceOf(DurationExpr.class, d.rhs()).wrapped());
        }

        @Test
        void offsetTakesOneTermAndLeavesTheRestToTheExpression() {
            BinaryExpr b = assertInstanceOf(BinaryExpr.class, ALL.parseExpr("foo offset 100 + 2"));
            assertEquals(100_000, assertInstanceOf(VectorSelector.class, b.lhs()).offsetMillis());
            BinaryExpr p = assertInstanceOf(BinaryExpr.class, ALL.parseExpr("foo offset -2 ^ 2"));
            assertEquals(BinaryOp.POW, p.op());
            assertEquals(-2000, assertInstanceOf(VectorSelector.class, p.lhs()).offsetMillis());
            VectorSelector vs = assertInstanceOf(VectorSelector.class, ALL.parseExpr("foo offset -(2 * step())"));
            assertEquals(DurationExpr.Op.SUB, vs.offsetExpr().op());
        }

        @Test
        void stepAndRangeAndMinMax() {
            MatrixSelector m = assertInstanceOf(MatrixSelector.class, ALL.parseExpr("foo[max_of(min_of(step()+1,1h),1ms)]"));
            assertEquals(DurationExpr.Op.MAX_OF, m.rangeExpr().op());
            assertEquals("foo[max_of(min_of(step() + 1, 1h), 1ms)]", m.toString());
            // As in Prometheus, a subquery colon needs a number somewhere before it in the brackets.
            SubqueryExpr s = assertInstanceOf(SubqueryExpr.class, ALL.parseExpr("foo[range() + 1m:step()]"));
            assertEquals(DurationExpr.Op.RANGE, assertInstanceOf(DurationExpr.class, s.rangeExpr().lhs()).op());
            assertEquals(DurationExpr.Op.STEP, s.stepExpr().op());
        }
    }
}
