package io.mnemo.bench;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Cross-node query latency: the same data in the three-node example cluster
 * ({@code conf/examples/vm-cluster}, started as its README says), in a single node and in
 * Prometheus; the same instant queries through each of the cluster's nodes, the single node and
 * Prometheus, answers checked against Prometheus's, and the median latencies side by side.
 * Through node 1 and node 3 most partitions are read from another node over stream refs; node 2
 * is the only zone-b node and reads its own.
 */
@Command(name = "cluster-query", mixinStandardHelpOptions = true,
        description = "Query latency through every node of the example cluster, against one node and Prometheus.")
public final class ClusterQueryBenchmark implements Callable<Integer> {
    @Option(names = "--series", defaultValue = "100000", description = "Series {job=\"bench\"} (default: 100000).")
    int series;

    @Option(names = "--hours", defaultValue = "2", description = "Data span ending now, 15 s apart (default: 2).")
    int hours;

    @Option(names = "--runs", defaultValue = "5", description = "Timed runs per query and endpoint, after one warm-up.")
    int runs;

    @Option(names = "--mnemo", defaultValue = "bin/mnemo", description = "Mnemo's launcher.")
    Path mnemoLauncher;

    @Option(names = "--example", defaultValue = "conf/examples/vm-cluster", description = "The example cluster's configs.")
    Path example;

    @Option(names = "--prometheus", defaultValue = "/usr/bin/prometheus")
    Path prometheus;

    static final String[] QUERIES = {
            "count({job=\"bench\"})",
            "sum(count_over_time({job=\"bench\"}[1h]))",
            "sum by (pod)(rate({job=\"bench\"}[5m]))",
            "bench_metric{series=\"4242\"}[1h]",
    };

    public static void main(String[] args) {
        System.exit(new CommandLine(new ClusterQueryBenchmark()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        Path work = Files.createTempDirectory("mnemo-cluster-query");
        List<Process> children = new ArrayList<>();
        try {
            int promPort = Endpoint.freePort();
            Path promConfig = work.resolve("prometheus.yml");
            Files.writeString(promConfig, "global:\n  scrape_interval: 1m\n");
            children.add(new ProcessBuilder(prometheus.toString(), "--config.file=" + promConfig,
                    "--storage.tsdb.path=" + work.resolve("prometheus"), "--web.enable-remote-write-receiver",
                    "--web.listen-address=127.0.0.1:" + promPort)
                    .redirectErrorStream(true).redirectOutput(work.resolve("prometheus.log").toFile()).start());
            Endpoint prom = Endpoint.prometheus(promPort);

            int singlePort = Endpoint.freePort();
            ProcessBuilder single = new ProcessBuilder(mnemoLauncher.toAbsolutePath().toString(), "--data-dir",
                    work.resolve("single").toString(), "--http-port", Integer.toString(singlePort))
                    .redirectErrorStream(true).redirectOutput(work.resolve("single.log").toFile());
            single.environment().put("JAVA_OPTS", "-Dmnemo.multitenancy-enabled=false -Dmnemo.kafka.embedded.port="
                    + Endpoint.freePort() + " -Dpekko.remote.artery.canonical.port=" + Endpoint.freePort()
                    + " -Dpekko.management.http.port=" + Endpoint.freePort());
            children.add(single.start());
            Endpoint one = Endpoint.mnemo("single node", singlePort);

            // The example as its README starts it, each node in the same working directory (its
            // data directories are relative: data/node1..3). Multitenancy as the example has it:
            // off unless the config says otherwise, so no tenant header.
            Path clusterDir = Files.createDirectories(work.resolve("cluster"));
            List<Endpoint> nodes = new ArrayList<>();
            for (int n = 1; n <= 3; n++) {
                ProcessBuilder node = new ProcessBuilder(mnemoLauncher.toAbsolutePath().toString(), "--config",
                        example.resolve("node" + n + ".conf").toAbsolutePath().toString())
                        .directory(clusterDir.toFile()).redirectErrorStream(true)
                        .redirectOutput(work.resolve("node" + n + ".log").toFile());
                node.environment().put("JAVA_OPTS", "-Dmnemo.multitenancy-enabled=false");
                children.add(node.start());
                nodes.add(Endpoint.mnemo("node" + n, 8079 + n));
            }
            prom.awaitOk("/-/ready", Duration.ofSeconds(60));
            one.awaitOk("/ready", Duration.ofMinutes(3));
            for (Endpoint node : nodes) node.awaitOk("/ready", Duration.ofMinutes(5));

            long end = System.currentTimeMillis() / 15_000 * 15_000;
            int rounds = hours * 240;
            System.out.printf("loading %d series x %d samples (15 s apart) into Prometheus, one node and the cluster ...%n",
                    series, rounds);
            load(end, rounds, prom, one, nodes);
            String total = "sum(count_over_time({job=\"bench\"}[" + (hours * 60 + 1) + "m]))";
            for (Endpoint e : List.of(prom, one, nodes.get(0), nodes.get(1), nodes.get(2))) {
                awaitValue(e, total, end, (double) series * rounds);
            }

            System.out.printf("%n%-44s %9s %9s %9s %9s %9s %9s  %s%n", "instant query (median ms)", "prom", "single",
                    "node1", "node2", "node3", "cluster/1", "answers");
            boolean agree = true;
            for (String q : QUERIES) {
                JsonNode want = prom.query(q, end);
                double promMs = median(time(prom, q, end));
                double singleMs = median(time(one, q, end));
                double[] perNode = new double[3];
                List<Double> cluster = new ArrayList<>();
                boolean same = sameAnswer(want, one.query(q, end));
                for (int n = 0; n < 3; n++) {
                    same &= sameAnswer(want, nodes.get(n).query(q, end));
                    double[] t = time(nodes.get(n), q, end);
                    perNode[n] = median(t);
                    for (double x : t) cluster.add(x);
                }
                double clusterMs = median(cluster.stream().mapToDouble(Double::doubleValue).toArray());
                agree &= same;
                System.out.printf("%-44s %9.1f %9.1f %9.1f %9.1f %9.1f %9.2f  %s%n", q, promMs, singleMs, perNode[0], perNode[1],
                        perNode[2], clusterMs / singleMs, same ? "same" : "DIFFER");
            }
            return agree ? 0 : 1;
        } finally {
            for (Process p : children) p.destroy();
            for (Process p : children) if (!p.waitFor(60, TimeUnit.SECONDS)) p.destroyForcibly();
        }
    }

    /** Every round's series in requests of 10,000, to each system in order (the cluster's through its nodes in turn). */
    private void load(long end, int rounds, Endpoint prom, Endpoint one, List<Endpoint> nodes) throws Exception {
        ExecutorService[] lanes = {Executors.newSingleThreadExecutor(), Executors.newSingleThreadExecutor(),
                Executors.newSingleThreadExecutor()};
        try {
            List<Future<?>> pending = new ArrayList<>();
            int request = 0;
            for (int r = 0; r < rounds; r++) {
                // Half-way between 15 s steps: Prometheus 2.x includes a sample exactly at t - range, 3.x excludes it.
                long t = end - (rounds - 1 - r) * 15_000L - 7_500L;
                for (int from = 0; from < series; from += 10_000) {
                    byte[] body = BenchJob.request(from, Math.min(series, from + 10_000), t, r);
                    Endpoint node = nodes.get(request++ % nodes.size());
                    pending.add(lanes[0].submit(() -> { prom.push(body); return null; }));
                    pending.add(lanes[1].submit(() -> { one.push(body); return null; }));
                    pending.add(lanes[2].submit(() -> { node.push(body); return null; }));
                }
                if (pending.size() > 60) {
                    for (Future<?> f : pending) f.get();
                    pending.clear();
                }
            }
            for (Future<?> f : pending) f.get();
        } finally {
            for (ExecutorService e : lanes) e.shutdownNow();
        }
    }

    private double[] time(Endpoint e, String q, long at) throws Exception {
        e.query(q, at); // warm-up
        double[] ms = new double[runs];
        for (int i = 0; i < runs; i++) {
            long t0 = System.nanoTime();
            e.query(q, at);
            ms[i] = (System.nanoTime() - t0) / 1e6;
        }
        return ms;
    }

    private static double median(double[] xs) {
        double[] s = xs.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }

    private static void awaitValue(Endpoint e, String q, long at, double expected) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(10);
        double last = Double.NaN;
        while (System.nanoTime() < deadline) {
            JsonNode result = e.query(q, at).path("result");
            if (!result.isEmpty() && (last = result.get(0).path("value").get(1).asDouble()) == expected) return;
            Thread.sleep(500);
        }
        throw new IllegalStateException(e + ": " + q + " is " + last + ", never " + expected);
    }

    /** Same series and values (relative difference within 1e-9), in any order. */
    static boolean sameAnswer(JsonNode want, JsonNode got) {
        return canonical(want).equals(canonical(got));
    }

    private static Map<String, String> canonical(JsonNode data) {
        Map<String, String> out = new TreeMap<>();
        for (JsonNode s : data.path("result")) {
            StringBuilder values = new StringBuilder();
            if (s.has("value")) append(values, s.get("value"));
            for (JsonNode v : s.path("values")) append(values, v);
            out.put(new TreeMap<>(Endpoint.JSON.convertValue(s.path("metric"), Map.class)).toString(), values.toString());
        }
        return out;
    }

    private static void append(StringBuilder b, JsonNode point) {
        double v = Double.parseDouble(point.get(1).asText());
        b.append(point.get(0).asText()).append('=').append(String.format("%.9g", v)).append(' ');
    }
}
