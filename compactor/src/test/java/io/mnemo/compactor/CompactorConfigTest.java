package io.mnemo.compactor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

class CompactorConfigTest {
    static final Path DIR = Path.of("/data/compactor");

    @Test
    void mimirsDefaults() {
        CompactorConfig c = CompactorConfig.defaults(DIR);
        assertEquals(Duration.ofHours(1), c.compactionInterval());
        assertEquals(List.of(Duration.ofHours(2), Duration.ofHours(12), Duration.ofHours(24)), c.blockRanges());
        assertEquals(Duration.ofMinutes(25), c.firstLevelCompactionWaitPeriod());
        assertEquals(Duration.ofHours(12), c.deletionDelay());
        assertEquals(Duration.ofMinutes(15), c.cleanupInterval());
    }

    @Test
    void badSettingsAreRefusedByName() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new CompactorConfig(Duration.ofHours(1),
                List.of(Duration.ofHours(2), Duration.ofHours(5)), Duration.ZERO, Duration.ZERO, Duration.ofMinutes(1), DIR));
        assertTrue(e.getMessage().contains("mnemo.compactor.block-ranges"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new CompactorConfig(Duration.ZERO, List.of(Duration.ofHours(2)),
                Duration.ZERO, Duration.ZERO, Duration.ofMinutes(1), DIR));
        assertTrue(e.getMessage().contains("mnemo.compactor.compaction-interval"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new CompactorConfig(Duration.ofHours(1), List.of(Duration.ofHours(2)),
                Duration.ofMinutes(-1), Duration.ZERO, Duration.ofMinutes(1), DIR));
        assertTrue(e.getMessage().contains("first-level-compaction-wait-period"), e.getMessage());
    }

    /** The compactor's work on the bucket knows nothing of Pekko: the role that schedules it does. */
    @Test
    void mainSourcesImportNoPekko() throws IOException {
        List<String> allowed = List.of("java.", "org.slf4j.", "io.mnemo.tsdb.", "io.mnemo.objstore.", "io.mnemo.bucketstore.",
                "io.mnemo.compactor.");
        Pattern imp = Pattern.compile("^import\\s+(?:static\\s+)?([\\w.]+)", Pattern.MULTILINE);
        List<String> violations = new ArrayList<>();
        try (Stream<Path> files = Files.walk(Path.of("src/main/java"))) {
            for (Path f : files.filter(p -> p.toString().endsWith(".java")).sorted().toList()) {
                Matcher m = imp.matcher(Files.readString(f));
                while (m.find()) if (allowed.stream().noneMatch(m.group(1)::startsWith)) violations.add(f + " imports " + m.group(1));
            }
        }
        assertEquals(List.of(), violations);
    }
}
