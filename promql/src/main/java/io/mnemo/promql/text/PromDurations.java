package io.mnemo.promql.text;

/**
 * Prometheus's duration literals ({@code 1h30m}, {@code 5m}, {@code 1y}, {@code 250ms}): units y w
 * d h m s ms, each at most once and in that order; a year is 365 days, a week 7 days.
 */
public final class PromDurations {
    private static final String[] UNITS = {"y", "w", "d", "h", "m", "s", "ms"};
    private static final long[] UNIT_MILLIS = {
        365L * 24 * 3600 * 1000, 7L * 24 * 3600 * 1000, 24L * 3600 * 1000, 3600L * 1000, 60L * 1000, 1000L, 1L};
    /** time.Duration counts nanoseconds in an int64: durations beyond it are out of range. */
    private static final long MAX_MILLIS = Long.MAX_VALUE / 1_000_000L;

    private PromDurations() {}

    /**
     * Parses a duration literal into milliseconds.
     *
     * @throws IllegalArgumentException with Prometheus's message for an invalid literal
     */
    public static long parseMillis(String s) {
        if (s.equals("0")) return 0;
        if (s.isEmpty()) throw new IllegalArgumentException("empty duration string");
        long total = 0;
        int lastUnit = -1;
        int i = 0;
        while (i < s.length()) {
            int digitsStart = i;
            while (i < s.length() && isDigit(s.charAt(i))) i++;
            if (i == digitsStart) throw notValid(s);
            long value;
            try {
                value = Long.parseLong(s.substring(digitsStart, i));
            } catch (NumberFormatException e) {
                throw notValid(s);
            }
            int unitStart = i;
            while (i < s.length() && !isDigit(s.charAt(i))) i++;
            if (i == unitStart) throw notValid(s);
            String unit = s.substring(unitStart, i);
            int u = unitIndex(unit);
            if (u < 0) {
                throw new IllegalArgumentException("unknown unit " + GoQuoting.quote(unit) + " in duration "
                        + GoQuoting.quote(s));
            }
            if (u <= lastUnit) throw notValid(s);
            lastUnit = u;
            if (value > MAX_MILLIS / UNIT_MILLIS[u]) throw new IllegalArgumentException("duration out of range");
            total += value * UNIT_MILLIS[u];
            if (total > MAX_MILLIS) throw new IllegalArgumentException("duration out of range");
        }
        return total;
    }

    /** Formats milliseconds the way Prometheus prints durations: years and weeks only when exact. */
    public static String format(long millis) {
        if (millis == 0) return "0s";
        StringBuilder sb = new StringBuilder();
        long ms = millis;
        if (ms < 0) {
            sb.append('-');
            ms = -ms;
        }
        for (int u = 0; u < UNITS.length; u++) {
            long mult = UNIT_MILLIS[u];
            boolean exactOnly = u < 2; // "90d" reads better than "12w6d"
            if (exactOnly && ms % mult != 0) continue;
            long v = ms / mult;
            if (v > 0) {
                sb.append(v).append(UNITS[u]);
                ms -= v * mult;
            }
        }
        return sb.toString();
    }

    private static int unitIndex(String unit) {
        for (int i = 0; i < UNITS.length; i++) if (UNITS[i].equals(unit)) return i;
        return -1;
    }

    private static IllegalArgumentException notValid(String s) {
        return new IllegalArgumentException("not a valid duration string: " + GoQuoting.quote(s));
    }

    private static boolean isDigit(char c) { return c >= '0' && c <= '9'; }
}
