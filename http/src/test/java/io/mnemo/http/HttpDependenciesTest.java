package io.mnemo.http;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The routes talk to ingesters only through their entity's public API: the commands and replies
 * ({@code IngesterCommand}, {@code IngesterError}) and the sharding that delivers them
 * ({@code IngesterSharding}). Everything else in {@code actors.ingester} is the ingester's own; what
 * the distributor's pages need from Kafka comes from {@code actors.ingest}. Checked on the sources.
 */
class HttpDependenciesTest {
    static final Set<String> INGESTER_API = Set.of("IngesterCommand", "IngesterError", "IngesterSharding");
    private static final Pattern INGESTER = Pattern.compile("\\bio\\.mnemo\\.actors\\.ingester\\.([A-Za-z]\\w*)");

    @Test
    void routesUseOnlyTheIngestersCommandApi() throws IOException {
        List<String> violations = new ArrayList<>();
        try (Stream<Path> files = Files.walk(Path.of("src/main/java"))) {
            for (Path f : files.filter(p -> p.toString().endsWith(".java")).sorted().toList()) {
                Matcher m = INGESTER.matcher(Files.readString(f));
                while (m.find()) if (!INGESTER_API.contains(m.group(1))) violations.add(f + " uses " + m.group());
            }
        }
        assertEquals(List.of(), violations);
    }
}
