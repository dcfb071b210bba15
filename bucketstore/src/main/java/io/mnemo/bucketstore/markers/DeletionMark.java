package io.mnemo.bucketstore.markers;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mnemo.tsdb.block.Ulid;

/**
 * A block's {@code deletion-mark.json} (Thanos's and Mimir's {@code DeletionMark}): the block is
 * replaced or past retention and goes after the deletion delay, counted from
 * {@code deletion_time}. Until then queriers and store-gateways may still read it, so no running
 * query sees it vanish.
 *
 * <pre>
 * {"id": "&lt;ULID&gt;", "version": 1, "details": "...", "deletion_time": &lt;unix seconds&gt;}   details only when not empty
 * </pre>
 *
 * @param deletionTime unix seconds
 * @param details      why, for people; "" for none
 */
public record DeletionMark(Ulid id, long deletionTime, String details) implements Marker {
    /** The file name, in the block's directory and, prefixed by the ULID and '-', among the tenant's markers. */
    public static final String FILE = "deletion-mark.json";
    public static final int VERSION = 1;

    public DeletionMark {
        if (details == null) details = "";
    }

    @Override
    public String file() { return FILE; }

    @Override
    public byte[] encode() {
        ObjectNode o = MarkerJson.object();
        o.put("id", id.toString());
        o.put("version", VERSION);
        if (!details.isEmpty()) o.put("details", details);
        o.put("deletion_time", deletionTime);
        return MarkerJson.bytes(o);
    }

    /**
     * Parses a deletion mark.
     *
     * @throws IllegalArgumentException if it is not one, or of another version
     */
    public static DeletionMark decode(byte[] bytes) {
        JsonNode o = MarkerJson.parse(bytes, FILE);
        MarkerJson.checkVersion(o, VERSION, FILE);
        return new DeletionMark(MarkerJson.ulid(o, "id", FILE), MarkerJson.integer(o, "deletion_time", FILE),
                o.path("details").asText(""));
    }
}
