package io.mnemo.persistence;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Maps a persistence id (e.g. {@code ingester|zone-a|3}) to the name of its directory under a
 * plugin's root.
 *
 * <p>Names are percent-encoded UTF-8: letters, digits, {@code -} and {@code _} stay, {@code .}
 * stays unless it leads the name (so no id becomes {@code .} or {@code ..}), everything else is
 * {@code %XX}. The encoding is injective and reversible. Ids whose encoding would exceed what file
 * systems allow are shortened to a prefix plus a SHA-256 of the id; for those the id is stored in
 * a {@value #ID_FILE} file inside the directory and checked on every use, so a hash collision can
 * never mix two ids' data.
 */
public final class PersistenceIdDirectory {

    /** File holding the full persistence id of a directory whose name was shortened. */
    public static final String ID_FILE = "persistence-id";

    private static final int MAX_NAME_LENGTH = 200;
    private static final int HASHED_PREFIX_LENGTH = 100;
    private static final char HASH_SEPARATOR = '~';

    private PersistenceIdDirectory() {
    }

    /** The directory name for {@code persistenceId}. */
    public static String name(String persistenceId) {
        if (persistenceId == null || persistenceId.isEmpty()) {
            throw new IllegalArgumentException("persistence id must not be empty");
        }
        String encoded = encode(persistenceId);
        if (encoded.length() <= MAX_NAME_LENGTH) {
            return encoded;
        }
        return encoded.substring(0, HASHED_PREFIX_LENGTH) + HASH_SEPARATOR + sha256(persistenceId);
    }

    /** The persistence id of a directory name produced by {@link #name}, or null if it was shortened. */
    public static String decode(String name) {
        if (name.indexOf(HASH_SEPARATOR) >= 0) {
            return null;
        }
        byte[] out = new byte[name.length()];
        int n = 0;
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c == '%') {
                if (i + 2 >= name.length()) {
                    throw new IllegalArgumentException("not an encoded persistence id: " + name);
                }
                out[n++] = (byte) Integer.parseInt(name, i + 1, i + 3, 16);
                i += 2;
            } else {
                out[n++] = (byte) c;
            }
        }
        return new String(out, 0, n, StandardCharsets.UTF_8);
    }

    /** The directory of {@code persistenceId} under {@code root}; nothing is created. */
    public static Path resolve(Path root, String persistenceId) {
        return root.resolve(name(persistenceId));
    }

    /**
     * Creates (if needed) the directory of {@code persistenceId} under {@code root} and makes its
     * entry durable. For shortened names, records or verifies the {@value #ID_FILE} mapping.
     */
    public static Path create(Path root, String persistenceId) throws IOException {
        Path dir = resolve(root, persistenceId);
        boolean created = false;
        if (!Files.isDirectory(dir)) {
            Files.createDirectories(dir);
            created = true;
        }
        if (decode(dir.getFileName().toString()) == null) {
            Path idFile = dir.resolve(ID_FILE);
            if (Files.exists(idFile)) {
                verify(dir, persistenceId);
            } else {
                DurableFiles.writeAtomically(idFile, persistenceId.getBytes(StandardCharsets.UTF_8));
            }
        }
        if (created) {
            DurableFiles.syncDirectory(root);
        }
        return dir;
    }

    /**
     * Fails if {@code dir} is a shortened directory that belongs to another persistence id (a
     * SHA-256 prefix collision). Plain encoded names are unambiguous and need no check.
     */
    public static void verify(Path dir, String persistenceId) throws IOException {
        Path idFile = dir.resolve(ID_FILE);
        if (decode(dir.getFileName().toString()) == null && Files.exists(idFile)) {
            String stored = Files.readString(idFile, StandardCharsets.UTF_8);
            if (!stored.equals(persistenceId)) {
                throw new IOException("directory " + dir + " belongs to persistence id [" + stored
                        + "], not [" + persistenceId + "]");
            }
        }
    }

    private static String encode(String persistenceId) {
        byte[] utf8 = persistenceId.getBytes(StandardCharsets.UTF_8);
        StringBuilder sb = new StringBuilder(utf8.length + 8);
        for (int i = 0; i < utf8.length; i++) {
            int b = utf8[i] & 0xff;
            boolean plain = (b >= 'a' && b <= 'z') || (b >= 'A' && b <= 'Z') || (b >= '0' && b <= '9')
                    || b == '-' || b == '_' || (b == '.' && i > 0);
            if (plain) {
                sb.append((char) b);
            } else {
                sb.append('%').append(Character.toUpperCase(Character.forDigit(b >> 4, 16)))
                        .append(Character.toUpperCase(Character.forDigit(b & 0xf, 16)));
            }
        }
        return sb.toString();
    }

    private static String sha256(String s) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            return HexFormat.of().formatHex(md.digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required by every JVM", e);
        }
    }
}
