package io.mnemo.persistence;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.UUID;

/**
 * Config and data directory of a Pekko TCK suite, which takes its config in the constructor. The
 * test engine may construct a suite more often than it runs it, so the directory is only named
 * here; the plugins create it when they start, and the suite deletes it when done.
 */
final class TckSetup {

    private TckSetup() {
    }

    /** A directory that does not exist yet, unique to one suite instance. */
    static Path freshDirectory(String prefix) {
        return Path.of(System.getProperty("java.io.tmpdir")).resolve(prefix + "-" + UUID.randomUUID());
    }

    /** Both Mnemo plugins selected, their files under {@code dir}. */
    static Config config(Path dir) {
        return ConfigFactory.parseString("""
                        pekko.persistence.journal.plugin = "mnemo.persistence.journal"
                        pekko.persistence.snapshot-store.plugin = "mnemo.persistence.snapshot-store"
                        pekko.loglevel = WARNING
                        """)
                .withValue("mnemo.persistence.journal.dir",
                        ConfigValueFactory.fromAnyRef(dir.resolve("journal").toString()))
                .withValue("mnemo.persistence.snapshot-store.dir",
                        ConfigValueFactory.fromAnyRef(dir.resolve("snapshots").toString()));
    }

    static void delete(Path root) {
        if (!Files.exists(root)) {
            return;
        }
        try {
            Files.walkFileTree(root, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                    Files.delete(file);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path dir, IOException exc) throws IOException {
                    Files.delete(dir);
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
