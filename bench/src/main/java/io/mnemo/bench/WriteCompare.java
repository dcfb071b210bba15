package io.mnemo.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Side-by-side write benchmark: the same pre-encoded remote-write load replayed against
 * Prometheus (remote-write receiver), VictoriaMetrics single node and a Mnemo node with its
 * embedded Kafka, each started fresh as a child process; then each is asked through its query API
 * whether it stored exactly every sample. Prints one table with Mnemo's ratio to each peer.
 */
@Command(name = "write-compare", mixinStandardHelpOptions = true,
        description = "Remote-write throughput, latency, CPU and memory: Mnemo vs Prometheus vs VictoriaMetrics.")
public final class WriteCompare implements Callable<Integer> {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long CLOCK_TICKS = 100; // USER_HZ on Linux

    @Option(names = "--series", defaultValue = "100000")
    int series;

    @Option(names = "--rounds", defaultValue = "20", description = "Samples per series (default: 20).")
    int rounds;

    @Option(names = "--concurrency", defaultValue = "4")
    int concurrency;

    @Option(names = "--systems", defaultValue = "prometheus,victoria-metrics,mnemo", split = ",")
    List<String> systems;

    @Option(names = "--mnemo", defaultValue = "bin/mnemo",
            description = "Mnemo's launcher, started as a user starts it (its JVM options from conf/jvm.options).")
    Path mnemoLauncher;

    @Option(names = "--mnemo-java-opts", defaultValue = "", description = "Extra JVM options for Mnemo (JAVA_OPTS).")
    String mnemoJavaOpts;

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    record Row(String system, RemoteWriteLoad.Result result, double cpuSeconds, long peakRssBytes, long stored) {}

    public static void main(String[] args) {
        System.exit(new CommandLine(new WriteCompare()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        long end = System.currentTimeMillis();
        System.out.printf("encoding %d series x %d samples (8 labels, 15 s apart, 2000 samples per request) ...%n", series, rounds);
        PushRequests pushes = PushRequests.encode(series, rounds, 2000, end, 15_000);
        List<Row> rows = new ArrayList<>();
        for (String system : systems) rows.add(measure(system.trim(), pushes, end));

        System.out.printf("%n%-18s %12s %9s %9s %14s %10s %14s%n", "system", "samples/s", "p50 ms", "p99 ms",
                "CPU s/M samples", "peak RSS", "stored");
        for (Row r : rows) {
            System.out.printf("%-18s %12.0f %9.1f %9.1f %14.2f %9.0fM %14s%n", r.system(), r.result().samplesPerSecond(),
                    r.result().p50().toNanos() / 1e6, r.result().p99().toNanos() / 1e6,
                    r.cpuSeconds() / (pushes.totalSamples() / 1e6), r.peakRssBytes() / 1e6,
                    r.stored() + (r.stored() == pushes.totalSamples() ? " (all)" : " (MISSING)"));
        }
        Row mnemo = rows.stream().filter(r -> r.system().equals("mnemo")).findFirst().orElse(null);
        if (mnemo != null) {
            for (Row peer : rows) {
                if (peer == mnemo) continue;
                System.out.printf("mnemo / %-16s samples/s %.2fx, peak RSS %.2fx%n", peer.system(),
                        mnemo.result().samplesPerSecond() / peer.result().samplesPerSecond(),
                        (double) mnemo.peakRssBytes() / peer.peakRssBytes());
            }
        }
        return rows.stream().allMatch(r -> r.result().ok() && r.stored() == pushes.totalSamples()) ? 0 : 1;
    }

    private Row measure(String system, PushRequests pushes, long end) throws Exception {
        Path dir = Files.createTempDirectory("write-compare-" + system);
        int port = freePort();
        String push, query;
        List<String> cmd = new ArrayList<>();
        java.util.Map<String, String> env = new java.util.HashMap<>();
        switch (system) {
            case "prometheus" -> {
                Path cfg = dir.resolve("prometheus.yml");
                Files.writeString(cfg, "global:\n  scrape_interval: 1m\n");
                cmd.addAll(List.of("/usr/bin/prometheus", "--config.file=" + cfg, "--storage.tsdb.path=" + dir.resolve("data"),
                        "--web.enable-remote-write-receiver", "--web.listen-address=127.0.0.1:" + port));
                push = "http://127.0.0.1:" + port + "/api/v1/write";
                query = "http://127.0.0.1:" + port + "/api/v1/query";
            }
            case "victoria-metrics" -> {
                cmd.addAll(List.of("/usr/bin/victoria-metrics", "-storageDataPath=" + dir.resolve("data"),
                        "-httpListenAddr=127.0.0.1:" + port, "-retentionPeriod=100y", "-search.latencyOffset=0s"));
                push = "http://127.0.0.1:" + port + "/api/v1/write";
                query = "http://127.0.0.1:" + port + "/api/v1/query";
            }
            case "mnemo" -> {
                cmd.addAll(List.of(mnemoLauncher.toString(), "--data-dir", dir.resolve("data").toString(), "--http-port",
                        Integer.toString(port)));
                env.put("JAVA_OPTS", String.join(" ", "-Dmnemo.multitenancy-enabled=false",
                        "-Dmnemo.kafka.embedded.port=" + freePort(), "-Dpekko.remote.artery.canonical.port=" + freePort(),
                        "-Dpekko.management.http.port=" + freePort(), mnemoJavaOpts).trim());
                push = "http://127.0.0.1:" + port + "/api/v1/push";
                query = "http://127.0.0.1:" + port + "/prometheus/api/v1/query";
            }
            default -> throw new IllegalArgumentException("unknown system " + system);
        }
        ProcessBuilder builder = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(dir.resolve("server.log").toFile());
        builder.environment().putAll(env);
        Process p = builder.start(); // bin/mnemo execs java: the pid is the JVM's
        try {
            String ready = system.equals("mnemo") ? "/ready" : system.equals("prometheus") ? "/-/ready" : "/health";
            awaitOk("http://127.0.0.1:" + port + ready, Duration.ofMinutes(3));
            System.out.printf("%s: pushing ...%n", system);
            double cpu0 = cpuSeconds(p.pid());
            RemoteWriteLoad.Result result = RemoteWriteLoad.replay(new RemoteWriteLoad.Config(URI.create(push), "bench",
                    series, rounds, 2000, concurrency, Duration.ofSeconds(15), Duration.ofSeconds(60)), pushes);
            double cpu = cpuSeconds(p.pid()) - cpu0;
            long rss = peakRss(p.pid());
            long stored = awaitStored(query, end, pushes.totalSamples(), Duration.ofMinutes(3));
            System.out.printf("%s: %.0f samples/s, stored %d%n", system, result.samplesPerSecond(), stored);
            return new Row(system, result, cpu, rss, stored);
        } finally {
            p.destroy();
            if (!p.waitFor(60, TimeUnit.SECONDS)) p.destroyForcibly();
        }
    }

    /**
     * Waits until the system reports every sample (ingestion may lag the acknowledgements). Counts
     * per metric name: series of different names share their other labels, so one
     * count_over_time over all names would be an error (same label set twice once names drop).
     */
    private long awaitStored(String query, long end, long expected, Duration timeout) throws Exception {
        String window = "[" + (rounds * 15 / 60 + 5) + "m]";
        long deadline = System.nanoTime() + timeout.toNanos();
        long last = -1;
        while (System.nanoTime() < deadline) {
            last = 0;
            for (String name : SyntheticSeries.metricNames()) {
                String q = "sum(count_over_time(" + name + window + "))";
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(query + "?nocache=1&query="
                        + URLEncoder.encode(q, StandardCharsets.UTF_8) + "&time=" + (end / 1000 + 1))).GET().build(),
                        HttpResponse.BodyHandlers.ofString());
                JsonNode body = JSON.readTree(r.body());
                if (!"success".equals(body.path("status").asText())) {
                    throw new IllegalStateException("query " + q + " failed: " + r.body());
                }
                JsonNode res = body.path("data").path("result");
                last += res.size() == 1 ? (long) res.get(0).path("value").get(1).asDouble() : 0;
            }
            if (last == expected) return last;
            Thread.sleep(1000);
        }
        return last;
    }

    private static double cpuSeconds(long pid) throws IOException {
        String[] f = Files.readString(Path.of("/proc/" + pid + "/stat")).replaceFirst("^.*\\) ", "").split(" ");
        // after the command name: state is field 3, utime 14, stime 15 (1-based) -> indexes 11, 12 here
        return (Long.parseLong(f[11]) + Long.parseLong(f[12])) / (double) CLOCK_TICKS;
    }

    private static long peakRss(long pid) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
            if (line.startsWith("VmHWM:")) return Long.parseLong(line.replaceAll("\\D", "")) * 1024;
        }
        return -1;
    }

    private void awaitOk(String url, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            try {
                if (http.send(HttpRequest.newBuilder(URI.create(url)).GET().build(), HttpResponse.BodyHandlers.discarding())
                        .statusCode() == 200) return;
            } catch (IOException notYet) {
                // not listening yet
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException(url + " not ready after " + timeout);
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
