package io.mnemo.actors;

/**
 * Mimir's tenant id rules, in one place for every door a tenant id comes through: the HTTP
 * header ({@code X-Scope-OrgID}) and the key of every ingest record, which anyone who reaches
 * Kafka can write. A valid id is safe as one path segment: at most 150 characters of
 * {@code [a-zA-Z0-9!-_.*'()]}, and not "." or "..".
 */
public final class TenantId {
    public static final int MAX_LENGTH = 150;

    /** Why an id is refused, with the reason label it is counted under. */
    public enum Problem {
        EMPTY("tenant-empty"),
        UNSUPPORTED_CHARACTER("tenant-unsupported-character"),
        TOO_LONG("tenant-too-long"),
        UNSAFE_PATH("tenant-unsafe-path");

        public final String label;

        Problem(String label) {
            this.label = label;
        }
    }

    private TenantId() {}

    /** What is wrong with an id, or null when it is valid. Checked in Mimir's order. */
    public static Problem problem(String tenant) {
        if (tenant == null || tenant.isEmpty()) return Problem.EMPTY;
        for (int i = 0; i < tenant.length(); i++) if (!supported(tenant.charAt(i))) return Problem.UNSUPPORTED_CHARACTER;
        if (tenant.length() > MAX_LENGTH) return Problem.TOO_LONG;
        if (tenant.equals(".") || tenant.equals("..")) return Problem.UNSAFE_PATH;
        return null;
    }

    /** Mimir's message for an invalid id, or null when it is valid. */
    public static String validate(String tenant) {
        Problem p = problem(tenant);
        if (p == null) return null;
        return switch (p) {
            case EMPTY -> "tenant ID is empty";
            case UNSUPPORTED_CHARACTER -> "tenant ID '" + tenant + "' contains unsupported character '"
                    + firstUnsupported(tenant) + "'";
            case TOO_LONG -> "tenant ID is too long: max " + MAX_LENGTH + " characters";
            case UNSAFE_PATH -> "tenant ID is '.' or '..'";
        };
    }

    private static char firstUnsupported(String tenant) {
        for (int i = 0; i < tenant.length(); i++) if (!supported(tenant.charAt(i))) return tenant.charAt(i);
        throw new IllegalArgumentException("no unsupported character in " + tenant);
    }

    private static boolean supported(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || "!-_.*'()".indexOf(c) >= 0;
    }
}
