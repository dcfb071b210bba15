package io.mnemo.objstore;

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
 * objstore is a library of its own, as Thanos's: it uses the JDK, slf4j and the AWS SDK, never
 * Pekko, Typesafe Config or the rest of Mnemo. Checked on the sources' imports.
 */
class ObjstoreDependenciesTest {
    static final List<String> ALLOWED = List.of("java.", "org.slf4j.", "software.amazon.awssdk.", "io.mnemo.objstore.");
    private static final Pattern IMPORT = Pattern.compile("^import\\s+(?:static\\s+)?([\\w.]+)", Pattern.MULTILINE);

    @Test
    void mainSourcesImportOnlyTheJdkSlf4jAndTheAwsSdk() throws IOException {
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
