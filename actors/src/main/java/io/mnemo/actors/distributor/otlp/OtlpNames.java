package io.mnemo.actors.distributor.otlp;

import io.mnemo.actors.OtelTranslationStrategy;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * OTLP metric and attribute names as Prometheus names, the way Prometheus 3's OTLP receiver makes
 * them (the OpenTelemetry "Prometheus and OpenMetrics compatibility" rules): with escaping, a name
 * is cut into tokens at every character outside {@code [a-zA-Z0-9:]} and joined with underscores;
 * with suffixes, the unit is spelled out ({@code s} becomes {@code seconds}, {@code By/s}
 * {@code bytes_per_second}; units in braces are annotations and add nothing) unless the name has
 * it already, monotonic sums end in {@code _total} and gauges of unit {@code 1} in
 * {@code _ratio}. A name starting with a digit gets a leading underscore. Attribute names keep only
 * {@code [a-zA-Z0-9_]} (others become underscores) and get a {@code key} prefix when they would
 * start with a digit or a single underscore. Without escaping (UTF-8 names) everything is kept as
 * sent. Stateless.
 */
public final class OtlpNames {
    /** What the metric is, for its suffixes. */
    public enum Kind { COUNTER, GAUGE, NON_MONOTONIC_SUM, HISTOGRAM, EXPONENTIAL_HISTOGRAM, SUMMARY }

    private static final Map<String, String> UNITS = Map.ofEntries(
            Map.entry("d", "days"), Map.entry("h", "hours"), Map.entry("min", "minutes"), Map.entry("s", "seconds"),
            Map.entry("ms", "milliseconds"), Map.entry("us", "microseconds"), Map.entry("ns", "nanoseconds"),
            Map.entry("By", "bytes"), Map.entry("KiBy", "kibibytes"), Map.entry("MiBy", "mebibytes"),
            Map.entry("GiBy", "gibibytes"), Map.entry("TiBy", "tibibytes"), Map.entry("KBy", "kilobytes"),
            Map.entry("MBy", "megabytes"), Map.entry("GBy", "gigabytes"), Map.entry("TBy", "terabytes"),
            Map.entry("m", "meters"), Map.entry("V", "volts"), Map.entry("A", "amperes"), Map.entry("J", "joules"),
            Map.entry("W", "watts"), Map.entry("g", "grams"), Map.entry("Cel", "celsius"), Map.entry("Hz", "hertz"),
            Map.entry("1", ""), Map.entry("%", "percent"));
    private static final Map<String, String> PER_UNITS = Map.of("s", "second", "m", "minute", "h", "hour",
            "d", "day", "w", "week", "mo", "month", "y", "year");

    private OtlpNames() {}

    /** The Prometheus name of a metric. */
    public static String metricName(String name, String unit, Kind kind, OtelTranslationStrategy strategy) {
        if (strategy.escapes()) return strategy.addsSuffixes() ? normalized(name, unit, kind) : escaped(name);
        return strategy.addsSuffixes() ? withSuffixes(name, unit, kind) : name;
    }

    /** The unit as metadata shows it: the unit words the name got (seconds, bytes_per_second); "" for none. */
    public static String unit(String unit) {
        String main = mainUnit(unit), per = perUnit(unit);
        if (main.isEmpty()) return per;
        return per.isEmpty() ? main : main + "_" + per;
    }

    /** The Prometheus name of an attribute. */
    public static String labelName(String name, OtelTranslationStrategy strategy) {
        if (!strategy.escapes() || name.isEmpty()) return name;
        StringBuilder b = new StringBuilder(name.length() + 4);
        name.codePoints().forEach(c -> b.append(c < 128 && (Character.isLetterOrDigit(c) || c == '_') ? (char) c : '_'));
        char first = b.charAt(0);
        if (first >= '0' && first <= '9') return "key_" + b;
        if (first == '_' && (b.length() < 2 || b.charAt(1) != '_')) return "key" + b;
        return b.toString();
    }

    // ---- UnderscoreEscapingWithSuffixes ------------------------------------------------------

    private static String normalized(String name, String unit, Kind kind) {
        List<String> tokens = tokens(name, false);
        String main = mainUnit(unit);
        if (!main.isEmpty() && !tokens.contains(main)) tokens.add(main);
        String per = perUnitWord(unit);
        if (!per.isEmpty() && !tokens.contains(per)) {
            tokens.add("per");
            tokens.add(per);
        }
        if (kind == Kind.COUNTER) {
            tokens.removeIf("total"::equals);
            tokens.add("total");
        }
        if (kind == Kind.GAUGE && "1".equals(unit)) {
            tokens.removeIf("ratio"::equals);
            tokens.add("ratio");
        }
        return leadingDigit(String.join("_", tokens));
    }

    // ---- UnderscoreEscapingWithoutSuffixes ---------------------------------------------------

    private static String escaped(String name) {
        return leadingDigit(String.join("_", tokens(name, true)));
    }

    // ---- NoUTF8EscapingWithSuffixes -----------------------------------------------------------

    private static String withSuffixes(String name, String unit, Kind kind) {
        String main = mainUnit(unit);
        if (!main.isEmpty() && !name.endsWith(main)) name = name + "_" + main;
        String per = perUnit(unit);
        if (!per.isEmpty() && !name.endsWith(per)) name = name + "_" + per;
        if (kind == Kind.COUNTER && !name.endsWith("_total")) name = name + "_total";
        if (kind == Kind.GAUGE && "1".equals(unit) && !name.endsWith("_ratio")) name = name + "_ratio";
        return name;
    }

    // ---- shared -------------------------------------------------------------------------------

    /** Runs of characters a metric name may have ([a-zA-Z0-9:], and with {@code keepUnderscores} _). */
    private static List<String> tokens(String name, boolean keepUnderscores) {
        List<String> tokens = new ArrayList<>();
        int start = -1;
        for (int i = 0; i <= name.length(); i++) {
            boolean valid = i < name.length() && isMetricChar(name.charAt(i), keepUnderscores);
            if (valid && start < 0) start = i;
            if (!valid && start >= 0) {
                tokens.add(name.substring(start, i));
                start = -1;
            }
        }
        return tokens;
    }

    private static boolean isMetricChar(char c, boolean underscore) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == ':' || (underscore && c == '_');
    }

    private static String leadingDigit(String name) {
        return !name.isEmpty() && name.charAt(0) >= '0' && name.charAt(0) <= '9' ? "_" + name : name;
    }

    /** The unit before any "/", spelled out and cleaned up; "" for none or an annotation in braces. */
    private static String mainUnit(String unit) {
        int slash = unit.indexOf('/');
        String main = (slash < 0 ? unit : unit.substring(0, slash)).trim();
        if (main.isEmpty() || main.indexOf('{') >= 0 || main.indexOf('}') >= 0) return "";
        return cleanUp(UNITS.getOrDefault(main, main));
    }

    /** "per_" and the unit after the "/", or "". */
    private static String perUnit(String unit) {
        String word = perUnitWord(unit);
        return word.isEmpty() ? "" : "per_" + word;
    }

    private static String perUnitWord(String unit) {
        int slash = unit.indexOf('/');
        if (slash < 0) return "";
        String per = unit.substring(slash + 1).trim();
        if (per.isEmpty() || per.indexOf('{') >= 0 || per.indexOf('}') >= 0) return "";
        return cleanUp(PER_UNITS.getOrDefault(per, per));
    }

    /** Characters outside [a-zA-Z0-9:] become one underscore per run; no leading underscore. */
    private static String cleanUp(String unit) {
        StringBuilder b = new StringBuilder(unit.length());
        for (int i = 0; i < unit.length(); i++) {
            char c = unit.charAt(i);
            if (isMetricChar(c, false)) b.append(c);
            else if (b.isEmpty() || b.charAt(b.length() - 1) != '_') b.append('_');
        }
        while (!b.isEmpty() && b.charAt(0) == '_') b.deleteCharAt(0);
        return b.toString();
    }
}
