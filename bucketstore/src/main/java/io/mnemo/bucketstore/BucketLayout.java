package io.mnemo.bucketstore;

import io.mnemo.objstore.Bucket;
import io.mnemo.tsdb.block.Ulid;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * Where blocks are in the bucket, as Mimir lays them out:
 *
 * <pre>
 * &lt;tenant&gt;/&lt;block ULID&gt;/chunks/000001 ...   the block's chunk segments
 * &lt;tenant&gt;/&lt;block ULID&gt;/index                 its index
 * &lt;tenant&gt;/&lt;block ULID&gt;/meta.json             {@link BucketBlockMeta}, uploaded last
 * </pre>
 *
 * A block is in the bucket once its {@code meta.json} is: it is uploaded after every other file
 * ({@link BlockTransfer}), so a reader that finds it finds the whole block. A block directory
 * without one is an upload in progress, or one that failed half-way; readers skip it.
 */
public final class BucketLayout {
    public static final String META = "meta.json";
    public static final String INDEX = "index";
    public static final String CHUNKS = "chunks";

    private BucketLayout() {}

    /** The prefix of a block's objects, {@code <tenant>/<ULID>}. */
    public static String block(String tenant, Ulid ulid) {
        return tenant + "/" + ulid;
    }

    /** A block's object, {@code <tenant>/<ULID>/<relPath>}. */
    public static String object(String tenant, Ulid ulid, String relPath) {
        return block(tenant, ulid) + "/" + relPath;
    }

    /** The tenants with something in the bucket: the top-level directories, in name order. */
    public static List<String> tenants(Bucket bucket) throws IOException {
        List<String> out = new ArrayList<>();
        bucket.iter("", false, name -> {
            if (name.endsWith("/")) out.add(name.substring(0, name.length() - 1));
        });
        return out;
    }

    /**
     * The block directories of a tenant (whole or being uploaded: see {@link #meta}), newest
     * first: ULIDs order by the time they were made.
     */
    public static List<Ulid> blocksNewestFirst(Bucket bucket, String tenant) throws IOException {
        List<Ulid> out = new ArrayList<>();
        bucket.iter(tenant, false, name -> {
            if (!name.endsWith("/")) return;
            String last = name.substring(tenant.length() + 1, name.length() - 1);
            if (Ulid.isValid(last)) out.add(Ulid.parse(last));
        });
        out.sort(Comparator.reverseOrder());
        return out;
    }

    /**
     * A block's {@code meta.json}; empty when the block has none (not whole yet, or a failed upload).
     *
     * @throws IOException when the bucket fails, or the meta.json is not one this build reads
     */
    public static Optional<BucketBlockMeta> meta(Bucket bucket, String tenant, Ulid ulid) throws IOException {
        String name = object(tenant, ulid, META);
        byte[] bytes;
        try (InputStream in = bucket.get(name)) {
            bytes = in.readAllBytes();
        } catch (IOException e) {
            if (Bucket.isObjNotFound(e)) return Optional.empty();
            throw e;
        }
        try {
            BucketBlockMeta meta = BucketBlockMeta.decode(bytes);
            if (!meta.block().ulid().equals(ulid)) {
                throw new IOException(bucket.describe() + " " + name + " describes block " + meta.block().ulid());
            }
            return Optional.of(meta);
        } catch (IllegalArgumentException e) {
            throw new IOException(bucket.describe() + " " + name + ": " + e.getMessage(), e);
        }
    }

    /** Where a tenant's deletion marks are, {@code <tenant>/markers/} (Mimir's global markers). */
    public static final String MARKERS = "markers";
    /** The name ending of a block's deletion mark there, {@code <ULID>-deletion-mark.json}. */
    public static final String DELETION_MARK_SUFFIX = "-deletion-mark.json";

    /**
     * The tenant's blocks marked for deletion (the compactor marks a block it replaced, and deletes
     * it later): queriers no longer need them, whatever store-gateways still have loaded.
     */
    public static java.util.Set<Ulid> deletionMarked(Bucket bucket, String tenant) throws IOException {
        java.util.Set<Ulid> out = new java.util.HashSet<>();
        String dir = tenant + "/" + MARKERS;
        bucket.iter(dir, false, name -> {
            if (!name.endsWith(DELETION_MARK_SUFFIX)) return;
            String id = name.substring(dir.length() + 1, name.length() - DELETION_MARK_SUFFIX.length());
            if (Ulid.isValid(id)) out.add(Ulid.parse(id));
        });
        return out;
    }
}
