package io.mnemo.bucketstore.markers;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mnemo.tsdb.block.Ulid;
import java.io.IOException;

/** The JSON the marks share: compact, as Go's encoding/json writes it, and strict about types. */
final class MarkerJson {
    private static final ObjectMapper JSON = new ObjectMapper();

    private MarkerJson() {}

    static ObjectNode object() {
        return JSON.createObjectNode();
    }

    static byte[] bytes(ObjectNode o) {
        try {
            return JSON.writeValueAsBytes(o);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    static JsonNode parse(byte[] bytes, String what) {
        JsonNode o;
        try {
            o = JSON.readTree(bytes);
        } catch (IOException e) {
            throw new IllegalArgumentException(what + " is not JSON: " + e.getMessage());
        }
        if (o == null || !o.isObject()) throw new IllegalArgumentException(what + " is not a JSON object");
        return o;
    }

    static void checkVersion(JsonNode o, int version, String what) {
        long v = integer(o, "version", what);
        if (v != version) throw new IllegalArgumentException(what + " version " + v + " unknown (this build reads " + version + ")");
    }

    static long integer(JsonNode o, String field, String what) {
        JsonNode n = o.path(field);
        if (!n.isIntegralNumber() || !n.canConvertToLong()) {
            throw new IllegalArgumentException(what + " field " + field + " is not an integer: " + n);
        }
        return n.asLong();
    }

    static Ulid ulid(JsonNode o, String field, String what) {
        String s = o.path(field).asText("");
        if (!Ulid.isValid(s)) throw new IllegalArgumentException(what + " field " + field + " is not a ULID: '" + s + "'");
        return Ulid.parse(s);
    }
}
