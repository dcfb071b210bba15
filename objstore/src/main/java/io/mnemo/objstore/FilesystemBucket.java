package io.mnemo.objstore;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A bucket in a local directory (Mimir's {@code filesystem} backend): object "a/b/c" is the file
 * {@code <root>/a/b/c}. The single-node default, and a shared directory for tests.
 *
 * <p>An upload writes a temporary file in {@value #STAGING} under the root, forces it to disk,
 * and renames it into place (atomic on POSIX filesystems), then forces the directory: an object is
 * there whole, or not at all, also after a crash. Deleting an object removes the directories it
 * leaves empty, as Thanos's filesystem bucket does, so that listings never show empty prefixes;
 * an upload racing such a removal creates its directories again. The top-level name
 * {@value #STAGING} is reserved; staging files left by a crash are removed when a bucket is opened
 * once they are an hour old (another process may still be writing younger ones).
 *
 * <p>Symbolic links are neither followed nor listed. A file and a directory cannot share a name
 * here, so objects "a" and "a/b" cannot both exist (S3 allows it): the second upload fails.
 */
public final class FilesystemBucket implements Bucket {
    private static final Logger log = LoggerFactory.getLogger(FilesystemBucket.class);

    /** The directory under the root where uploads are written before they are renamed into place. */
    public static final String STAGING = ".uploads~";
    private static final Duration STALE_STAGING_FILE = Duration.ofHours(1);
    /** Attempts to rename an upload into place while concurrent deletes remove its new directories. */
    private static final int PUBLISH_ATTEMPTS = 10;
    private static final LinkOption[] NO_FOLLOW = {LinkOption.NOFOLLOW_LINKS};
    private static final Comparator<Entry> ENTRY_ORDER = Comparator.comparing(Entry::key, ObjectNames.ORDER);

    private final Path root;
    private final Path staging;

    /** Opens (creating it if needed) the bucket rooted at {@code root}. */
    public FilesystemBucket(Path root) throws IOException {
        this.root = root.toAbsolutePath().normalize();
        this.staging = this.root.resolve(STAGING);
        Files.createDirectories(staging);
        removeStaleStagingFiles();
    }

    public Path root() {
        return root;
    }

    @Override
    public InputStream get(String name) throws IOException {
        return getRange(name, 0, -1);
    }

    @Override
    public InputStream getRange(String name, long offset, long length) throws IOException {
        checkRange(offset, length);
        Path file = objectPath(name);
        FileChannel ch;
        try {
            if (!Files.isRegularFile(file, NO_FOLLOW)) throw new ObjectNotFoundException(this, name);
            ch = FileChannel.open(file, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException e) {
            throw notFound(name, e);
        }
        try {
            // The size of the file this channel opened: a concurrent upload renames a new file over
            // the name but never changes this one.
            long size = ch.size();
            if (offset > 0 && offset >= size) throw new InvalidRangeException(this, name, offset, size);
            long end = length < 0 ? size : Math.min(size, offset + length);
            return new FileRangeInputStream(ch, offset, end);
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
    }

    @Override
    public void upload(String name, InputStream in, long length) throws IOException {
        Path target = objectPath(name);
        Path tmp = Files.createTempFile(staging, "upload-", ".tmp");
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                OutputStream out = Channels.newOutputStream(ch);
                LengthCheckedInputStream checked = new LengthCheckedInputStream(in, length);
                checked.transferTo(out);
                checked.requireEnd();
                ch.force(true);
            }
            publish(tmp, target);
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(tmp);
            throw e;
        }
    }

    @Override
    public void upload(String name, Path file) throws IOException {
        Path target = objectPath(name);
        Path tmp = Files.createTempFile(staging, "upload-", ".tmp");
        try {
            Files.copy(file, tmp, StandardCopyOption.REPLACE_EXISTING);
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                ch.force(true);
            }
            publish(tmp, target);
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(tmp);
            throw e;
        }
    }

    /** Renames a complete, forced staging file to its object's path, creating directories on the way. */
    private void publish(Path tmp, Path target) throws IOException {
        for (int attempt = 1; ; attempt++) {
            try {
                createDirectories(target.getParent());
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
                break;
            } catch (NoSuchFileException e) {
                // A delete removed a directory it had emptied between our creating and using it.
                if (attempt == PUBLISH_ATTEMPTS || !Files.exists(tmp)) throw e;
            }
        }
        forceDirectory(target.getParent());
    }

    /** Creates {@code dir} and its missing parents below the root, forcing each new entry to disk. */
    private void createDirectories(Path dir) throws IOException {
        if (dir.equals(root) || Files.isDirectory(dir, NO_FOLLOW)) return;
        createDirectories(dir.getParent());
        try {
            Files.createDirectory(dir);
        } catch (FileAlreadyExistsException e) {
            if (!Files.isDirectory(dir, NO_FOLLOW)) {
                throw new IOException("cannot create directory " + dir + " of " + describe()
                        + ": an object (or another file) has its name", e);
            }
            return;
        }
        forceDirectory(dir.getParent());
    }

    @Override
    public void delete(String name) throws IOException {
        Path file = objectPath(name);
        if (!Files.isRegularFile(file, NO_FOLLOW)) throw new ObjectNotFoundException(this, name);
        try {
            Files.delete(file);
        } catch (NoSuchFileException e) {
            throw notFound(name, e);
        }
        forceDirectory(file.getParent());
        removeEmptyDirectories(file.getParent());
    }

    /** Removes {@code dir} and its parents below the root while they are empty. */
    private void removeEmptyDirectories(Path dir) throws IOException {
        for (Path d = dir; !d.equals(root); d = d.getParent()) {
            try {
                Files.delete(d);
            } catch (DirectoryNotEmptyException e) {
                return;
            } catch (NoSuchFileException e) {
                // Removed by a concurrent delete: go on with the parent.
            }
        }
    }

    @Override
    public void iter(String dir, boolean recursive, Consumer<String> f) throws IOException {
        String prefix = ObjectNames.dirPrefix(dir);
        if (!prefix.isEmpty()) checkNotReserved(prefix);
        Path start = prefix.isEmpty() ? root : root.resolve(prefix);
        if (!Files.isDirectory(start, NO_FOLLOW)) return;
        walk(start, prefix, recursive, f);
    }

    /**
     * Lists {@code dir} (whose names start with {@code prefix}) in name order. Siblings are sorted
     * by their name, with '/' appended to a directory's: every name under directory "a/" starts
     * with "a/", so visiting siblings in that order yields full names in order, recursion included.
     */
    private void walk(Path dir, String prefix, boolean recursive, Consumer<String> f) throws IOException {
        for (Entry e : entries(dir)) {
            if (!e.directory()) {
                f.accept(prefix + e.key());
            } else if (recursive) {
                walk(e.path(), prefix + e.key(), true, f);
            } else if (holdsObject(e.path())) {
                f.accept(prefix + e.key());
            }
        }
    }

    private record Entry(String key, Path path, boolean directory) {}

    /** The objects and directories in {@code dir}, sorted; staging and anything else not an object left out. */
    private List<Entry> entries(Path dir) throws IOException {
        List<Entry> out = new ArrayList<>();
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir)) {
            for (Path p : stream) {
                if (p.equals(staging)) continue;
                BasicFileAttributes a;
                try {
                    a = Files.readAttributes(p, BasicFileAttributes.class, NO_FOLLOW);
                } catch (NoSuchFileException e) {
                    continue; // deleted while we list
                }
                String fileName = p.getFileName().toString();
                if (a.isRegularFile()) out.add(new Entry(fileName, p, false));
                else if (a.isDirectory()) out.add(new Entry(fileName + ObjectNames.DELIMITER, p, true));
            }
        } catch (NoSuchFileException e) {
            return List.of(); // removed after its parent was listed
        }
        out.sort(ENTRY_ORDER);
        return out;
    }

    /** Whether a directory holds an object at some depth (one left empty by a crash does not). */
    private boolean holdsObject(Path dir) throws IOException {
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir)) {
            for (Path p : stream) {
                BasicFileAttributes a;
                try {
                    a = Files.readAttributes(p, BasicFileAttributes.class, NO_FOLLOW);
                } catch (NoSuchFileException e) {
                    continue;
                }
                if (a.isRegularFile() || (a.isDirectory() && holdsObject(p))) return true;
            }
        } catch (NoSuchFileException e) {
            return false;
        }
        return false;
    }

    @Override
    public boolean exists(String name) throws IOException {
        return Files.isRegularFile(objectPath(name), NO_FOLLOW);
    }

    @Override
    public ObjectAttributes attributes(String name) throws IOException {
        Path file = objectPath(name);
        // Checked first: under a file ("a" for "a/b") reading attributes fails with ENOTDIR, not "no such file".
        if (!Files.isRegularFile(file, NO_FOLLOW)) throw new ObjectNotFoundException(this, name);
        BasicFileAttributes a;
        try {
            a = Files.readAttributes(file, BasicFileAttributes.class, NO_FOLLOW);
        } catch (NoSuchFileException e) {
            throw notFound(name, e);
        }
        return new ObjectAttributes(a.size(), a.lastModifiedTime().toInstant());
    }

    @Override
    public String describe() {
        return "filesystem bucket " + root;
    }

    @Override
    public void close() {}

    @Override
    public String toString() {
        return describe();
    }

    /** The path of a valid object name; never outside the root. */
    private Path objectPath(String name) {
        ObjectNames.check(name);
        checkNotReserved(name);
        Path p = root.resolve(name).normalize();
        // ObjectNames' rules already keep names inside; this holds whatever they become.
        if (!p.startsWith(root) || p.equals(root)) throw new IllegalArgumentException("object name \"" + name + "\" leaves " + root);
        return p;
    }

    private static void checkNotReserved(String name) {
        if (name.equals(STAGING) || name.startsWith(STAGING + ObjectNames.DELIMITER)) {
            throw new IllegalArgumentException("invalid object name \"" + name + "\": " + STAGING
                    + " is reserved by the filesystem bucket for its uploads");
        }
    }

    private static void checkRange(long offset, long length) {
        if (offset < 0) throw new IllegalArgumentException("negative offset: " + offset);
        if (length <= 0 && length != -1) throw new IllegalArgumentException("length must be positive or -1: " + length);
    }

    private ObjectNotFoundException notFound(String name, NoSuchFileException cause) {
        ObjectNotFoundException e = new ObjectNotFoundException(this, name);
        e.initCause(cause);
        return e;
    }

    /** Makes a directory's entries durable (a new or renamed file in it survives a crash). */
    private static void forceDirectory(Path dir) throws IOException {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        }
    }

    private void removeStaleStagingFiles() throws IOException {
        FileTime before = FileTime.from(Instant.now().minus(STALE_STAGING_FILE));
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(staging)) {
            for (Path p : stream) {
                try {
                    if (Files.getLastModifiedTime(p, NO_FOLLOW).compareTo(before) < 0) {
                        Files.deleteIfExists(p);
                        log.info("Removed {}, left in {} by an upload that never finished", p.getFileName(), staging);
                    }
                } catch (NoSuchFileException e) {
                    // gone already
                }
            }
        }
    }
}
