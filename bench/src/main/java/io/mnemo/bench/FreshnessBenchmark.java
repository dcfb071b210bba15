package io.mnemo.bench;

import com.fasterxml.jackson.databind.JsonNode;
import io.mnemo.actors.prompb.Remote;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.xerial.snappy.Snappy;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Freshness under query load: the time from a push's 200 to its sample being visible to a query,
 * on one node, first with no query load, then with clients running heavy queries back to back.
 * Each probe pushes one sample of a new series and polls an instant query for it every
 * millisecond. Mnemo is started as a user starts it ({@code bin/mnemo}) on a fresh data directory.
 */
@Command(name = "freshness", mixinStandardHelpOptions = true,
        description = "Push-to-visible latency of one node, idle and under heavy queries.")
public final class FreshnessBenchmark implements Callable<Integer> {
    
    @Option(names = "--series", defaultValue = "100000", description = "Background series {job=\"bench\"} (default: 100000).")
    int series;

    @Option(names = "--samples", defaultValue = "20", description = "Samples per background series, 15 s apart (default: 20).")
    int samples;

    @Option(names = "--probes", defaultValue = "100", description = "Probes per phase (default: 100).")
    int probes;

    @Option(names = "--load", split = ";", defaultValue = "2:sum(count_over_time({job=\"bench\"}[1h]));"
            + "4:sum by (pod)(rate({job=\"bench\"}[5m]))",
            description = "Query loads, each CLIENTS:QUERY, separated by ';' (default: the issue's two loads).")
    List<String> loads;

    @Option(names = "--mnemo", defaultValue = "bin/mnemo", description = "Mnemo's launcher.")
    Path mnemoLauncher;

    @Option(names = "--show-slowest", defaultValue = "0",
            description = "Per phase, print this many slowest probes: total ms, polls until visible, the last poll's ms.")
    int slowest;

    private Endpoint node;

    public static void main(String[] args) {
        System.exit(new CommandLine(new FreshnessBenchmark()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        Path work = Files.createTempDirectory("mnemo-freshness");
        int port = Endpoint.freePort();
        ProcessBuilder pb = new ProcessBuilder(mnemoLauncher.toString(), "--data-dir", work.resolve("data").toString(),
                "--http-port", Integer.toString(port))
                .redirectErrorStream(true).redirectOutput(work.resolve("mnemo.log").toFile());
        pb.environment().put("JAVA_OPTS", "-Dmnemo.multitenancy-enabled=false -Dmnemo.kafka.embedded.port=" + Endpoint.freePort()
                + " -Dpekko.remote.artery.canonical.port=" + Endpoint.freePort() + " -Dpekko.management.http.port=" + Endpoint.freePort()
                + " " + System.getenv().getOrDefault("MNEMO_JAVA_OPTS", ""));
        Process mnemo = pb.start();
        node = Endpoint.mnemo("mnemo", port);
        try {
            node.awaitOk("/ready", Duration.ofSeconds(180));
            long end = System.currentTimeMillis() / 15_000 * 15_000;
            System.out.printf("loading %d series x %d samples {job=\"bench\"} ...%n", series, samples);
            for (int s = 0; s < samples; s++) {
                for (int from = 0; from < series; from += 10_000) node.push(BenchJob.request(from, Math.min(series, from + 10_000),
                        end - (samples - 1 - s) * 15_000L, s));
            }
            awaitCount("count({job=\"bench\"})", series);
            System.out.printf("%-60s %8s %8s %8s %9s%n", "phase", "p50 ms", "p99 ms", "max ms", "queries");
            report("idle", measure(0, null));
            for (String load : loads) {
                int colon = load.indexOf(':');
                int clients = Integer.parseInt(load.substring(0, colon).trim());
                String query = load.substring(colon + 1).trim();
                report(clients + " x " + query, measure(clients, query));
            }
            return 0;
        } finally {
            mnemo.destroy();
            if (!mnemo.waitFor(60, TimeUnit.SECONDS)) mnemo.destroyForcibly();
        }
    }

    private record Phase(double[] millis, long queries) {}

    private int probeSeq;

    /** Probes freshness while {@code clients} run {@code query} back to back. */
    private Phase measure(int clients, String query) throws Exception {
        AtomicBoolean running = new AtomicBoolean(true);
        AtomicLong queries = new AtomicLong();
        List<Thread> loaders = new ArrayList<>();
        for (int c = 0; c < clients; c++) {
            Thread t = new Thread(() -> {
                while (running.get()) {
                    try {
                        node.get("/prometheus/api/v1/query?query=" + Endpoint.enc(query));
                        queries.incrementAndGet();
                    } catch (Exception ignored) {
                        // counted by absence
                    }
                }
            });
            t.setDaemon(true);
            t.start();
            loaders.add(t);
        }
        if (clients > 0) Thread.sleep(2000); // the load is under way
        double[] millis = new double[probes];
        double[] lastPoll = new double[probes];
        int[] polls = new int[probes];
        for (int i = 0; i < probes; i++) {
            int probe = probeSeq++;
            node.push(probeBody(probe, System.currentTimeMillis()));
            long acked = System.nanoTime();
            String q = "/prometheus/api/v1/query?query=" + Endpoint.enc("freshness_probe{probe=\"" + probe + "\"}");
            while (true) {
                long asked = System.nanoTime();
                boolean visible = !Endpoint.JSON.readTree(node.get(q)).path("data").path("result").isEmpty();
                lastPoll[i] = (System.nanoTime() - asked) / 1e6;
                polls[i]++;
                if (visible) break;
                if (System.nanoTime() - acked > 60_000_000_000L) throw new IllegalStateException("probe " + probe + " never visible");
                Thread.sleep(1);
            }
            millis[i] = (System.nanoTime() - acked) / 1e6;
        }
        if (slowest > 0) { // where the slowest probes' time went: waiting for ingestion (many polls) or a slow poll
            Integer[] byTime = new Integer[probes];
            for (int i = 0; i < probes; i++) byTime[i] = i;
            Arrays.sort(byTime, (a, b) -> Double.compare(millis[b], millis[a]));
            StringBuilder sb = new StringBuilder("  slowest (ms, polls, last poll ms):");
            for (int k = 0; k < Math.min(slowest, probes); k++) {
                int i = byTime[k];
                sb.append(String.format(" %.0f/%d/%.0f", millis[i], polls[i], lastPoll[i]));
            }
            System.out.println(sb);
        }
        long done = queries.get();
        running.set(false);
        for (Thread t : loaders) t.join(120_000);
        return new Phase(millis, done);
    }

    private static void report(String phase, Phase p) {
        double[] m = p.millis().clone();
        Arrays.sort(m);
        System.out.printf("%-60s %8.1f %8.1f %8.1f %9d%n", phase.length() > 60 ? phase.substring(0, 57) + "..." : phase,
                m[(int) (m.length * 0.5)], m[Math.min(m.length - 1, (int) Math.ceil(m.length * 0.99) - 1)], m[m.length - 1],
                p.queries());
    }

    private static byte[] probeBody(int probe, long t) throws IOException {
        return Snappy.compress(Remote.WriteRequest.newBuilder().addTimeseries(Remote.TimeSeries.newBuilder()
                .addLabels(BenchJob.label("__name__", "freshness_probe")).addLabels(BenchJob.label("probe", Integer.toString(probe)))
                .addSamples(Remote.Sample.newBuilder().setTimestamp(t).setValue(1))).build().toByteArray());
    }

    private void awaitCount(String query, long expected) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
        while (System.nanoTime() < deadline) {
            JsonNode result = Endpoint.JSON.readTree(node.get("/prometheus/api/v1/query?query=" + Endpoint.enc(query))).path("data").path("result");
            if (!result.isEmpty() && result.get(0).path("value").get(1).asLong() == expected) return;
            Thread.sleep(500);
        }
        throw new IllegalStateException(query + " never reached " + expected);
    }



}
