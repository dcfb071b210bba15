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
     * first: ULIDs order by the time they were made. Only directories named by a ULID: not
     * {@value #MARKERS}/, nor objects such as the bucket index.
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

    /** A block's deletion mark, in its directory (Thanos's and Mimir's name). */
    public static final String DELETION_MARK = "deletion-mark.json";
    /** A block's no-compact mark, in its directory (Thanos's and Mimir's name). */
    public static final String NO_COMPACT_MARK = "no-compact-mark.json";
    /** The marks that may lie in a block's directory beside its files. */
    public static final java.util.Set<String> MARK_FILES = java.util.Set.of(DELETION_MARK, NO_COMPACT_MARK);
    /**
     * The tenant's directory of markers: its blocks' marks again, as {@code <ULID>-deletion-mark.json}
     * and {@code <ULID>-no-compact-mark.json} (Mimir's global markers), and
     * {@code tenant-deletion-mark.json} (see {@code markers.Markers}). Not a block: block listings
     * take only directories named by a ULID.
     */
    public static final String MARKERS = "markers";

    /**
     * The tenant's whole blocks (meta.json present) without a deletion mark (in the block's
     * directory, or among the tenant's markers, as Mimir's compactor writes them), from one
     * recursive listing of the tenant's objects: what store-gateways serve and queriers expect.
     */
    public static java.util.SortedSet<Ulid> wholeBlocks(Bucket bucket, String tenant) throws IOException {
        String prefix = tenant + "/";
        java.util.SortedSet<Ulid> whole = new java.util.TreeSet<>();
        java.util.Set<Ulid> marked = new java.util.HashSet<>();
        String markersPrefix = prefix + MARKERS + "/";
        String markSuffix = "-" + DELETION_MARK;
        bucket.iter(prefix, true, name -> {
            if (name.startsWith(markersPrefix) && name.endsWith(markSuffix)) {
                String id = name.substring(markersPrefix.length(), name.length() - markSuffix.length());
                if (Ulid.isValid(id)) marked.add(Ulid.parse(id));
                return;
            }
            int slash = name.indexOf('/', prefix.length());
            if (slash < 0) return;
            String id = name.substring(prefix.length(), slash);
            String rest = name.substring(slash + 1);
            if (!Ulid.isValid(id)) return;
            if (rest.equals(META)) whole.add(Ulid.parse(id));
            else if (rest.equals(DELETION_MARK)) marked.add(Ulid.parse(id));
        });
        whole.removeAll(marked);
        return whole;
    }
}
