package io.mnemo.bench.tsdb;

import io.mnemo.tsdb.Labels;
import io.mnemo.tsdb.head.Head;

/**
 * The storage engine benchmarks' series and samples, derived from the series index alone so
 * every run sees the same data.
 *
 * <p><b>Labels</b> (8 per series, shaped like a Kubernetes scrape): series {@code s} belongs to
 * target {@code s / 10}; a target is one of 10 jobs on one of {@code hosts} hosts
 * ({@code instance="host-0042:9100"}, {@code pod="<job>-<hex>"} one per target). Each target
 * exposes one counter and one gauge, 5 series each (label {@code code} or {@code state}).
 * {@code job}, {@code container}, {@code namespace} and {@code region} have few values;
 * {@code instance} one per host (10,000 at 1M series) and {@code pod} one per target (100,000).
 * At 1M series, {@code {job="api", instance=~"host-1.*"}} selects hosts 1000..1999 of job
 * {@code api}: exactly 10,000 series.
 *
 * <p><b>Samples</b> ({@link Samples}): scrapes every 15 s, each target at its own offset within
 * the interval; 1 % of scrapes start 3..40 ms late (Prometheus aligns smaller jitter away). Values follow one of
 * 20 metric kinds (request, byte and CPU-seconds counters; memory, goroutine, load, queue
 * gauges...) with the number formats their exporters produce: integers, multiples of 4096,
 * CPU seconds with 2 decimals, load averages with 2 decimals. How often a series moves depends on
 * its variant label ({@code code="200"} always, {@code code="500"} in 0.2 % of scrapes), as the
 * status-code and state series of real exporters do.
 */
public final class TsdbWorkload {
    public static final int SERIES_PER_TARGET = 10;
    public static final long SCRAPE_INTERVAL_MS = 15_000;
    public static final String[] JOBS = {"api", "checkout", "payments", "inventory", "search",
            "node-exporter", "kube-state-metrics", "postgres", "redis", "kafka"};
    static final String[] COUNTERS = {"http_requests_total", "process_cpu_seconds_total",
            "node_network_receive_bytes_total", "grpc_server_handled_total", "http_request_errors_total",
            "node_disk_written_bytes_total", "db_queries_total", "cache_hits_total",
            "kafka_consumer_records_consumed_total", "gc_collections_total"};
    static final String[] GAUGES = {"process_resident_memory_bytes", "go_goroutines", "node_load1",
            "http_requests_in_flight", "node_memory_available_bytes", "kube_pod_status_ready",
            "db_connections_open", "queue_depth", "node_hwmon_temp_celsius", "jvm_threads_live"};
    private static final String[] CODES = {"200", "201", "404", "429", "500"};
    private static final String[] STATES = {"idle", "active", "blocked", "waiting", "running"};
    private static final String[] NAMESPACES = {"default", "shop", "platform", "monitoring", "data", "edge"};
    private static final String[] REGIONS = {"eu-west-1", "eu-central-1", "us-east-1", "ap-south-1"};
    /**
     * Per million scrapes, how many find a series changed, by its {@code code} / {@code state}
     * variant: as with status codes, one variant is busy and the others ever rarer (a 500
     * counter mostly stays put).
     */
    private static final int[] ACTIVITY = {1_000_000, 500_000, 100_000, 20_000, 2_000};
    private static final int[] PORTS = {8080, 8081, 8082, 8083, 8084, 9100, 8085, 9187, 9121, 9308};

    private final int hosts;

    /** A workload of {@code numSeries} series: numSeries / 100 hosts, 10 jobs on each. */
    public TsdbWorkload(int numSeries) {
        if (numSeries % (SERIES_PER_TARGET * JOBS.length) != 0) {
            throw new IllegalArgumentException("series must be a multiple of 100: " + numSeries);
        }
        this.hosts = numSeries / (SERIES_PER_TARGET * JOBS.length);
    }

    public int numSeries() { return hosts * JOBS.length * SERIES_PER_TARGET; }

    static int target(int series) { return series / SERIES_PER_TARGET; }

    static int job(int series) { return target(series) % JOBS.length; }

    static int host(int series) { return target(series) / JOBS.length; }

    static boolean isCounter(int series) { return series % SERIES_PER_TARGET < 5; }

    /** Which of the 20 metric kinds: 0..9 counters, 10..19 gauges; one of each per job. */
    static int kind(int series) { return (isCounter(series) ? 0 : 10) + job(series); }

    static String metricName(int kind) { return kind < 10 ? COUNTERS[kind] : GAUGES[kind - 10]; }

    public Labels labels(int series) {
        int target = target(series);
        int job = job(series);
        int host = host(series);
        int variant = series % 5;
        boolean counter = isCounter(series);
        String jobName = JOBS[job];
        // Multiplying by an odd constant is a bijection on ints: distinct targets, distinct pods.
        String pod = jobName + "-" + Integer.toHexString(target * 0x9E3779B1 | 0x10000000);
        return Labels.of(
                "__name__", metricName(kind(series)),
                counter ? "code" : "state", counter ? CODES[variant] : STATES[variant],
                "container", jobName,
                "instance", String.format("host-%04d:%d", host, PORTS[job]),
                "job", jobName,
                "namespace", NAMESPACES[job % NAMESPACES.length],
                "pod", pod,
                "region", REGIONS[host % REGIONS.length]);
    }

    /** A head holding every series of the workload, each with its first {@code samples} samples from {@code start}. */
    public Head head(long start, int samples) {
        Head head = new Head();
        Samples gen = new Samples(start);
        for (int s = 0; s < numSeries(); s++) {
            int ref = head.getOrCreateSeries(labels(s));
            gen.reset(s);
            for (int i = 0; i < samples; i++) {
                gen.next();
                head.append(ref, gen.timestamp(), gen.value());
            }
        }
        return head;
    }

    /**
     * Generates the samples of one series at a time, in order, without allocating: {@link
     * #reset} onto a series, then {@link #next} before reading each sample.
     */
    public static final class Samples {
        private final long start;
        private int kind;
        private long rng;
        private long scrape;     // on-time timestamp of the current scrape
        private long t;
        private double v;
        private double level;    // the kind's running quantity
        private double rate;     // per-series speed of counters
        private int activity;    // per million scrapes: how many see the value move

        /** @param start timestamp of the first scrape of the target at offset 0 */
        public Samples(long start) {
            this.start = start;
        }

        public void reset(int series) {
            kind = kind(series);
            rng = mix(series + 1L);
            // Prometheus spreads targets over the interval by a hash of the target.
            scrape = start + Math.floorMod(mix(target(series)), SCRAPE_INTERVAL_MS) - SCRAPE_INTERVAL_MS;
            rate = 1 + (mix(series * 31L + 7) >>> 1) % 100;
            activity = ACTIVITY[series % 5];
            level = initialLevel();
        }

        public long timestamp() { return t; }

        public double value() { return v; }

        public void next() {
            scrape += SCRAPE_INTERVAL_MS;
            t = random(100) == 0 ? scrape + 3 + random(38) : scrape;
            v = step();
        }

        private double initialLevel() {
            return switch (kind) {
                case 0, 3, 4, 6, 7, 8, 9 -> random(1_000_000);
                case 1 -> random(100_000) / 100.0;
                case 2, 5 -> random(1L << 40);
                case 10 -> 4096.0 * (10_000 + random(100_000));
                case 11 -> 20 + random(500);
                case 12 -> random(400) / 100.0;
                case 14 -> 4096.0 * (1_000_000 + random(3_000_000));
                case 15 -> 1;
                case 16 -> random(50);
                case 18 -> 35 + random(30);
                case 19 -> 20 + random(200);
                default -> 0;
            };
        }

        private double step() {
            if (random(1_000_000) >= activity) return level; // nothing happened since the last scrape
            switch (kind) {
                case 0, 3, 6, 7, 8 -> level += 1 + random((long) rate * 3); // requests, calls, queries, hits, records
                case 1 -> level = Math.round(level * 100 + 1 + random((long) rate * 2)) / 100.0; // CPU seconds, 2 decimals
                case 2, 5 -> level += 1 + random((long) rate * 50_000); // bytes
                case 4, 9 -> level += 1 + random(3); // errors, GC runs
                case 10 -> level = Math.max(4096, level + 4096.0 * (random(64) - 32)); // RSS pages
                case 11 -> level = Math.max(1, level + random(11) - 5); // goroutines
                case 12 -> level = Math.max(0, Math.round(level * 100 + random(41) - 20) / 100.0); // load1
                case 13 -> level = random(8); // in flight
                case 14 -> level = Math.max(0, level + 4096.0 * (random(2001) - 1000)); // free memory
                case 15 -> level = 1 - level; // readiness flips
                case 16 -> level = Math.max(0, level + random(3) - 1); // pooled connections
                case 17 -> level = random(3) == 0 ? random(200) : 0; // queue depth, mostly empty
                case 18 -> level = Math.max(20, level + random(3) - 1); // whole degrees
                case 19 -> level = Math.max(1, level + random(5) - 2); // threads
                default -> throw new IllegalStateException("kind " + kind);
            }
            return level;
        }

        /** Uniform in [0, bound). */
        private long random(long bound) {
            rng += 0x9E3779B97F4A7C15L;
            return ((mix(rng) >>> 1) % bound);
        }
    }

    /** SplitMix64's finaliser: a well-spread hash of x. */
    static long mix(long x) {
        x = (x ^ (x >>> 30)) * 0xBF58476D1CE4E5B9L;
        x = (x ^ (x >>> 27)) * 0x94D049BB133111EBL;
        return x ^ (x >>> 31);
    }
}
