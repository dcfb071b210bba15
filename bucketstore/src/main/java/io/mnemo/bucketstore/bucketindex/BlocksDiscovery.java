package io.mnemo.bucketstore.bucketindex;

import io.mnemo.bucketstore.BucketLayout;
import io.mnemo.bucketstore.markers.DeletionMark;
import io.mnemo.bucketstore.markers.Markers;
import io.mnemo.objstore.Bucket;
import io.mnemo.tsdb.block.Ulid;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which of a tenant's blocks readers (store-gateways, queriers) use, by Mimir's rules:
 *
 * <ul>
 *   <li>From the tenant's bucket index ({@code bucket-index.json.gz}) when there is one, without
 *       listing the bucket. When there is none yet (no compactor has run) or it does not parse,
 *       from a listing of the tenant's objects, as before there were compactors. A tenant with a
 *       tenant deletion mark and no index has no blocks (the cleaner deletes the index first).</li>
 *   <li>A block marked for deletion stays in use until its mark is {@code ignore-deletion-marks-delay}
 *       old (Mimir's {@code -blocks-storage.bucket-store.ignore-deletion-marks-delay}, 1h). The
 *       compactor marks a block once the block that replaces it is uploaded, so for that long
 *       readers have both (queriers keep one of identical samples) and the replacement is loaded
 *       before the source is dropped: no query sees a gap.</li>
 * </ul>
 *
 * Safe for concurrent use; per-block facts read from the bucket (mark times, upload times) are
 * cached, they never change.
 */
public final class BlocksDiscovery {
    private static final Logger log = LoggerFactory.getLogger(BlocksDiscovery.class);

    private final Bucket bucket;
    private final Duration ignoreDeletionMarksDelay;
    private final Clock clock;
    /** By tenant/ULID: when a listed block's deletion mark was written (unix seconds), read once. */
    private final Map<String, Long> markTimes = new ConcurrentHashMap<>();
    /** By tenant/ULID: when a listed block's meta.json was uploaded (unix ms), read once. */
    private final Map<String, Long> uploadTimes = new ConcurrentHashMap<>();

    public BlocksDiscovery(Bucket bucket, Duration ignoreDeletionMarksDelay, Clock clock) {
        if (ignoreDeletionMarksDelay.isNegative()) throw new IllegalArgumentException("ignore-deletion-marks-delay must not be negative");
        this.bucket = bucket;
        this.ignoreDeletionMarksDelay = ignoreDeletionMarksDelay;
        this.clock = clock;
    }

    /**
     * A block readers use.
     *
     * @param uploadedAt   when its meta.json was uploaded, unix ms
     * @param deletionTime when it was marked for deletion, unix seconds; -1 when it is not
     */
    public record Discovered(Ulid id, long uploadedAt, long deletionTime) {
        public boolean markedForDeletion() {
            return deletionTime >= 0;
        }
    }

    public Duration ignoreDeletionMarksDelay() {
        return ignoreDeletionMarksDelay;
    }

    /**
     * The tenant's blocks readers use now, by ULID.
     *
     * @throws IOException when the bucket fails
     */
    public List<Discovered> blocks(String tenant) throws IOException {
        BucketIndex index = null;
        try {
            index = BucketIndex.read(bucket, tenant).orElse(null);
        } catch (BucketIndex.CorruptedException e) {
            log.warn("Tenant {}: the bucket index does not parse, listing the bucket instead: {}", tenant, e.getMessage());
        }
        return index != null ? fromIndex(index) : fromListing(tenant);
    }

    private List<Discovered> fromIndex(BucketIndex index) {
        Map<Ulid, Long> marks = new java.util.HashMap<>();
        for (BucketIndex.BlockDeletionMark m : index.blockDeletionMarks()) marks.put(m.id(), m.deletionTime());
        long nowSec = clock.instant().getEpochSecond();
        List<Discovered> out = new ArrayList<>(index.blocks().size());
        for (BucketIndex.Block b : index.blocks()) {
            Long marked = marks.get(b.id());
            if (marked != null && ignored(marked, nowSec)) continue;
            out.add(new Discovered(b.id(), b.uploadedAt() * 1000, marked == null ? -1 : marked));
        }
        return out;
    }

    /** Whether a block marked at {@code deletionTime} is no longer used (Mimir: mark at least the delay old). */
    private boolean ignored(long deletionTime, long nowSec) {
        return nowSec - deletionTime >= ignoreDeletionMarksDelay.toSeconds();
    }

    /** One recursive listing of the tenant's objects: whole blocks, and which of them are marked. */
    private List<Discovered> fromListing(String tenant) throws IOException {
        if (Markers.tenantDeletionMark(bucket, tenant).isPresent()) return List.of();
        String prefix = tenant + "/";
        String markersPrefix = prefix + BucketLayout.MARKERS + "/";
        String markSuffix = "-" + DeletionMark.FILE;
        SortedSet<Ulid> whole = new TreeSet<>();
        Set<Ulid> marked = new HashSet<>();
        bucket.iter(prefix, true, name -> {
            if (name.startsWith(markersPrefix) && name.endsWith(markSuffix)) {
                String id = name.substring(markersPrefix.length(), name.length() - markSuffix.length());
                if (Ulid.isValid(id)) marked.add(Ulid.parse(id));
                return;
            }
            int slash = name.indexOf('/', prefix.length());
            if (slash < 0) return;
            String id = name.substring(prefix.length(), slash);
            if (!Ulid.isValid(id)) return;
            String rest = name.substring(slash + 1);
            if (rest.equals(BucketLayout.META)) whole.add(Ulid.parse(id));
            else if (rest.equals(DeletionMark.FILE)) marked.add(Ulid.parse(id));
        });
        String tenantKey = tenant + "/";
        markTimes.keySet().removeIf(k -> k.startsWith(tenantKey) && !whole.contains(Ulid.parse(k.substring(tenantKey.length()))));
        uploadTimes.keySet().removeIf(k -> k.startsWith(tenantKey) && !whole.contains(Ulid.parse(k.substring(tenantKey.length()))));
        long nowSec = clock.instant().getEpochSecond();
        List<Discovered> out = new ArrayList<>(whole.size());
        for (Ulid id : whole) {
            long deletionTime = marked.contains(id) ? markTime(tenant, id) : -1;
            if (deletionTime >= 0 && ignored(deletionTime, nowSec)) continue;
            Long uploaded = uploadTime(tenant, id);
            if (uploaded == null) continue; // deleted since the listing
            out.add(new Discovered(id, uploaded, deletionTime));
        }
        return out;
    }

    /**
     * When the block was marked: its own mark, else the one among the markers. A mark that cannot
     * be read counts as written now (the block stays in use), and is read again next time.
     */
    private long markTime(String tenant, Ulid id) {
        String key = tenant + "/" + id;
        Long cached = markTimes.get(key);
        if (cached != null) return cached;
        try {
            var mark = Markers.deletionMark(bucket, tenant, id);
            if (mark.isEmpty()) mark = Markers.globalDeletionMark(bucket, tenant, id);
            if (mark.isPresent()) {
                markTimes.put(key, mark.get().deletionTime());
                return mark.get().deletionTime();
            }
        } catch (IOException e) {
            log.warn("Tenant {}: reading the deletion mark of block {}: {}", tenant, id, e.toString());
        }
        return clock.instant().getEpochSecond();
    }

    private Long uploadTime(String tenant, Ulid id) throws IOException {
        String key = tenant + "/" + id;
        Long cached = uploadTimes.get(key);
        if (cached != null) return cached;
        try {
            long at = bucket.attributes(BucketLayout.object(tenant, id, BucketLayout.META)).lastModified().toEpochMilli();
            uploadTimes.put(key, at);
            return at;
        } catch (IOException e) {
            if (Bucket.isObjNotFound(e)) return null;
            throw e;
        }
    }
}
