package io.mnemo.actors;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The packages of {@code io.mnemo.actors} depend on each other only along these edges: the two
 * sides of the write path, {@code distributor} and {@code ingester}, meet in {@code ingest} (the
 * Kafka transport and the record format) and never know each other; only the warm-ups, which run
 * both, see both. {@code readpath} (streams of frames between ingesters and queriers) knows
 * neither side. {@code storage} (blocks in the bucket: their layout and meta, shipping) knows only
 * the tsdb and objstore modules; the ingester uses it. {@code storegateway} (serving blocks in the bucket) knows
 * only {@code readpath}; queriers ask both it and the ingesters. {@code compactor} (the compactor
 * role and tenant deletion, over the compactor module) knows none of them. Checked on the sources: imports, qualified names and javadoc references alike.
 * The root package ({@code MnemoSettings}, {@code MnemoMetrics}, {@code TenantId}...) is open to all.
 */
class PackageDependenciesTest {
    static final Map<String, Set<String>> ALLOWED = Map.ofEntries(
            Map.entry("", Set.of()),
            Map.entry("wire", Set.of()),
            Map.entry("ingest", Set.of("wire")),
            Map.entry("distributor", Set.of("ingest", "wire")),
            Map.entry("distributor.otlp", Set.of("distributor", "wire")),
            Map.entry("readpath", Set.of()),
            Map.entry("storage", Set.of()),
            Map.entry("ingester", Set.of("ingest", "readpath", "storage")),
            Map.entry("storegateway", Set.of("readpath")),
            Map.entry("querier", Set.of("ingester", "storegateway", "readpath")),
            Map.entry("compactor", Set.of()),
            Map.entry("warmup", Set.of("distributor", "ingester", "ingest", "prompb")));

    static final Path SOURCES = Path.of("src/main/java/io/mnemo/actors");
    private static final Pattern REFERENCE = Pattern.compile("\\bio\\.mnemo\\.actors\\.([a-z]\\w*)\\.");

    @Test
    void packagesDependOnlyAlongTheAllowedEdges() throws IOException {
        List<String> violations = new ArrayList<>();
        try (Stream<Path> files = Files.walk(SOURCES)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".java")).sorted().toList()) {
                Path dir = SOURCES.relativize(f.getParent());
                String pkg = dir.toString().replace('/', '.');
                Set<String> allowed = ALLOWED.get(pkg);
                if (allowed == null) {
                    violations.add(f + ": package '" + pkg + "' has no entry in ALLOWED: say what it may depend on");
                    continue;
                }
                for (String used : references(f)) {
                    if (!used.equals(pkg) && !allowed.contains(used)) violations.add(f + " uses io.mnemo.actors." + used);
                }
            }
        }
        assertEquals(List.of(), violations);
    }

    @Test
    void theCheckSeesQualifiedNamesAndImports() throws IOException {
        Path f = Files.createTempFile("Sample", ".java");
        try {
            Files.writeString(f, "import io.mnemo.actors.distributor.Distributor;\n"
                    + "/** {@link io.mnemo.actors.ingester.BatchConsumed} */ class X { io.mnemo.actors.MnemoSettings s; }\n");
            assertEquals(Set.of("distributor", "ingester"), references(f));
        } finally {
            Files.delete(f);
        }
    }

    /** The sub-packages of io.mnemo.actors a source file names. */
    static Set<String> references(Path source) throws IOException {
        Set<String> out = new TreeSet<>();
        Matcher m = REFERENCE.matcher(Files.readString(source));
        while (m.find()) out.add(m.group(1));
        return out;
    }
}
