package io.mnemo.promql.parser;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

class LexerTest {
    private static List<String> lex(String input) {
        Lexer lexer = new Lexer(input);
        List<String> out = new ArrayList<>();
        while (true) {
            Token t = lexer.next();
            out.add(t.type() + (t.type().text == null && t.type() != TokenType.EOF ? "(" + t.val() + ")" : ""));
            if (t.type() == TokenType.EOF || t.type() == TokenType.ERROR) return out;
        }
    }

    @Test
    void keywordsAreCaseInsensitiveAndColonsMakeMetricIdentifiers() {
        assertEquals(List.of("SUM", "BY", "LEFT_PAREN", "IDENTIFIER(a)", "RIGHT_PAREN", "LEFT_PAREN",
                "METRIC_IDENTIFIER(job:rate:5m)", "RIGHT_PAREN", "EOF"), lex("Sum BY (a) (job:rate:5m)"));
        assertEquals(List.of("NUMBER(Inf)", "ADD", "NUMBER(nan)", "EOF"), lex("Inf + nan"));
    }

    @Test
    void fillIsAKeywordOnlyBeforeAParenthesis() {
        assertEquals(List.of("IDENTIFIER(fill)", "ADD", "FILL", "LEFT_PAREN", "NUMBER(1)", "RIGHT_PAREN", "EOF"),
                lex("fill + fill (1)"));
    }

    @Test
    void insideBracesEverythingIsAnIdentifier() {
        assertEquals(List.of("LEFT_BRACE", "IDENTIFIER(by)", "EQL_REGEX", "STRING(\"x\")", "COMMA", "STRING('a.b')",
                "NEQ", "STRING(`y`)", "RIGHT_BRACE", "EOF"), lex("{by=~\"x\", 'a.b'!=`y`}"));
    }

    @Test
    void numbersAndDurations() {
        assertEquals(List.of("NUMBER(0x1F)", "NUMBER(1e-3)", "NUMBER(.5)", "NUMBER(1_000)", "DURATION(1h30m)",
                "DURATION(250ms)", "EOF"), lex("0x1F 1e-3 .5 1_000 1h30m 250ms"));
        assertEquals(List.of("ERROR(bad number or duration syntax: \"1e\")"), lex("1e"));
    }

    @Test
    void bracketsHoldDurationsAndDurationKeywords() {
        assertEquals(List.of("IDENTIFIER(foo)", "LEFT_BRACKET", "DURATION(5m)", "COLON", "STEP", "LEFT_PAREN",
                "RIGHT_PAREN", "RIGHT_BRACKET", "OFFSET", "DURATION(1m)", "EOF"), lex("foo[ 5m:step() ] offset 1m"));
        assertEquals(List.of("IDENTIFIER(foo)", "LEFT_BRACKET", "ERROR(unexpected character in duration expression: 'x')"),
                lex("foo[x]"));
    }

    @Test
    void commentsRunToTheEndOfTheLine() {
        assertEquals(List.of("IDENTIFIER(a)", "ADD", "IDENTIFIER(b)", "EOF"), lex("a # one + two\n+ b # three"));
    }

    @Test
    void unbalancedParenthesesAreLexerErrors() {
        assertEquals(List.of("LEFT_PAREN", "NUMBER(1)", "ERROR(unclosed left parenthesis)"), lex("(1"));
        assertEquals(List.of("NUMBER(1)", "ERROR(unexpected right parenthesis ')')"), lex("1)"));
    }
}
