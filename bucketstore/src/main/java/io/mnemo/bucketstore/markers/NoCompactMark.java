package io.mnemo.bucketstore.markers;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mnemo.tsdb.block.Ulid;

/**
 * A block's {@code no-compact-mark.json} (Thanos's and Mimir's {@code NoCompactMark}): the
 * compactor leaves the block out of every plan, vertical and horizontal, and carries on with the
 * rest. Queriers and store-gateways still serve it.
 *
 * <pre>
 * {"id": "&lt;ULID&gt;", "version": 1, "details": "...", "no_compact_time": &lt;unix seconds&gt;, "reason": "critical"}
 * </pre>
 *
 * @param noCompactTime unix seconds
 * @param reason        one of Thanos's reasons, e.g. {@link #CRITICAL}
 * @param details       for people; "" for none
 */
public record NoCompactMark(Ulid id, long noCompactTime, String reason, String details) implements Marker {
    public static final String FILE = "no-compact-mark.json";
    public static final int VERSION = 1;
    /** Thanos's reason for a block with a critical issue, e.g. a corrupt index or chunk. */
    public static final String CRITICAL = "critical";
    /** Thanos's reason for a block an operator excluded. */
    public static final String MANUAL = "manual";

    public NoCompactMark {
        if (reason == null) reason = "";
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
        o.put("no_compact_time", noCompactTime);
        o.put("reason", reason);
        return MarkerJson.bytes(o);
    }

    /**
     * Parses a no-compact mark.
     *
     * @throws IllegalArgumentException if it is not one, or of another version
     */
    public static NoCompactMark decode(byte[] bytes) {
        JsonNode o = MarkerJson.parse(bytes, FILE);
        MarkerJson.checkVersion(o, VERSION, FILE);
        return new NoCompactMark(MarkerJson.ulid(o, "id", FILE), MarkerJson.integer(o, "no_compact_time", FILE),
                o.path("reason").asText(""), o.path("details").asText(""));
    }
}
