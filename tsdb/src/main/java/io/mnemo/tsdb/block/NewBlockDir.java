package io.mnemo.tsdb.block;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * The directory a new block is built in, {@code <ULID>.tmp-for-creation}, and the one step that
 * publishes it: {@link #commit} writes the meta.json last, syncs everything and renames the
 * directory to the block's ULID, so a crash never leaves a half-written block under a block's
 * name (Prometheus does the same). Readers skip directories that are not named by a ULID.
 */
public final class NewBlockDir {
    private final Path parent;
    private final Ulid ulid;
    private final Path tmp;

    private NewBlockDir(Path parent, Ulid ulid) {
        this.parent = parent;
        this.ulid = ulid;
        this.tmp = parent.resolve(ulid + BlockWriter.TMP_SUFFIX);
    }

    /** Creates {@code <parent>/<ulid>.tmp-for-creation/chunks/} (and the parent if missing). */
    public static NewBlockDir create(Path parent, Ulid ulid) throws IOException {
        NewBlockDir d = new NewBlockDir(parent, ulid);
        Files.createDirectories(d.chunksDir());
        return d;
    }

    public Ulid ulid() { return ulid; }

    /** The directory being built. */
    public Path path() { return tmp; }

    public Path chunksDir() { return tmp.resolve("chunks"); }

    public Path indexFile() { return tmp.resolve("index"); }

    /** Writes and syncs a file of the block (e.g. an extra file readers of other tools ignore). */
    public void writeFile(String name, byte[] content) throws IOException {
        try (FileOut out = new FileOut(tmp.resolve(name))) {
            out.write(content, 0, content.length);
            out.finish();
        }
    }

    /**
     * Writes an empty tombstones file and the meta.json, syncs the directories and renames the
     * block into place; returns its final directory.
     */
    public Path commit(BlockMeta meta) throws IOException {
        if (!meta.ulid().equals(ulid)) throw new IllegalArgumentException("meta of " + meta.ulid() + " for block " + ulid);
        Tombstones.writeEmpty(tmp);
        writeFile(BlockMeta.FILE_NAME, meta.toJson().getBytes(StandardCharsets.UTF_8));
        syncDir(chunksDir());
        syncDir(tmp);
        Path dst = parent.resolve(ulid.toString());
        Files.move(tmp, dst, StandardCopyOption.ATOMIC_MOVE);
        syncDir(parent);
        return dst;
    }

    /** Deletes what was built, e.g. when it turned out empty. */
    public void delete() throws IOException {
        if (!Files.exists(tmp)) return;
        try (Stream<Path> walk = Files.walk(tmp)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.delete(p);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }

    /** Deletes what was built after a failure; a failure to delete is added to {@code cause}. */
    public void abandon(Exception cause) {
        try {
            delete();
        } catch (IOException | RuntimeException e) {
            cause.addSuppressed(e);
        }
    }

    private static void syncDir(Path d) throws IOException {
        try (FileChannel ch = FileChannel.open(d, StandardOpenOption.READ)) {
            ch.force(true);
        }
    }
}
