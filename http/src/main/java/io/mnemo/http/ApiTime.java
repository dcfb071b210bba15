package io.mnemo.http;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;

/** Parses times and durations the way Prometheus's HTTP API does. */
final class ApiTime {
    // Prometheus's API bounds for "no start" / "no end" (math.MinInt64/4, math.MaxInt64/4 in ms).
    static final long MIN_TIME = Long.MIN_VALUE / 4 / 1000 * 1000;
    static final long MAX_TIME = Long.MAX_VALUE / 4 / 1000 * 1000;

    private ApiTime() {}

    /** Unix seconds (with fraction) or RFC 3339; returns milliseconds. */
    static long parseTime(String name, String s, long dflt) {
        if (s == null) return dflt;
        try {
            BigDecimal secs = new BigDecimal(s);
            return secs.movePointRight(3).setScale(0, java.math.RoundingMode.HALF_EVEN).longValueExact();
        } catch (NumberFormatException | ArithmeticException ignored) {
            // fall through to RFC 3339
        }
        try {
            return OffsetDateTime.parse(s).toInstant().toEpochMilli();
        } catch (DateTimeParseException e) {
            throw new ApiException(ApiException.BAD_DATA, "invalid parameter \"" + name + "\": cannot parse \"" + s + "\" to a valid timestamp");
        }
    }

    /** Seconds (with fraction) or a Prometheus duration such as 15s or 1h30m; returns milliseconds. */
    static long parseDuration(String name, String s) {
        try {
            BigDecimal secs = new BigDecimal(s);
            long ms = secs.movePointRight(3).setScale(0, java.math.RoundingMode.HALF_EVEN).longValueExact();
            return ms;
        } catch (NumberFormatException | ArithmeticException ignored) {
            // fall through
        }
        long ms = parsePromDuration(s);
        if (ms < 0) throw new ApiException(ApiException.BAD_DATA,
                "invalid parameter \"" + name + "\": cannot parse \"" + s + "\" to a valid duration");
        return ms;
    }

    /** Prometheus duration syntax ({@code 1y2w3d4h5m6s7ms}); -1 when invalid. */
    static long parsePromDuration(String s) {
        if (s.isEmpty()) return -1;
        long total = 0;
        int i = 0;
        while (i < s.length()) {
            int start = i;
            while (i < s.length() && Character.isDigit(s.charAt(i))) i++;
            if (i == start) return -1;
            long n = Long.parseLong(s.substring(start, i));
            int u = i;
            while (i < s.length() && Character.isLetter(s.charAt(i))) i++;
            long unit = switch (s.substring(u, i)) {
                case "ms" -> 1L;
                case "s" -> 1000L;
                case "m" -> 60_000L;
                case "h" -> 3_600_000L;
                case "d" -> 86_400_000L;
                case "w" -> 604_800_000L;
                case "y" -> 31_536_000_000L;
                default -> -1L;
            };
            if (unit < 0) return -1;
            total += n * unit;
        }
        return total;
    }

    static long now() {
        return Instant.now().toEpochMilli();
    }
}
