package io.mnemo.objstore;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.function.Consumer;

/**
 * A flat store of immutable objects named by '/'-separated paths, as Thanos's objstore models
 * object storage: "directories" exist only as the common prefixes of names. Objects are written
 * whole or not at all and read back by name, whole or by byte range; once {@link #upload} returns,
 * every reader sees the object (strong read-after-write consistency, which S3 and a local
 * filesystem both give).
 *
 * <p>Every name is checked by {@link ObjectNames#check}: a relative path of non-empty segments
 * without "." or "..", so a bucket never reads or writes outside itself whatever the caller
 * derived the name from. A refused name is an {@link IllegalArgumentException}; failures of the
 * store are {@link IOException}s, a missing object an {@link ObjectNotFoundException}.
 *
 * <p>Implementations are safe for concurrent use.
 */
public interface Bucket extends AutoCloseable {

    /** The whole object. The caller closes the stream. */
    InputStream get(String name) throws IOException;

    /**
     * {@code length} bytes of the object from {@code offset}, fewer where the object ends first;
     * {@code length} -1 reads to the end. The range must start inside the object ({@code offset}
     * below its size); an empty object can be read from offset 0 only.
     *
     * @throws InvalidRangeException when {@code offset} is at or past the end of a non-empty object
     * @throws IllegalArgumentException for a negative offset, or a length neither positive nor -1
     */
    InputStream getRange(String name, long offset, long length) throws IOException;

    /**
     * Stores exactly {@code length} bytes of {@code in} as the object, replacing any object of that
     * name. Atomic: readers see the previous object, or none, until the whole new one is stored; if
     * the stream fails, ends early or holds more than {@code length} bytes, nothing changes.
     * Does not close {@code in}.
     */
    void upload(String name, InputStream in, long length) throws IOException;

    /** Stores the file's contents as the object, as {@link #upload(String, InputStream, long)}. */
    void upload(String name, Path file) throws IOException;

    /**
     * Removes the object.
     *
     * @throws ObjectNotFoundException when there is none of that name (Thanos's contract; on S3 a
     *         concurrent delete of the same name may still make both succeed)
     */
    void delete(String name) throws IOException;

    /**
     * Calls {@code f} with the name of each entry under {@code dir}, in ascending order of Unicode
     * code points (S3's order: that of the names' UTF-8 bytes). Names are full, from the bucket's
     * root. {@code dir} is "" for the root; "a" and "a/" are the same directory. Non-recursive:
     * the direct children, objects by name and sub-directories as their prefix ending in "/".
     * Recursive: every object below {@code dir}, and no directories. A directory that holds no
     * object, or does not exist, yields nothing. An exception {@code f} throws ends the iteration
     * and propagates.
     */
    void iter(String dir, boolean recursive, Consumer<String> f) throws IOException;

    /** Whether an object of this name exists (a "directory" is not an object). */
    boolean exists(String name) throws IOException;

    /** The object's size and last-modified time. */
    ObjectAttributes attributes(String name) throws IOException;

    /** A description for logs and errors: the backend and where it stores. */
    String describe();

    @Override
    void close() throws IOException;

    /**
     * Whether {@code t}, or anything in its chain of causes, says that an object does not exist
     * (Thanos's {@code IsObjNotFoundErr}): for callers that get the error wrapped, e.g. in an
     * {@link java.io.UncheckedIOException} or a {@link java.util.concurrent.CompletionException}.
     */
    static boolean isObjNotFound(Throwable t) {
        int depth = 0;
        for (Throwable c = t; c != null && depth < 100; c = c.getCause(), depth++) { // bounded: causes can form a cycle
            if (c instanceof ObjectNotFoundException) return true;
        }
        return false;
    }
}
