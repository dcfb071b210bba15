package io.mnemo.bench;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

import io.mnemo.actors.prompb.Remote;

/**
 * The synthetic workload's series: each has 8 labels shaped like a Kubernetes scrape
 * ({@code __name__, container, instance, job, namespace, pod, region} and {@code code} or
 * {@code state}); half are counters that only increase, half are gauges that wander.
 *
 * <p>Series {@code s} is built from its index alone, so runs are reproducible and label sets
 * are distinct: 20 metric names &times; 5 values of the last label per scrape target, and one
 * target ({@code instance}, {@code pod}) per 100 series.
 */
final class SyntheticSeries {

    private static final String[] COUNTERS = {
            "http_requests_total", "http_request_errors_total", "grpc_server_handled_total",
            "process_cpu_seconds_total", "node_network_receive_bytes_total", "node_network_transmit_bytes_total",
            "container_cpu_usage_seconds_total", "kafka_consumer_records_consumed_total", "db_queries_total",
            "cache_hits_total"};
    private static final String[] GAUGES = {
            "process_resident_memory_bytes", "node_memory_available_bytes", "go_goroutines",
            "http_requests_in_flight", "node_load1", "container_memory_working_set_bytes", "db_connections_open",
            "queue_depth", "node_filesystem_avail_bytes", "jvm_threads_live"};
    private static final String[] CODES = {"200", "201", "404", "429", "500"};
    private static final String[] STATES = {"idle", "active", "blocked", "waiting", "running"};
    private static final String[] JOBS = {"api-gateway", "checkout", "payments", "inventory", "search",
            "node-exporter", "kube-state-metrics", "postgres-exporter"};
    private static final String[] NAMESPACES = {"default", "shop", "platform", "monitoring", "data", "edge"};
    private static final String[] REGIONS = {"eu-west-1", "eu-central-1", "us-east-1", "ap-south-1"};

    private static final int NAMES = COUNTERS.length + GAUGES.length;
    private static final int VARIANTS = CODES.length;

    private SyntheticSeries() {
    }

    /** Every metric name the workload uses. */
    static List<String> metricNames() {
        List<String> names = new ArrayList<>(List.of(COUNTERS));
        names.addAll(List.of(GAUGES));
        return names;
    }

    static boolean isCounter(int series) {
        return series % NAMES < COUNTERS.length;
    }

    /** The series' labels, sorted by name as Prometheus sends them. */
    static List<Remote.Label> labels(int series) {
        int name = series % NAMES;
        int variant = (series / NAMES) % VARIANTS;
        int target = series / (NAMES * VARIANTS);
        String job = JOBS[target % JOBS.length];
        boolean counter = isCounter(series);

        List<Remote.Label> labels = new ArrayList<>(8);
        labels.add(label("__name__", counter ? COUNTERS[name] : GAUGES[name - COUNTERS.length]));
        labels.add(counter ? label("code", CODES[variant]) : label("state", STATES[variant]));
        labels.add(label("container", job));
        labels.add(label("instance", "10." + ((target >>> 16) & 0xff) + "." + ((target >>> 8) & 0xff) + "."
                + (target & 0xff) + ":9100"));
        labels.add(label("job", job));
        labels.add(label("namespace", NAMESPACES[target % NAMESPACES.length]));
        // Multiplying by an odd constant is a bijection on ints: distinct targets get distinct pod names.
        labels.add(label("pod", job + "-" + String.format("%08x", target * 0x9E3779B1)));
        labels.add(label("region", REGIONS[target % REGIONS.length]));
        labels.sort(Comparator.comparing(Remote.Label::getName));
        return labels;
    }

    /**
     * The value of sample {@code round}: counters grow by a per-series rate each interval,
     * gauges follow a per-series wave around a per-series level.
     */
    static double value(int series, int round, double intervalSeconds) {
        if (isCounter(series)) {
            double start = (series * 31L % 1000) * 100.0;
            double perSecond = 1 + series * 7L % 50;
            return start + round * perSecond * intervalSeconds;
        }
        double level = 1000.0 + series * 13L % 5000;
        return level + 0.2 * level * Math.sin(series + round * 0.3);
    }

    private static Remote.Label label(String name, String value) {
        return Remote.Label.newBuilder().setName(name).setValue(value).build();
    }
}
