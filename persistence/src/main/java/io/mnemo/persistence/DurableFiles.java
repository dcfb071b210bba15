package io.mnemo.persistence;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/** File operations whose result survives a crash of the process or of the machine. */
public final class DurableFiles {

    /** Suffix of files being written by {@link #writeAtomically}; leftovers of a crash carry it. */
    public static final String TEMP_SUFFIX = ".tmp";

    private DurableFiles() {
    }

    /**
     * Replaces {@code target} with {@code parts}, all or nothing: write a temp file next to it,
     * fsync it, rename it over the target, fsync the directory so the rename itself is durable.
     */
    public static void writeAtomically(Path target, byte[]... parts) throws IOException {
        writeAtomically(target, () -> {}, parts);
    }

    /** As {@link #writeAtomically(Path, byte[]...)}, running {@code beforeRename} once the temp file is durable. */
    public static void writeAtomically(Path target, Runnable beforeRename, byte[]... parts) throws IOException {
        Path temp = target.resolveSibling(target.getFileName() + TEMP_SUFFIX);
        try (FileChannel ch = FileChannel.open(temp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            ByteBuffer[] buffers = new ByteBuffer[parts.length];
            for (int i = 0; i < parts.length; i++) {
                buffers[i] = ByteBuffer.wrap(parts[i]);
            }
            writeFully(ch, buffers);
            ch.force(true);
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(temp);
            throw e;
        }
        beforeRename.run();
        try {
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING);
        }
        syncDirectory(target.toAbsolutePath().getParent());
    }

    /** Writes every remaining byte of {@code buffers}; a gathering write may stop short. */
    public static void writeFully(FileChannel ch, ByteBuffer[] buffers) throws IOException {
        int first = 0;
        while (first < buffers.length) {
            ch.write(buffers, first, buffers.length - first);
            while (first < buffers.length && !buffers[first].hasRemaining()) {
                first++;
            }
        }
    }

    /**
     * Makes creations, renames and deletions inside {@code dir} durable. Linux supports fsync on a
     * directory; platforms that do not are tolerated, as their file systems order metadata anyway.
     */
    public static void syncDirectory(Path dir) throws IOException {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException e) {
            if (System.getProperty("os.name", "").toLowerCase().contains("win")) {
                return;
            }
            throw e;
        }
    }
}
