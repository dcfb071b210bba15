package io.mnemo.promql.promqltest;

import io.mnemo.tsdb.GoFloats;
import io.mnemo.tsdb.Labels;
import io.mnemo.tsdb.histogram.FloatHistogram;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What {@code load_with_nhcb} adds: the classic histograms of a load ({@code _bucket} series with
 * {@code le}, {@code _count}, {@code _sum}) as native histograms with custom buckets, one series
 * per histogram named without the suffix, one sample per timestamp.
 */
final class ClassicHistogramConverter {
    private ClassicHistogramConverter() {}

    /** A native histogram sample of a converted series. */
    record Sample(Labels labels, long timestamp, FloatHistogram histogram) {}

    /** The classic histogram of one series at one time, as its parts arrive. */
    private static final class Parts {
        final List<double[]> buckets = new ArrayList<>(); // {le, cumulative count}, sorted by le
        double count;
        boolean hasCount;
        double sum;
        boolean invalid;

        void bucket(double le, double c) {
            if (invalid) return;
            if (c < 0) {
                invalid = true;
                return;
            }
            int i = 0;
            while (i < buckets.size() && buckets.get(i)[0] < le) i++;
            if (i < buckets.size() && buckets.get(i)[0] == le) return; // duplicate bound: first wins
            if ((i > 0 && c < buckets.get(i - 1)[1]) || (i < buckets.size() && c > buckets.get(i)[1])) {
                invalid = true;
                return;
            }
            buckets.add(i, new double[] {le, c});
        }

        FloatHistogram convert() {
            if (invalid) return null;
            if (!hasCount && !buckets.isEmpty()) count = buckets.get(buckets.size() - 1)[1];
            if (buckets.isEmpty() || buckets.get(buckets.size() - 1)[0] != Double.POSITIVE_INFINITY) {
                buckets.add(new double[] {Double.POSITIVE_INFINITY, count});
            }
            if (count != buckets.get(buckets.size() - 1)[1]) return null;
            int n = buckets.size();
            double[] custom = new double[n - 1];
            double[] counts = new double[n];
            double prev = 0;
            for (int i = 0; i < n; i++) {
                counts[i] = buckets.get(i)[1] - prev;
                prev = buckets.get(i)[1];
                if (i < n - 1) custom[i] = buckets.get(i)[0];
            }
            return FloatHistogram.of(FloatHistogram.CUSTOM_BUCKETS_SCHEMA, 0, 0, count, sum, new int[] {0, n}, counts,
                    new int[0], new double[0], custom, FloatHistogram.CounterResetHint.UNKNOWN).compact();
        }
    }

    static List<Sample> convert(TestScript.Load load) {
        Map<Labels, TreeMap<Long, Parts>> histograms = new LinkedHashMap<>();
        for (TestScript.LoadedSeries s : load.series()) {
            String name = s.labels().metricName();
            String base;
            int kind;
            if (name.endsWith("_bucket")) {
                base = name.substring(0, name.length() - 7);
                kind = 0;
            } else if (name.endsWith("_sum")) {
                base = name.substring(0, name.length() - 4);
                kind = 1;
            } else if (name.endsWith("_count")) {
                base = name.substring(0, name.length() - 6);
                kind = 2;
            } else {
                continue;
            }
            double le = 0;
            if (kind == 0) {
                try {
                    le = GoFloats.parseFloat(s.labels().get("le"));
                } catch (NumberFormatException e) {
                    continue;
                }
                if (Double.isNaN(le)) continue;
            }
            Labels target = s.labels().toBuilder().set(Labels.METRIC_NAME, base).remove("le").build();
            TreeMap<Long, Parts> byTime = histograms.computeIfAbsent(target, k -> new TreeMap<>());
            SeriesValues v = s.values();
            for (int i = 0; i < v.size(); i++) {
                if (v.isOmitted(i) || v.histogram(i) != null) continue;
                Parts p = byTime.computeIfAbsent(i * load.intervalMillis(), t -> new Parts());
                double f = v.value(i);
                switch (kind) {
                    case 0 -> p.bucket(le, f);
                    case 1 -> p.sum = f;
                    default -> {
                        if (f < 0) p.invalid = true;
                        p.count = f;
                        p.hasCount = true;
                    }
                }
            }
        }
        List<Sample> out = new ArrayList<>();
        for (Map.Entry<Labels, TreeMap<Long, Parts>> e : histograms.entrySet()) {
            for (Map.Entry<Long, Parts> t : e.getValue().entrySet()) {
                FloatHistogram h = t.getValue().convert();
                if (h != null) out.add(new Sample(e.getKey(), t.getKey(), h));
            }
        }
        return out;
    }
}
