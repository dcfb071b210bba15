package io.mnemo.bench;

import com.fasterxml.jackson.databind.JsonNode;
import io.mnemo.bucketstore.BlockTransfer;
import io.mnemo.objstore.FilesystemBucket;
import io.mnemo.tsdb.Labels;
import io.mnemo.tsdb.block.BlockMeta;
import io.mnemo.tsdb.db.CutHook;
import io.mnemo.tsdb.db.MappedBlocks;
import io.mnemo.tsdb.db.TenantDb;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Long-range queries answered from object storage: {@code --days} of {@code --series} counters at
 * 15 s, cut into one block per day (the compactor's largest level, Mimir's 24 h) once, then the same blocks given to Prometheus (in its data
 * directory, read from local disk) and to a Mnemo node (uploaded to its filesystem bucket, read
 * by its store-gateway with ranged reads through its caches). The data ends 14 h before now, so
 * Mnemo's queriers send the whole range to store-gateways (query-store-after 12h) and its
 * ingesters hold none of it.
 *
 * <p>Each range query (the whole span, 1 h step) is compared with Prometheus's answer, then timed
 * warm (after one run, median of {@code --runs}) and cold (median of {@code --cold-runs}, each on
 * a freshly started server, after a query of another metric in the same blocks warmed the process
 * but not the caches, and with the kernel's page cache dropped when this user may).
 */
@Command(name = "store-gateway", mixinStandardHelpOptions = true,
        description = "Week-long range queries from store-gateways against Prometheus on local disk.")
public final class StoreGatewayBenchmark implements Callable<Integer> {
    @Option(names = "--series", defaultValue = "1000", description = "Series of the measured metric (default: 1000).")
    int series;

    @Option(names = "--days", defaultValue = "7", description = "Data span (default: 7).")
    int days;

    @Option(names = "--runs", defaultValue = "5", description = "Timed warm runs per query.")
    int runs;

    @Option(names = "--cold-runs", defaultValue = "3", description = "Cold runs per query, each on restarted servers.")
    int coldRuns;

    @Option(names = "--mnemo", defaultValue = "bin/mnemo", description = "Mnemo's launcher.")
    Path mnemoLauncher;

    @Option(names = "--prometheus", defaultValue = "/usr/bin/prometheus")
    Path prometheus;

    static final long BLOCK = 2 * 3_600_000L;
    static final long DAY = 24 * 3_600_000L;
    static final long STEP = 15_000L;
    static final String[] QUERIES = {
            "sum by (pod)(rate(bench_requests_total[5m]))",
            "sum by (pod)(count_over_time(bench_requests_total[1h]))",
    };
    /** Warms a restarted process without touching the measured metric's postings, series or chunks. */
    static final String WARM_UP = "sum by (pod)(rate(warmup_requests_total[5m]))";

    private Path work;
    private Process prom;
    private Process mnemo;
    private Endpoint promApi;
    private Endpoint mnemoApi;
    private int promPort;
    private int mnemoPort;
    private long start;
    private long end;

    public static void main(String[] args) {
        System.exit(new CommandLine(new StoreGatewayBenchmark()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        work = Files.createTempDirectory("mnemo-store-gateway");
        end = (System.currentTimeMillis() - 14 * 3_600_000L) / DAY * DAY;
        start = end - days * 24 * 3_600_000L;
        try {
            long t0 = System.nanoTime();
            List<Path> blocks = writeBlocks(work.resolve("blocks"));
            System.out.printf("wrote %d blocks of %d + %d series x %d samples in %.1f s%n", blocks.size(), series, series,
                    (end - start) / STEP, (System.nanoTime() - t0) / 1e9);
            Path promData = Files.createDirectories(work.resolve("prometheus"));
            FilesystemBucket bucket = new FilesystemBucket(Files.createDirectories(work.resolve("bucket")));
            BlockTransfer transfer = new BlockTransfer(bucket);
            for (Path b : blocks) {
                copyTree(b, promData.resolve(b.getFileName()));
                transfer.upload("anonymous", b);
            }
            promPort = Endpoint.freePort();
            mnemoPort = Endpoint.freePort();
            startPrometheus();
            startMnemo();

            long stepSeconds = 3600;
            boolean agree = true;
            System.out.printf("%n%-58s %10s %10s %10s %10s %8s %8s  %s%n", "range query, " + days + " d, 1 h step (median ms)",
                    "prom warm", "mnemo warm", "prom cold", "mnemo cold", "warm", "cold", "answers");
            double[][] warm = new double[QUERIES.length][2];
            for (int q = 0; q < QUERIES.length; q++) {
                JsonNode want = awaitSameAnswer(QUERIES[q], stepSeconds);
                agree &= ClusterQueryBenchmark.sameAnswer(want, mnemoApi.queryRange(QUERIES[q], start, end, stepSeconds));
                warm[q][0] = median(time(promApi, QUERIES[q], stepSeconds, runs));
                warm[q][1] = median(time(mnemoApi, QUERIES[q], stepSeconds, runs));
            }
            double[][] cold = new double[QUERIES.length][2];
            boolean dropped = false;
            for (int q = 0; q < QUERIES.length; q++) {
                double[] p = new double[coldRuns];
                double[] m = new double[coldRuns];
                for (int r = 0; r < coldRuns; r++) {
                    restartPrometheus();
                    promApi.queryRange(WARM_UP, start, end, stepSeconds);
                    dropped = dropPageCache();
                    p[r] = time(promApi, QUERIES[q], stepSeconds, 1)[0];
                    restartMnemo();
                    mnemoApi.queryRange(WARM_UP, start, end, stepSeconds);
                    dropPageCache();
                    m[r] = time(mnemoApi, QUERIES[q], stepSeconds, 1)[0];
                }
                cold[q][0] = median(p);
                cold[q][1] = median(m);
            }
            for (int q = 0; q < QUERIES.length; q++) {
                System.out.printf("%-58s %10.1f %10.1f %10.1f %10.1f %8.2f %8.2f  %s%n", QUERIES[q], warm[q][0], warm[q][1],
                        cold[q][0], cold[q][1], warm[q][1] / warm[q][0], cold[q][1] / cold[q][0], agree ? "same" : "DIFFER");
            }
            System.out.println(dropped ? "page cache dropped before each cold run" : "page cache NOT dropped (no permission)");
            return agree ? 0 : 1;
        } finally {
            stop(prom);
            stop(mnemo);
        }
    }

    /**
     * The measured metric and the warm-up metric, {@code series} each, a sample every 15 s over
     * the span, cut into two-hour blocks by Mnemo's own block writer (which promtool checks in the
     * tests): the same files for both systems.
     */
    private List<Path> writeBlocks(Path dir) throws IOException {
        TenantDb db = new TenantDb(dir, BLOCK, new MappedBlocks(4));
        Labels[] labels = new Labels[2 * series];
        for (int s = 0; s < series; s++) {
            String pod = "pod-" + (s % 50);
            labels[s] = Labels.of("__name__", "bench_requests_total", "job", "bench", "pod", pod, "series", Integer.toString(s));
            labels[series + s] = Labels.of("__name__", "warmup_requests_total", "job", "bench", "pod", pod,
                    "series", Integer.toString(s));
        }
        int[] refs = new int[2 * series];
        long i = 0;
        List<BlockMeta> metas = new ArrayList<>();
        for (long day = start; day < end; day += DAY) {
            // A cut drops the head's series with it: refs are taken again each day.
            for (int s = 0; s < refs.length; s++) refs[s] = db.head().getOrCreateSeries(labels[s]);
            // Half-way between 15 s steps: Prometheus 2.x counts a sample exactly at t - range in a window, 3.x does not.
            for (long t = day + STEP / 2; t < day + DAY; t += STEP, i++) {
                for (int s = 0; s < refs.length; s++) db.head().append(refs[s], t, i * (1 + s % 7) + (s % 3) * 0.25);
            }
            metas.addAll(db.flush(CutHook.NONE)); // a day's block, as the compactor's largest level (24 h)
        }
        db.close();
        List<Path> out = new ArrayList<>();
        for (BlockMeta m : metas) out.add(dir.resolve(m.ulid().toString()));
        return out;
    }

    private JsonNode awaitSameAnswer(String q, long stepSeconds) throws Exception {
        JsonNode want = promApi.queryRange(q, start, end, stepSeconds);
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(10);
        while (true) {
            try {
                if (ClusterQueryBenchmark.sameAnswer(want, mnemoApi.queryRange(q, start, end, stepSeconds))) return want;
            } catch (IllegalStateException notYet) {
                // the store-gateway's first sync may still be under way
            }
            if (System.nanoTime() > deadline) throw new IllegalStateException("Mnemo never answered " + q + " as Prometheus");
            Thread.sleep(2000);
        }
    }

    private double[] time(Endpoint e, String q, long stepSeconds, int n) throws Exception {
        if (n > 1) e.queryRange(q, start, end, stepSeconds); // warm-up
        double[] ms = new double[n];
        for (int i = 0; i < n; i++) {
            long t0 = System.nanoTime();
            e.queryRange(q, start, end, stepSeconds);
            ms[i] = (System.nanoTime() - t0) / 1e6;
        }
        return ms;
    }

    private void startPrometheus() throws Exception {
        Path config = work.resolve("prometheus.yml");
        Files.writeString(config, "global:\n  scrape_interval: 1m\n");
        prom = new ProcessBuilder(prometheus.toString(), "--config.file=" + config, "--storage.tsdb.path=" + work.resolve("prometheus"),
                "--storage.tsdb.retention.time=" + (days + 30) + "d", "--web.listen-address=127.0.0.1:" + promPort)
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(work.resolve("prometheus.log").toFile()))
                .start();
        promApi = Endpoint.prometheus(promPort);
        promApi.awaitOk("/-/ready", Duration.ofSeconds(120));
    }

    private void startMnemo() throws Exception {
        ProcessBuilder pb = new ProcessBuilder(mnemoLauncher.toAbsolutePath().toString(), "--data-dir",
                work.resolve("mnemo").toString(), "--http-port", Integer.toString(mnemoPort))
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(work.resolve("mnemo.log").toFile()));
        pb.environment().put("JAVA_OPTS", "-Dmnemo.multitenancy-enabled=false -Dmnemo.kafka.embedded.port=" + Endpoint.freePort()
                + " -Dpekko.remote.artery.canonical.port=" + Endpoint.freePort() + " -Dpekko.management.http.port="
                + Endpoint.freePort() + " -Dmnemo.blocks-storage.filesystem.dir=" + work.resolve("bucket")
                + " " + System.getenv().getOrDefault("MNEMO_JAVA_OPTS", ""));
        mnemo = pb.start();
        mnemoApi = Endpoint.mnemo("mnemo", mnemoPort);
        mnemoApi.awaitOk("/ready", Duration.ofMinutes(5));
    }

    private void restartPrometheus() throws Exception {
        stop(prom);
        startPrometheus();
    }

    private void restartMnemo() throws Exception {
        stop(mnemo);
        startMnemo();
        // Ready once its store-gateway synced; the answer is there when a query of the warm-up metric sees every block.
        awaitSameAnswerQuietly();
    }

    private void awaitSameAnswerQuietly() throws Exception {
        JsonNode want = promApi.queryRange(WARM_UP, start, end, 3600);
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
        while (System.nanoTime() < deadline) {
            try {
                if (ClusterQueryBenchmark.sameAnswer(want, mnemoApi.queryRange(WARM_UP, start, end, 3600))) return;
            } catch (IllegalStateException notYet) {
                // syncing
            }
            Thread.sleep(1000);
        }
        throw new IllegalStateException("Mnemo did not answer the warm-up query as Prometheus after a restart");
    }

    /** Drops the kernel's page cache (root only); false when not permitted. */
    private static boolean dropPageCache() {
        try {
            new ProcessBuilder("sync").start().waitFor();
            Files.writeString(Path.of("/proc/sys/vm/drop_caches"), "3");
            return true;
        } catch (IOException | InterruptedException | SecurityException e) {
            return false;
        }
    }

    private static void stop(Process p) throws InterruptedException {
        if (p == null) return;
        p.destroy();
        if (!p.waitFor(60, TimeUnit.SECONDS)) p.destroyForcibly().waitFor();
    }

    private static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> files = Files.walk(from)) {
            for (Path f : (Iterable<Path>) files::iterator) {
                Path target = to.resolve(from.relativize(f).toString());
                if (Files.isDirectory(f)) Files.createDirectories(target);
                else Files.copy(f, target, StandardCopyOption.REPLACE_EXISTING);
            }
        }
    }

    private static double median(double[] xs) {
        double[] s = xs.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }
}
