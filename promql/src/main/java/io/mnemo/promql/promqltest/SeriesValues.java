package io.mnemo.promql.promqltest;

import io.mnemo.promql.parser.Literals;
import io.mnemo.tsdb.StaleNaN;
import io.mnemo.tsdb.histogram.FloatHistogram;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The value sequence of a series in a test script, expanded: {@code 1 2 3}, {@code 0+10x5} (six
 * values 0..50), {@code 10-2x3}, {@code 5x2} (three fives), {@code _} (missing), {@code _x3}
 * (three missing), {@code stale} (a staleness marker), {@code Inf}, {@code NaN}, and native
 * histograms: {@code {{schema:0 sum:5 count:4 buckets:[1 2 1]}}}, repeated ({@code {{...}}x3})
 * or growing ({@code {{...}}+{{...}}x3}, {@code {{...}}-{{...}}x3}).
 */
public final class SeriesValues {
    private final double[] values;
    private final boolean[] omitted;
    private final FloatHistogram[] histograms;
    private final boolean[] hintSet;

    private SeriesValues(double[] values, boolean[] omitted, FloatHistogram[] histograms, boolean[] hintSet) {
        this.values = values;
        this.omitted = omitted;
        this.histograms = histograms;
        this.hintSet = hintSet;
    }

    public int size() { return values.length; }
    public double value(int i) { return values[i]; }
    public boolean isOmitted(int i) { return omitted[i]; }
    /** The native histogram at i, or null for a float value. */
    public FloatHistogram histogram(int i) { return histograms[i]; }
    /** Whether the histogram at i names its counter reset hint explicitly. */
    public boolean counterResetHintSet(int i) { return hintSet[i]; }

    /** The expected value at i as text, for messages. */
    public String describe(int i) {
        FloatHistogram h = histogram(i);
        return h != null ? h.toString() : String.valueOf(values[i]);
    }

    /** @throws IllegalArgumentException for an item that is not part of the syntax */
    public static SeriesValues parse(String text) {
        Builder b = new Builder();
        for (String item : items(text)) parseItem(item, b);
        return b.build();
    }

    /** Splits at blanks, keeping histogram descriptions ({@code {{...}}}) whole. */
    private static List<String> items(String text) {
        List<String> out = new ArrayList<>();
        int i = 0;
        int n = text.length();
        while (i < n) {
            while (i < n && Character.isWhitespace(text.charAt(i))) i++;
            if (i >= n) break;
            int start = i;
            while (i < n && !Character.isWhitespace(text.charAt(i))) {
                if (text.startsWith("{{", i)) {
                    int close = text.indexOf("}}", i + 2);
                    if (close < 0) throw new IllegalArgumentException("unterminated histogram description " + text.substring(i));
                    i = close + 2;
                } else {
                    i++;
                }
            }
            out.add(text.substring(start, i));
        }
        return out;
    }

    private static void parseItem(String item, Builder b) {
        if (item.startsWith("{{")) {
            parseHistogramItem(item, b);
            return;
        }
        if (item.equals("_")) {
            b.addOmitted();
            return;
        }
        if (item.startsWith("_x")) {
            long n = Long.parseLong(item.substring(2));
            for (long i = 0; i < n; i++) b.addOmitted();
            return;
        }
        if (item.equals("stale")) {
            b.add(StaleNaN.VALUE);
            return;
        }
        Cursor c = new Cursor(item);
        double start = c.number();
        if (c.atEnd()) {
            b.add(start);
            return;
        }
        double increment = 0;
        if (c.peek() == '+' || c.peek() == '-') increment = c.number();
        if (c.atEnd() || c.peek() != 'x') throw new IllegalArgumentException("invalid series value " + item);
        c.pos++;
        long times = Long.parseLong(c.rest());
        // One value for time 0 plus one per repetition, by repeated addition like Prometheus.
        double v = start;
        for (long i = 0; i <= times; i++) {
            b.add(v);
            v += increment;
        }
    }

    private static void parseHistogramItem(String item, Builder b) {
        int close = item.indexOf("}}") + 2;
        Parsed base = histogram(item.substring(2, close - 2));
        String rest = item.substring(close);
        if (rest.isEmpty()) {
            b.addHistogram(base.histogram, base.hintSet);
            return;
        }
        if (rest.startsWith("x")) {
            long times = Long.parseLong(rest.substring(1));
            for (long i = 0; i <= times; i++) b.addHistogram(base.histogram, base.hintSet);
            return;
        }
        char op = rest.charAt(0);
        if ((op != '+' && op != '-') || !rest.startsWith("{{", 1)) throw new IllegalArgumentException("invalid series value " + item);
        int incClose = rest.indexOf("}}", 3) + 2;
        Parsed inc = histogram(rest.substring(3, incClose - 2));
        String times = rest.substring(incClose);
        if (!times.startsWith("x")) throw new IllegalArgumentException("invalid series value " + item);
        long n = Long.parseLong(times.substring(1));
        FloatHistogram cur = base.histogram;
        b.addHistogram(cur, inc.hintSet);
        for (long i = 1; i <= n; i++) {
            if (cur.schema() > inc.histogram.schema()) {
                throw new IllegalArgumentException("error combining histograms: cannot merge from schema "
                        + inc.histogram.schema() + " to " + cur.schema());
            }
            cur = cur.copy();
            if (op == '+') cur.add(inc.histogram);
            else cur.sub(inc.histogram);
            b.addHistogram(cur, inc.hintSet);
        }
    }

    private record Parsed(FloatHistogram histogram, boolean hintSet) {}

    /** Parses the inside of {@code {{...}}}: {@code key:value} pairs, lists in brackets. */
    static Parsed histogram(String desc) {
        Map<String, String> fields = new HashMap<>();
        int i = 0;
        int n = desc.length();
        while (i < n) {
            while (i < n && Character.isWhitespace(desc.charAt(i))) i++;
            if (i >= n) break;
            int colon = desc.indexOf(':', i);
            if (colon < 0) throw new IllegalArgumentException("invalid histogram description " + desc);
            String key = desc.substring(i, colon).strip();
            int v = colon + 1;
            while (v < n && Character.isWhitespace(desc.charAt(v))) v++;
            int end;
            if (v < n && desc.charAt(v) == '[') {
                end = desc.indexOf(']', v) + 1;
                if (end <= 0) throw new IllegalArgumentException("unterminated list in histogram description " + desc);
            } else {
                end = v;
                while (end < n && !Character.isWhitespace(desc.charAt(end))) end++;
            }
            if (fields.put(key, desc.substring(v, end)) != null) {
                throw new IllegalArgumentException("duplicate key \"" + key + "\" in histogram");
            }
            i = end;
        }
        int schema = fields.containsKey("schema") ? Integer.parseInt(fields.get("schema")) : 0;
        double sum = number(fields.getOrDefault("sum", "0"));
        double count = number(fields.getOrDefault("count", "0"));
        double zeroCount = number(fields.getOrDefault("z_bucket", "0"));
        double zeroThreshold = number(fields.getOrDefault("z_bucket_w", "0"));
        double[] custom = fields.containsKey("custom_values") ? list(fields.get("custom_values")) : null;
        double[] pos = fields.containsKey("buckets") ? list(fields.get("buckets")) : new double[0];
        double[] neg = fields.containsKey("n_buckets") ? list(fields.get("n_buckets")) : new double[0];
        int posOffset = fields.containsKey("offset") ? Integer.parseInt(fields.get("offset")) : 0;
        int negOffset = fields.containsKey("n_offset") ? Integer.parseInt(fields.get("n_offset")) : 0;
        String hintText = fields.get("counter_reset_hint");
        FloatHistogram.CounterResetHint hint = FloatHistogram.CounterResetHint.UNKNOWN;
        if (hintText != null) {
            hint = switch (hintText) {
                case "unknown" -> FloatHistogram.CounterResetHint.UNKNOWN;
                case "reset" -> FloatHistogram.CounterResetHint.COUNTER_RESET;
                case "not_reset" -> FloatHistogram.CounterResetHint.NOT_COUNTER_RESET;
                case "gauge" -> FloatHistogram.CounterResetHint.GAUGE;
                default -> throw new IllegalArgumentException("error parsing counter_reset_hint: unknown value " + hintText);
            };
        }
        int[] posSpans = pos.length == 0 ? new int[0] : new int[] {posOffset, pos.length};
        int[] negSpans = neg.length == 0 ? new int[0] : new int[] {negOffset, neg.length};
        return new Parsed(FloatHistogram.of(schema, zeroThreshold, zeroCount, count, sum, posSpans, pos, negSpans, neg, custom,
                hint), hintText != null);
    }

    private static double[] list(String bracketed) {
        String inner = bracketed.substring(1, bracketed.length() - 1).strip();
        if (inner.isEmpty()) return new double[0];
        String[] parts = inner.split("\\s+");
        double[] out = new double[parts.length];
        for (int i = 0; i < parts.length; i++) out[i] = number(parts[i]);
        return out;
    }

    private static double number(String text) {
        Cursor c = new Cursor(text);
        double v = c.number();
        if (!c.atEnd()) throw new IllegalArgumentException("invalid number " + text);
        return v;
    }

    /** Reads signed numbers ({@code -1.5e3}, {@code Inf}, {@code NaN}) off the front of an item. */
    private static final class Cursor {
        final String s;
        int pos;

        Cursor(String s) { this.s = s; }

        boolean atEnd() { return pos >= s.length(); }
        char peek() { return s.charAt(pos); }
        String rest() { return s.substring(pos); }

        double number() {
            int start = pos;
            if (!atEnd() && (peek() == '+' || peek() == '-')) pos++;
            for (String word : new String[] {"inf", "nan"}) {
                if (s.regionMatches(true, pos, word, 0, 3)) {
                    pos += 3;
                    return Literals.parseNumber(s.substring(start, pos));
                }
            }
            while (!atEnd()) {
                char c = peek();
                boolean exponentSign = (c == '+' || c == '-') && pos > start
                        && (s.charAt(pos - 1) == 'e' || s.charAt(pos - 1) == 'E');
                if (Character.isDigit(c) || c == '.' || c == '_' || c == 'e' || c == 'E' || exponentSign) pos++;
                else break;
            }
            String text = s.substring(start, pos);
            String sign = text.startsWith("-") ? "-" : "";
            String body = text.startsWith("-") || text.startsWith("+") ? text.substring(1) : text;
            double v = Literals.parseNumber(body);
            return sign.isEmpty() ? v : -v;
        }
    }

    private static final class Builder {
        private double[] values = new double[16];
        private boolean[] omitted = new boolean[16];
        private FloatHistogram[] histograms = new FloatHistogram[16];
        private boolean[] hintSet = new boolean[16];
        private int size;

        void add(double v) { append(v, false, null, false); }

        void addOmitted() { append(0, true, null, false); }

        void addHistogram(FloatHistogram h, boolean hint) { append(0, false, h, hint); }

        private void append(double v, boolean skip, FloatHistogram h, boolean hint) {
            if (size == values.length) {
                values = Arrays.copyOf(values, size * 2);
                omitted = Arrays.copyOf(omitted, size * 2);
                histograms = Arrays.copyOf(histograms, size * 2);
                hintSet = Arrays.copyOf(hintSet, size * 2);
            }
            values[size] = v;
            omitted[size] = skip;
            histograms[size] = h;
            hintSet[size] = hint;
            size++;
        }

        SeriesValues build() {
            return new SeriesValues(Arrays.copyOf(values, size), Arrays.copyOf(omitted, size),
                    Arrays.copyOf(histograms, size), Arrays.copyOf(hintSet, size));
        }
    }
}
