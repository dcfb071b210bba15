package io.mnemo.objstore;

import java.nio.charset.StandardCharsets;
import java.util.Comparator;

/**
 * The rules every object name passes before a bucket touches anything, and the order in which
 * buckets list names.
 *
 * <p>A name is a relative '/'-separated path: no leading or trailing '/', no empty segment, no
 * "." or ".." segment, no control character or '\' (a path separator elsewhere), at most 1,024
 * bytes of UTF-8 (S3's limit on keys). Callers derive names from tenant ids and block ULIDs;
 * these rules make sure that whatever they derive stays inside the bucket, on a filesystem too.
 */
public final class ObjectNames {
    /** The separator of a name's segments. */
    public static final char DELIMITER = '/';
    /** S3's limit on a key. */
    public static final int MAX_BYTES = 1024;

    /** Ascending Unicode code points: S3's order, that of the UTF-8 bytes ({@link String#compareTo} differs past U+FFFF). */
    public static final Comparator<String> ORDER = ObjectNames::compare;

    private ObjectNames() {}

    /**
     * Returns {@code name} if it is a valid object name.
     *
     * @throws IllegalArgumentException naming the name and the rule it breaks
     */
    public static String check(String name) {
        String problem = problem(name);
        if (problem != null) throw new IllegalArgumentException("invalid object name \"" + printable(name) + "\": " + problem);
        return name;
    }

    /**
     * The prefix a listing of directory {@code dir} covers: "" for the root ("" as {@code dir}),
     * else the directory's name with one trailing '/' ("a" and "a/" both give "a/").
     *
     * @throws IllegalArgumentException when the directory's name (without its '/') is not a valid name
     */
    public static String dirPrefix(String dir) {
        if (dir == null) throw new IllegalArgumentException("directory name is null");
        if (dir.isEmpty()) return "";
        String bare = dir.charAt(dir.length() - 1) == DELIMITER ? dir.substring(0, dir.length() - 1) : dir;
        String problem = problem(bare);
        if (problem != null) throw new IllegalArgumentException("invalid directory name \"" + printable(dir) + "\": " + problem);
        return bare + DELIMITER;
    }

    /** What is wrong with {@code name}, or null when it is a valid object name. */
    static String problem(String name) {
        if (name == null) return "it is null";
        if (name.isEmpty()) return "it is empty";
        if (name.charAt(0) == DELIMITER) return "it starts with '/'";
        if (name.charAt(name.length() - 1) == DELIMITER) return "it ends with '/'";
        int segmentStart = 0;
        for (int i = 0; i <= name.length(); i++) {
            if (i == name.length() || name.charAt(i) == DELIMITER) {
                int len = i - segmentStart;
                if (len == 0) return "it has an empty segment ('//')";
                if (len == 1 && name.charAt(segmentStart) == '.') return "it has a '.' segment";
                if (len == 2 && name.charAt(segmentStart) == '.' && name.charAt(segmentStart + 1) == '.') {
                    return "it has a '..' segment";
                }
                segmentStart = i + 1;
                continue;
            }
            char c = name.charAt(i);
            if (c < 0x20 || c == 0x7f) return "it has a control character";
            if (c == '\\') return "it has a '\\'";
        }
        if (name.length() > MAX_BYTES / 3 && name.getBytes(StandardCharsets.UTF_8).length > MAX_BYTES) {
            return "it is longer than " + MAX_BYTES + " bytes of UTF-8";
        }
        return null;
    }

    static int compare(String a, String b) {
        int i = 0;
        int j = 0;
        while (i < a.length() && j < b.length()) {
            int ca = a.codePointAt(i);
            int cb = b.codePointAt(j);
            if (ca != cb) return Integer.compare(ca, cb);
            i += Character.charCount(ca);
            j += Character.charCount(cb);
        }
        return Integer.compare(a.length() - i, b.length() - j);
    }

    /** The name as it can be shown in an error: control characters escaped, long names cut. */
    private static String printable(String name) {
        if (name == null) return "null";
        StringBuilder b = new StringBuilder(Math.min(name.length(), 200) + 8);
        for (int i = 0; i < name.length() && b.length() < 200; i++) {
            char c = name.charAt(i);
            if (c < 0x20 || c == 0x7f) b.append(String.format("\\u%04x", (int) c));
            else b.append(c);
        }
        if (b.length() >= 200) b.append("...");
        return b.toString();
    }
}
