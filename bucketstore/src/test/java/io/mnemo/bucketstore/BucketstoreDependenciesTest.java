package io.mnemo.bucketstore;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * bucketstore is what ingesters, store-gateways and the compactor share about blocks in object
 * storage, without Pekko: its sources use the JDK, slf4j, Jackson (meta.json), Caffeine (the
 * caches), tsdb and objstore. Checked on the sources' imports.
 */
class BucketstoreDependenciesTest {
    static final List<String> ALLOWED = List.of("java.", "org.slf4j.", "com.fasterxml.jackson.", "com.github.benmanes.caffeine.",
            "io.mnemo.tsdb.", "io.mnemo.objstore.", "io.mnemo.bucketstore.");
    private static final Pattern IMPORT = Pattern.compile("^import\\s+(?:static\\s+)?([\\w.]+)", Pattern.MULTILINE);

    @Test
    void mainSourcesImportNoPekko() throws IOException {
        List<String> violations = new ArrayList<>();
        try (Stream<Path> files = Files.walk(Path.of("src/main/java"))) {
            for (Path f : files.filter(p -> p.toString().endsWith(".java")).sorted().toList()) {
                Matcher m = IMPORT.matcher(Files.readString(f));
                while (m.find()) {
                    String imported = m.group(1);
                    if (ALLOWED.stream().noneMatch(imported::startsWith)) violations.add(f + " imports " + imported);
                }
            }
        }
        assertEquals(List.of(), violations);
    }
}
