package io.mnemo.bucketstore.markers;

import io.mnemo.bucketstore.BucketLayout;
import io.mnemo.objstore.Bucket;
import io.mnemo.tsdb.block.Ulid;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Optional;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * Where marks are in the bucket, and reading, writing, listing and deleting them, as Mimir keeps
 * them:
 *
 * <pre>
 * &lt;tenant&gt;/&lt;ULID&gt;/deletion-mark.json                 in the block's directory (Thanos's place)
 * &lt;tenant&gt;/&lt;ULID&gt;/no-compact-mark.json
 * &lt;tenant&gt;/markers/&lt;ULID&gt;-deletion-mark.json         the same bytes among the tenant's markers (Mimir's
 * &lt;tenant&gt;/markers/&lt;ULID&gt;-no-compact-mark.json        global markers: one listing finds them all)
 * &lt;tenant&gt;/markers/tenant-deletion-mark.json         the tenant is deleted
 * </pre>
 *
 * A block mark is written in the block's directory first, then among the markers (Mimir's
 * order); it counts as written once both are there, so a mark half-written by a crash is written
 * again. Readers take either place as marked ({@link BucketLayout#wholeBlocks}); the bucket index
 * takes deletion marks from the markers.
 */
public final class Markers {
    private Markers() {}

    /** {@code <tenant>/<ULID>/<file>}. */
    public static String inBlock(String tenant, Ulid id, String file) {
        return BucketLayout.object(tenant, id, file);
    }

    /** {@code <tenant>/markers/<ULID>-<file>}. */
    public static String global(String tenant, Ulid id, String file) {
        return tenant + "/" + BucketLayout.MARKERS + "/" + id + "-" + file;
    }

    /** {@code <tenant>/markers/tenant-deletion-mark.json}. */
    public static String tenantDeletion(String tenant) {
        return tenant + "/" + BucketLayout.MARKERS + "/" + TenantDeletionMark.FILE;
    }

    /**
     * Writes a block's mark in both places, unless both hold one already (then that one stays:
     * a deletion's delay runs from the first mark). Returns whether it wrote.
     */
    public static boolean write(Bucket bucket, String tenant, Marker mark) throws IOException {
        String local = inBlock(tenant, mark.id(), mark.file());
        String global = global(tenant, mark.id(), mark.file());
        boolean hasLocal = bucket.exists(local);
        if (hasLocal && bucket.exists(global)) return false;
        byte[] bytes = hasLocal ? read(bucket, local).orElse(mark.encode()) : mark.encode();
        if (!hasLocal) upload(bucket, local, bytes);
        upload(bucket, global, bytes);
        return true;
    }

    /** The deletion mark in a block's directory, if any. @throws IOException also for a mark that does not parse */
    public static Optional<DeletionMark> deletionMark(Bucket bucket, String tenant, Ulid id) throws IOException {
        return parse(bucket, inBlock(tenant, id, DeletionMark.FILE), DeletionMark::decode);
    }

    /** A deletion mark among the tenant's markers, if any. @throws IOException also for a mark that does not parse */
    public static Optional<DeletionMark> globalDeletionMark(Bucket bucket, String tenant, Ulid id) throws IOException {
        return parse(bucket, global(tenant, id, DeletionMark.FILE), DeletionMark::decode);
    }

    /** The no-compact mark in a block's directory, if any. @throws IOException also for a mark that does not parse */
    public static Optional<NoCompactMark> noCompactMark(Bucket bucket, String tenant, Ulid id) throws IOException {
        return parse(bucket, inBlock(tenant, id, NoCompactMark.FILE), NoCompactMark::decode);
    }

    /** The blocks with a mark of this file name among the tenant's markers, from one listing. */
    public static SortedSet<Ulid> listGlobal(Bucket bucket, String tenant, String file) throws IOException {
        String prefix = tenant + "/" + BucketLayout.MARKERS + "/";
        String suffix = "-" + file;
        SortedSet<Ulid> out = new TreeSet<>();
        bucket.iter(prefix, false, name -> {
            if (!name.endsWith(suffix)) return;
            String id = name.substring(prefix.length(), name.length() - suffix.length());
            if (Ulid.isValid(id)) out.add(Ulid.parse(id));
        });
        return out;
    }

    /** Deletes a block's marks of this file name in both places, the block's directory first; absent ones are fine. */
    public static void delete(Bucket bucket, String tenant, Ulid id, String file) throws IOException {
        deleteIfExists(bucket, inBlock(tenant, id, file));
        deleteIfExists(bucket, global(tenant, id, file));
    }

    public static Optional<TenantDeletionMark> tenantDeletionMark(Bucket bucket, String tenant) throws IOException {
        return parse(bucket, tenantDeletion(tenant), TenantDeletionMark::decode);
    }

    public static void writeTenantDeletionMark(Bucket bucket, String tenant, TenantDeletionMark mark) throws IOException {
        upload(bucket, tenantDeletion(tenant), mark.encode());
    }

    static void deleteIfExists(Bucket bucket, String name) throws IOException {
        try {
            bucket.delete(name);
        } catch (IOException e) {
            if (!Bucket.isObjNotFound(e)) throw e;
        }
    }

    private static <T> Optional<T> parse(Bucket bucket, String name, Function<byte[], T> decode) throws IOException {
        Optional<byte[]> bytes = read(bucket, name);
        if (bytes.isEmpty()) return Optional.empty();
        try {
            return Optional.of(decode.apply(bytes.get()));
        } catch (IllegalArgumentException e) {
            throw new IOException(bucket.describe() + " " + name + ": " + e.getMessage(), e);
        }
    }

    private static Optional<byte[]> read(Bucket bucket, String name) throws IOException {
        try (InputStream in = bucket.get(name)) {
            return Optional.of(in.readAllBytes());
        } catch (IOException e) {
            if (Bucket.isObjNotFound(e)) return Optional.empty();
            throw e;
        }
    }

    private static void upload(Bucket bucket, String name, byte[] bytes) throws IOException {
        bucket.upload(name, new ByteArrayInputStream(bytes), bytes.length);
    }
}
