package io.mnemo.tsdb.db;

import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Mnemo's file beside a block's own, {@value #FILE} (Prometheus and its tools ignore files they
 * do not know): the block's origin, which the owner of the {@link TenantDb} that cut it gives
 * each cut ({@link CutHook#origin}; an ingester's is its zone, partition and Kafka offsets), and
 * whether the block holds out-of-order samples of ranges cut already. The database writes it
 * inside the block directory before the directory gets its name, so it appears with the block.
 *
 * <pre>
 * sidecar = *line
 * line    = key "=" value LF
 * key     = 1*(ALPHA / DIGIT / "." / "_" / "-")        ; unique
 * value   = *(any UTF-8 character except CR and LF)    ; taken as it is, no escapes
 *
 * version=1          first; files written before the sidecar had a version lack it: version 1
 * outOfOrder=true    last, only in a block of out-of-order samples ("true" or absent)
 * any other key      an origin field, in the order the owner gave them
 * </pre>
 *
 * A version newer than {@link #VERSION} is refused: its fields may mean something else.
 */
public final class BlockSidecar {
    public static final String FILE = "mnemo.properties";
    public static final int VERSION = 1;
    private static final String VERSION_KEY = "version";
    private static final String OUT_OF_ORDER_KEY = "outOfOrder";
    private static final Pattern KEY = Pattern.compile("[A-Za-z0-9._-]+");

    private final Map<String, String> origin;
    private final boolean outOfOrder;

    /**
     * @param origin the owner's fields, in the order to write them
     * @throws IllegalArgumentException for a key outside the grammar or reserved, or a value with
     *         a line break
     */
    public BlockSidecar(Map<String, String> origin, boolean outOfOrder) {
        for (Map.Entry<String, String> e : origin.entrySet()) {
            String key = e.getKey();
            if (!KEY.matcher(key).matches() || key.equals(VERSION_KEY) || key.equals(OUT_OF_ORDER_KEY)) {
                throw new IllegalArgumentException("not a block origin field name: '" + key + "'");
            }
            if (e.getValue().indexOf('\n') >= 0 || e.getValue().indexOf('\r') >= 0) {
                throw new IllegalArgumentException("block origin field " + key + " has a line break");
            }
        }
        this.origin = Collections.unmodifiableMap(new LinkedHashMap<>(origin));
        this.outOfOrder = outOfOrder;
    }

    /** The owner's fields, in file order. */
    public Map<String, String> origin() { return origin; }

    /** Whether the block holds out-of-order samples of ranges cut already (it overlaps other blocks). */
    public boolean outOfOrder() { return outOfOrder; }

    /** The file's bytes. */
    public byte[] encode() {
        StringBuilder b = new StringBuilder(128).append(VERSION_KEY).append('=').append(VERSION).append('\n');
        origin.forEach((k, v) -> b.append(k).append('=').append(v).append('\n'));
        if (outOfOrder) b.append(OUT_OF_ORDER_KEY).append("=true\n");
        return b.toString().getBytes(StandardCharsets.UTF_8);
    }

    /**
     * The sidecar of a block directory; empty when it has none (a block some other tool wrote).
     *
     * @throws IOException if it cannot be read, is not in the grammar, or has a newer version
     */
    public static Optional<BlockSidecar> read(Path blockDir) throws IOException {
        Path f = blockDir.resolve(FILE);
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(f);
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
        try {
            return Optional.of(decode(bytes));
        } catch (IllegalArgumentException e) {
            throw new IOException(f + ": " + e.getMessage());
        }
    }

    /** @throws IllegalArgumentException if the bytes are not in the grammar, or of a newer version */
    public static BlockSidecar decode(byte[] bytes) {
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(java.nio.ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw new IllegalArgumentException("not UTF-8");
        }
        Map<String, String> origin = new LinkedHashMap<>();
        boolean outOfOrder = false;
        int lineNo = 0;
        for (int at = 0; at < text.length(); ) {
            lineNo++;
            int end = text.indexOf('\n', at);
            if (end < 0) throw new IllegalArgumentException("line " + lineNo + " does not end with a line feed");
            String line = text.substring(at, end);
            at = end + 1;
            int eq = line.indexOf('=');
            String key = eq < 0 ? "" : line.substring(0, eq);
            String value = line.substring(eq + 1);
            if (!KEY.matcher(key).matches() || value.indexOf('\r') >= 0) {
                throw new IllegalArgumentException("line " + lineNo + " is not key=value");
            }
            if (key.equals(VERSION_KEY)) {
                if (lineNo != 1) throw new IllegalArgumentException("the version is not on the first line");
                if (!value.equals(Integer.toString(VERSION))) {
                    throw new IllegalArgumentException("sidecar version " + value + " unknown (this build reads "
                            + VERSION + ")");
                }
            } else if (key.equals(OUT_OF_ORDER_KEY)) {
                if (!value.equals("true")) throw new IllegalArgumentException("outOfOrder is '" + value + "', not true");
                outOfOrder = true;
            } else if (origin.put(key, value) != null) {
                throw new IllegalArgumentException("field " + key + " appears twice");
            }
        }
        return new BlockSidecar(origin, outOfOrder);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof BlockSidecar s && s.outOfOrder == outOfOrder && s.origin.equals(origin);
    }

    @Override
    public int hashCode() { return origin.hashCode() * 31 + Boolean.hashCode(outOfOrder); }

    @Override
    public String toString() { return "BlockSidecar" + origin + (outOfOrder ? " out of order" : ""); }
}
