package io.mnemo.promql.promqltest;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

class PromqlTestMainTest {
    @Test
    void printsEachFailingEvalAndEndsWithTheCounts(@TempDir Path dir) throws Exception {
        Path script = dir.resolve("example.test");
        Files.writeString(script, """
                load 1m
                  up{job="a"} 1 1 1

                eval instant at 2m up
                  up{job="a"} 1

                eval instant at 2m up * 2
                  {job="a"} 3
                """);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        int failed = PromqlTestMain.run(List.of(script.toString(), dir.resolve("missing.test").toString()),
                new PrintStream(bytes, true, StandardCharsets.UTF_8));
        List<String> lines = bytes.toString(StandardCharsets.UTF_8).lines().toList();
        assertEquals(2, failed);
        assertEquals(script + ":7: up * 2", lines.get(0));
        assertEquals("    expected 3.0 for {job=\"a\"} but got 2.0", lines.get(1));
        assertEquals("# example.test: 1 of 2 passed", lines.get(2));
        assertEquals(dir.resolve("missing.test") + ": cannot load script: " + dir.resolve("missing.test"), lines.get(3));
        assertEquals("1 passed, 2 failed", lines.get(lines.size() - 1));
    }
}
