package io.mnemo.promql.promqltest;

import io.mnemo.promql.parser.Literals;
import io.mnemo.tsdb.StaleNaN;

import java.util.Arrays;

/**
 * The value sequence of a series in a test script, expanded: {@code 1 2 3}, {@code 0+10x5} (six
 * values 0..50), {@code 10-2x3}, {@code 5x2} (three fives), {@code _} (missing), {@code _x3}
 * (three missing), {@code stale} (a staleness marker), {@code Inf}, {@code NaN}.
 */
public final class SeriesValues {
    private final double[] values;
    private final boolean[] omitted;

    private SeriesValues(double[] values, boolean[] omitted) {
        this.values = values;
        this.omitted = omitted;
    }

    public int size() { return values.length; }
    public double value(int i) { return values[i]; }
    public boolean isOmitted(int i) { return omitted[i]; }

    /** @throws IllegalArgumentException for an item that is not part of the syntax */
    public static SeriesValues parse(String text) {
        Builder b = new Builder();
        for (String item : text.trim().split("\\s+")) {
            if (!item.isEmpty()) parseItem(item, b);
        }
        return b.build();
    }

    private static void parseItem(String item, Builder b) {
        if (item.startsWith("{{")) throw new IllegalArgumentException("native histogram values are not supported: " + item);
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
        private int size;

        void add(double v) { append(v, false); }

        void addOmitted() { append(0, true); }

        private void append(double v, boolean skip) {
            if (size == values.length) {
                values = Arrays.copyOf(values, size * 2);
                omitted = Arrays.copyOf(omitted, size * 2);
            }
            values[size] = v;
            omitted[size] = skip;
            size++;
        }

        SeriesValues build() {
            return new SeriesValues(Arrays.copyOf(values, size), Arrays.copyOf(omitted, size));
        }
    }
}
