package io.mnemo.tsdb.histogram;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * Bucket bounds of the exponential schemas, as Prometheus computes them: for schema s > 0 the
 * bound of bucket idx is frac * 2^exp with frac from Prometheus's table of 2^(j/2^s - 1)
 * (resource {@code exponential-bounds.txt}: its values are not the correctly rounded powers, and
 * the query API prints bounds to the last digit); for s <= 0 an exact power of two.
 */
final class ExponentialBounds {
    private static final int MAX_SCHEMA = 8;
    /** 2^(j/256 - 1) as Prometheus has it, j = 0..255. */
    private static final double[] SCHEMA_8 = load();

    private ExponentialBounds() {}

    /** The upper bound of the positive bucket with this index. */
    static double upper(int idx, int schema) {
        if (schema <= 0) {
            long exp = (long) idx << -schema;
            if (exp == 1024) return Double.MAX_VALUE; // the last finite bucket, below the one for +Inf
            return Math.scalb(1.0, (int) Math.max(Integer.MIN_VALUE / 2, Math.min(Integer.MAX_VALUE / 2, exp)));
        }
        int fracIdx = idx & ((1 << schema) - 1);
        double frac = SCHEMA_8[fracIdx << (MAX_SCHEMA - schema)];
        int exp = (idx >> schema) + 1;
        if (frac == 0.5 && exp == 1025) return Double.MAX_VALUE;
        return Math.scalb(frac, exp);
    }

    private static double[] load() {
        double[] out = new double[1 << MAX_SCHEMA];
        int n = 0;
        try (InputStream in = ExponentialBounds.class.getResourceAsStream("exponential-bounds.txt")) {
            if (in == null) throw new IllegalStateException("resource exponential-bounds.txt missing");
            BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.US_ASCII));
            for (String line = r.readLine(); line != null; line = r.readLine()) {
                line = line.strip();
                if (line.isEmpty() || line.startsWith("#")) continue;
                if (n == out.length) throw new IllegalStateException("exponential-bounds.txt has more than " + n + " bounds");
                out[n++] = Double.parseDouble(line);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (n != out.length) throw new IllegalStateException("exponential-bounds.txt has " + n + " bounds, not " + out.length);
        return out;
    }
}
