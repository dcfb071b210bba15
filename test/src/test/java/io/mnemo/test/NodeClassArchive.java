package io.mnemo.test;

import io.mnemo.tsdb.Labels;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * Class data sharing for the nodes' JVMs. Loading and verifying the runnable jar's classes is much
 * of what a node's start costs: measured on two cores, a single node took 13-14 CPU seconds to
 * /ready without an archive of them and 8 with one, and the tests start some fifty nodes, often
 * several at once. The archive is dumped once per build of the jar ({@code -XX:ArchiveClassesAtExit})
 * by a node started for that purpose, which takes a push and answers a query before it stops, and
 * every node after it maps the archive ({@code -XX:SharedArchiveFile}). Without an archive (the dump
 * failed) nodes start as before; a JVM that finds the archive unusable ignores it.
 */
final class NodeClassArchive {
    private static List<String> options;

    private NodeClassArchive() {}

    /** The JVM options that make a node use the archive, dumping it first if the jar is newer. */
    static synchronized List<String> options() {
        if (options == null) options = prepare();
        return options;
    }

    private static List<String> prepare() {
        Path archive = Path.of(System.getProperty("mnemo.it.class-archive", "target/mnemo-it.jsa")).toAbsolutePath();
        try {
            if (!Files.isRegularFile(archive)
                    || Files.getLastModifiedTime(archive).compareTo(Files.getLastModifiedTime(MnemoProcess.jar())) < 0) {
                dump(archive);
            }
            return List.of("-XX:SharedArchiveFile=" + archive);
        } catch (Exception | AssertionError e) {
            System.err.println("NodeClassArchive: nodes start without a class archive: " + e);
            return List.of();
        }
    }

    private static void dump(Path archive) throws Exception {
        Files.createDirectories(archive.getParent());
        Path dumping = archive.resolveSibling(archive.getFileName() + ".tmp");
        Files.deleteIfExists(dumping);
        Path dir = Files.createTempDirectory("mnemo-class-archive");
        long started = System.nanoTime();
        int http = MnemoProcess.freePort();
        String conf = """
                mnemo {
                  data-dir = "%s"
                  http { host = "127.0.0.1", port = %d }
                  kafka.embedded.port = %d
                  management.enabled = false
                  ring.leave-grace = 0s
                }
                pekko.remote.artery.canonical.port = %d
                """.formatted(dir.resolve("data"), http, MnemoProcess.freePort(), MnemoProcess.freePort());
        MnemoProcess node = new MnemoProcess("class-archive", dir, conf, http, 0).dumpingClassArchive(dumping);
        try {
            node.start().awaitReady(Duration.ofMinutes(2));
            RemoteWrite w = RemoteWrite.request().series(Labels.of("__name__", "archive_metric", "job", "archive"),
                    new long[] {1_700_000_000_000L}, new double[] {1});
            MnemoClient.Response pushed = node.client.push("archive", w.encode());
            if (pushed.status() != 200) throw new IllegalStateException("push answered " + pushed.status() + " " + pushed.body());
            Await.until("the pushed sample queryable", Duration.ofSeconds(30), () -> node.client.api("archive", "query",
                    "query", "count(archive_metric)", "time", "1700000000").body().contains("\"1\""));
            // The JVM writes the archive as it exits, after the shutdown hooks.
            if (!node.terminate(Duration.ofMinutes(1)) || !Files.isRegularFile(dumping)) {
                throw new IllegalStateException("no archive written; " + node.logTail(20));
            }
            Files.move(dumping, archive, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            System.out.printf("NodeClassArchive: %s dumped in %d ms%n", archive, (System.nanoTime() - started) / 1_000_000);
        } finally {
            node.close();
            Files.deleteIfExists(dumping);
            try (Stream<Path> files = Files.walk(dir)) {
                for (Path p : files.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
            } catch (IOException ignored) {
                // a temporary directory; the OS cleans up what is left
            }
        }
    }
}
