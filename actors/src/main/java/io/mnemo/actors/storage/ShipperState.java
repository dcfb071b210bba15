package io.mnemo.actors.storage;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Iterator;
import java.util.Map;
import java.util.TreeMap;

/**
 * The shipper's state file: which of an ingester's blocks are in the bucket, and since when (Mimir's
 * {@code mimir.shipper.json}; Thanos's {@code thanos.shipper.json} lists the blocks without the
 * time, which Mimir's retention needs). A restart reads it, so a block is neither uploaded twice
 * nor forgotten. Written whole to a temporary file, forced to disk and renamed over the old one.
 *
 * <pre>
 * {
 *   "version": 1,
 *   "shipped": { "&lt;tenant&gt;/&lt;block ULID&gt;": &lt;unix time in ms it was found in the bucket&gt;, ... }
 * }
 * </pre>
 *
 * Keys are the blocks' prefixes in the bucket ({@link io.mnemo.bucketstore.BucketLayout#block}). A version other than
 * 1 is refused.
 */
public final class ShipperState {
    public static final int VERSION = 1;
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private ShipperState() {}

    /**
     * The blocks shipped, by bucket prefix, with the time they were shipped; empty when there is no
     * file yet.
     *
     * @throws IOException when the file cannot be read or is not one this build reads
     */
    public static Map<String, Long> read(Path file) throws IOException {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            return new TreeMap<>();
        }
        JsonNode root;
        try {
            root = JSON.readTree(bytes);
        } catch (IOException e) {
            throw new IOException(file + " is not JSON: " + e.getMessage(), e);
        }
        if (root == null || root.path("version").asInt(-1) != VERSION) {
            throw new IOException(file + ": version " + (root == null ? "missing" : root.path("version")) + " unknown (this build reads "
                    + VERSION + ")");
        }
        Map<String, Long> shipped = new TreeMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = root.path("shipped").fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (!e.getValue().isIntegralNumber()) throw new IOException(file + ": shipped time of " + e.getKey() + " is not a number");
            shipped.put(e.getKey(), e.getValue().asLong());
        }
        return shipped;
    }

    /** Replaces the file with these blocks, atomically. */
    public static void write(Path file, Map<String, Long> shipped) throws IOException {
        ObjectNode root = JSON.createObjectNode();
        root.put("version", VERSION);
        ObjectNode s = root.putObject("shipped");
        new TreeMap<>(shipped).forEach(s::put);
        Files.createDirectories(file.getParent());
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.write(tmp, JSON.writeValueAsBytes(root));
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
            ch.force(true);
        }
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        try (FileChannel dir = FileChannel.open(file.getParent(), StandardOpenOption.READ)) {
            dir.force(true);
        }
    }
}
