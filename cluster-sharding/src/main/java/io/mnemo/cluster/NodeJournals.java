package io.mnemo.cluster;

import io.mnemo.persistence.MnemoSerializable;
import io.mnemo.persistence.PersistenceIdDirectory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * The ingester journals one node holds on its disk, as that node announces them: the node's
 * address, the uid of its actor system (so that a node restarted on the same address with another
 * disk is not taken for the old one), and the ingesters ("zone/partition"), sorted.
 */
public record NodeJournals(String node, long uid, List<String> ingesters) implements MnemoSerializable {

    /**
     * The ingesters whose journal is in {@code journalDir} (one directory per persistence id, as
     * the journal plugin lays it out) with something in it: segments, or the marker left once every
     * event went into blocks, which are on this node too.
     */
    public static List<String> scan(Path journalDir) {
        if (!Files.isDirectory(journalDir)) return List.of();
        try (Stream<Path> dirs = Files.list(journalDir)) {
            return dirs.filter(NodeJournals::hasEvents)
                    .map(d -> PersistenceIdDirectory.decode(d.getFileName().toString()))
                    .map(pid -> pid == null ? null : IngesterId.fromPersistenceId(pid))
                    .filter(id -> id != null)
                    .map(IngesterId::toString)
                    .sorted()
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static boolean hasEvents(Path dir) {
        if (!Files.isDirectory(dir)) return false;
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(f -> f.getFileName().toString())
                    .anyMatch(name -> name.endsWith(".log") || name.equals("deleted-to"));
        } catch (IOException e) {
            return false; // removed while we looked
        }
    }
}
