package io.mnemo.actors.ingest;

/**
 * Prometheus's metric types by the number remote write gives them, 1.0's {@code MetricType} and
 * 2.0's alike (0 unknown, 1 counter, 2 gauge, ...): the distributor reads them from pushes, an
 * ingest record carries the number, and the ingester names it in the metadata it keeps.
 */
public final class MetricTypes {
    private static final String[] NAMES = {"unknown", "counter", "gauge", "histogram", "gaugehistogram", "summary",
            "info", "stateset"};

    private MetricTypes() {}

    /** Whether Prometheus defines a type of this number. */
    public static boolean defined(long number) {
        return number >= 0 && number < NAMES.length;
    }

    /** The name of a type number, "unknown" for numbers Prometheus does not define. */
    public static String name(int number) {
        return defined(number) ? NAMES[number] : NAMES[0];
    }
}
