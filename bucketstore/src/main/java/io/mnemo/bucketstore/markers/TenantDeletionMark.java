package io.mnemo.bucketstore.markers;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A tenant's {@code markers/tenant-deletion-mark.json} (Mimir's {@code TenantDeletionMark}): the
 * tenant is deleted. The compactor compacts none of its blocks, and its cleaner deletes all of
 * them, then sets {@code finished_time}.
 *
 * <pre>
 * {"deletion_time": &lt;unix seconds&gt;, "finished_time": &lt;unix seconds&gt;}   finished_time only once set
 * </pre>
 *
 * @param deletionTime unix seconds, when the tenant was deleted
 * @param finishedTime unix seconds, when the cleaner last deleted its blocks; 0 while not finished
 */
public record TenantDeletionMark(long deletionTime, long finishedTime) {
    public static final String FILE = "tenant-deletion-mark.json";

    public TenantDeletionMark finishedAt(long unixSeconds) {
        return new TenantDeletionMark(deletionTime, unixSeconds);
    }

    public byte[] encode() {
        ObjectNode o = MarkerJson.object();
        o.put("deletion_time", deletionTime);
        if (finishedTime != 0) o.put("finished_time", finishedTime);
        return MarkerJson.bytes(o);
    }

    /** @throws IllegalArgumentException if it is not one */
    public static TenantDeletionMark decode(byte[] bytes) {
        JsonNode o = MarkerJson.parse(bytes, FILE);
        return new TenantDeletionMark(MarkerJson.integer(o, "deletion_time", FILE),
                o.has("finished_time") ? MarkerJson.integer(o, "finished_time", FILE) : 0);
    }
}
