package io.mnemo.promql.promqltest;

import io.mnemo.promql.ast.Expr;
import io.mnemo.promql.parser.ParseException;
import io.mnemo.promql.parser.Parser;
import io.mnemo.promql.parser.ParserOptions;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Prometheus refuses to load a test script whose eval expressions do not parse, so every one of
 * them is valid PromQL (with all feature flags): the parser must accept them all, and printing a
 * parsed expression must give text that parses back to the same printed form.
 */
class AllScriptsParseTest {
    private final Parser parser = new Parser(ParserOptions.ALL);

    @Test
    void everyEvalExpressionParsesAndPrintsBackStably() throws Exception {
        List<String> problems = new ArrayList<>();
        int count = 0;
        for (Path file : PromqlTestFiles.all()) {
            for (TestScript.Eval eval : TestScript.parse(Files.readString(file)).evals()) {
                count++;
                try {
                    Expr e = parser.parseExpr(eval.expr());
                    String printed = e.toString();
                    String reprinted = parser.parseExpr(printed).toString();
                    if (!printed.equals(reprinted)) problems.add(file.getFileName() + ":" + eval.line() + " " + printed + " -> " + reprinted);
                } catch (ParseException ex) {
                    problems.add(file.getFileName() + ":" + eval.line() + " " + eval.expr() + " : " + ex.getMessage());
                }
            }
        }
        assertEquals(List.of(), problems);
        assertTrue(count > 2000, "found only " + count + " evals");
    }
}
