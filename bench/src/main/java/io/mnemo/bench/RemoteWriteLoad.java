package io.mnemo.bench;

import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.BrokenBarrierException;
import java.util.concurrent.Callable;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * Remote-write load generator: pushes a synthetic workload to a Prometheus remote write 1.0
 * endpoint (Mnemo's, Mimir's, Prometheus') and reports throughput and push latency.
 *
 * <p>All bodies are encoded before the clock starts ({@link PushRequests}). The replay then sends
 * round after round, each round fully acknowledged before the next begins, so every series
 * receives its samples in time order and no sample is out of order for the receiver. Within a
 * round, {@code concurrency} senders take requests from a shared cursor.
 *
 * <p>Use it from the command line ({@link #main}) or as a library ({@link #run(Config)}).
 */
@Command(name = "remote-write-load", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Pushes synthetic series to a Prometheus remote write endpoint and reports samples/s "
                + "and push latency. Exits non-zero if any push failed.")
public final class RemoteWriteLoad implements Callable<Integer> {

    /**
     * One load run.
     *
     * @param url               the push endpoint, e.g. {@code http://localhost:8080/api/v1/push}
     * @param tenant            sent as {@code X-Scope-OrgID}
     * @param series            number of distinct series
     * @param samples           samples per series (= rounds)
     * @param samplesPerRequest series per push request (each carries one sample)
     * @param concurrency       concurrent senders (HTTP/1.1 connections)
     * @param interval          time between a series' samples; the last sample is stamped "now"
     * @param requestTimeout    limit for one push, after which it counts as failed
     */
    public record Config(URI url, String tenant, int series, int samples, int samplesPerRequest, int concurrency,
                         Duration interval, Duration requestTimeout) {
        public Config {
            if (series < 1 || samples < 1 || samplesPerRequest < 1 || concurrency < 1) {
                throw new IllegalArgumentException("series, samples, samples-per-request and concurrency must be "
                        + "at least 1 (got " + series + ", " + samples + ", " + samplesPerRequest + ", "
                        + concurrency + ")");
            }
            if (interval.isNegative() || interval.isZero() || requestTimeout.isNegative() || requestTimeout.isZero()) {
                throw new IllegalArgumentException("interval and request timeout must be positive");
            }
        }

        /** The command line's defaults, pushing to {@code url}. */
        public static Config defaults(URI url) {
            return new Config(url, "bench", 100_000, 20, 2000, 4, Duration.ofSeconds(15), Duration.ofSeconds(30));
        }
    }

    /**
     * What a run achieved. Latencies are over all requests, failed ones included.
     *
     * @param firstError the first failure, {@code "HTTP <status>: <body>"} or the I/O error; null if none
     */
    public record Result(long samplesSent, long samplesAcknowledged, int requests, int failedRequests,
                         long bytesSent, Duration encodeTime, Duration wallTime, double samplesPerSecond,
                         Duration p50, Duration p90, Duration p99, Duration max, String firstError) {
        public boolean ok() {
            return failedRequests == 0;
        }
    }

    @Option(names = "--url", defaultValue = "http://localhost:8080/api/v1/push",
            description = "Remote write endpoint (default: ${DEFAULT-VALUE}).")
    URI url;
    @Option(names = "--tenant", defaultValue = "bench", description = "X-Scope-OrgID (default: ${DEFAULT-VALUE}).")
    String tenant;
    @Option(names = "--series", defaultValue = "100000", description = "Distinct series (default: ${DEFAULT-VALUE}).")
    int series;
    @Option(names = "--samples", defaultValue = "20", description = "Samples per series (default: ${DEFAULT-VALUE}).")
    int samples;
    @Option(names = "--samples-per-request", defaultValue = "2000",
            description = "Samples in one push (default: ${DEFAULT-VALUE}).")
    int samplesPerRequest;
    @Option(names = "--concurrency", defaultValue = "4",
            description = "Concurrent senders (default: ${DEFAULT-VALUE}).")
    int concurrency;
    @Option(names = "--interval", defaultValue = "15s", converter = DurationConverter.class,
            description = "Time between a series' samples, e.g. 15s, 500ms, 1m (default: ${DEFAULT-VALUE}).")
    Duration interval;
    @Option(names = "--timeout", defaultValue = "30s", converter = DurationConverter.class,
            description = "Timeout of one push (default: ${DEFAULT-VALUE}).")
    Duration timeout;

    public static void main(String[] args) {
        System.exit(new CommandLine(new RemoteWriteLoad()).execute(args));
    }

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws InterruptedException {
        Config config;
        try {
            config = new Config(url, tenant, series, samples, samplesPerRequest, concurrency, interval, timeout);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
        PrintStream out = System.out;
        out.printf(Locale.ROOT, "encoding %d series x %d samples, %d samples per request ...%n",
                config.series(), config.samples(), config.samplesPerRequest());
        Result result = run(config);
        report(config, result, out);
        return result.ok() ? 0 : 1;
    }

    /** Encodes the workload, then replays it against {@code config.url()}; blocks until done. */
    public static Result run(Config config) throws InterruptedException {
        long encodeStart = System.nanoTime();
        PushRequests pushes = PushRequests.encode(config.series(), config.samples(), config.samplesPerRequest(),
                System.currentTimeMillis(), config.interval().toMillis());
        Duration encodeTime = Duration.ofNanos(System.nanoTime() - encodeStart);
        return new Replay(config, pushes).run(encodeTime);
    }

    /** Replays pushes encoded once (e.g. the same load against several systems); blocks until done. */
    static Result replay(Config config, PushRequests pushes) throws InterruptedException {
        return new Replay(config, pushes).run(Duration.ZERO);
    }

    /** Sends pre-encoded pushes round by round and records the outcome of each. */
    private static final class Replay {
        private final Config config;
        private final PushRequests pushes;
        private final HttpClient client;
        private final HttpRequest[][] requests;
        /** Latency of request k of the run in slot k: no sharing between senders, sorted at the end. */
        private final long[] latencies;
        private final LongAdder acknowledged = new LongAdder();
        private final AtomicInteger failed = new AtomicInteger();
        private final AtomicReference<String> firstError = new AtomicReference<>();
        private final AtomicInteger round = new AtomicInteger();
        private final AtomicInteger cursor = new AtomicInteger();

        Replay(Config config, PushRequests pushes) {
            this.config = config;
            this.pushes = pushes;
            this.client = HttpClient.newBuilder()
                    .version(HttpClient.Version.HTTP_1_1)
                    .connectTimeout(config.requestTimeout())
                    .build();
            // Request objects are immutable and reusable: build them before the clock too.
            this.requests = new HttpRequest[pushes.rounds()][];
            for (int r = 0; r < pushes.rounds(); r++) {
                requests[r] = new HttpRequest[pushes.requests(r)];
                for (int i = 0; i < requests[r].length; i++) {
                    requests[r][i] = HttpRequest.newBuilder(config.url())
                            .timeout(config.requestTimeout())
                            .header("Content-Encoding", "snappy")
                            .header("Content-Type", "application/x-protobuf")
                            .header("X-Prometheus-Remote-Write-Version", "0.1.0")
                            .header("X-Scope-OrgID", config.tenant())
                            .header("User-Agent", "mnemo-bench/remote-write-load")
                            .POST(HttpRequest.BodyPublishers.ofByteArray(pushes.body(r, i)))
                            .build();
                }
            }
            this.latencies = new long[pushes.totalRequests()];
        }

        Result run(Duration encodeTime) throws InterruptedException {
            // The barrier action runs once every sender finished the round, before any is released.
            CyclicBarrier roundDone = new CyclicBarrier(config.concurrency(), () -> {
                cursor.set(0);
                round.incrementAndGet();
            });
            Thread[] senders = new Thread[config.concurrency()];
            long start = System.nanoTime();
            for (int k = 0; k < senders.length; k++) {
                senders[k] = new Thread(() -> sendRounds(roundDone), "push-sender-" + k);
                senders[k].start();
            }
            try {
                for (Thread sender : senders) {
                    sender.join();
                }
            } catch (InterruptedException e) {
                for (Thread sender : senders) {
                    sender.interrupt();
                }
                throw e;
            }
            long wallNanos = System.nanoTime() - start;

            long[] sorted = latencies.clone();
            Arrays.sort(sorted);
            long samplesAcked = acknowledged.sum();
            return new Result(pushes.totalSamples(), samplesAcked, pushes.totalRequests(), failed.get(),
                    pushes.totalBytes(), encodeTime,
                    Duration.ofNanos(wallNanos), samplesAcked / (wallNanos / 1e9),
                    percentile(sorted, 0.50), percentile(sorted, 0.90), percentile(sorted, 0.99),
                    percentile(sorted, 1.0), firstError.get());
        }

        private void sendRounds(CyclicBarrier roundDone) {
            try {
                for (int r; (r = round.get()) < pushes.rounds(); ) {
                    for (int i; (i = cursor.getAndIncrement()) < requests[r].length; ) {
                        send(r, i);
                    }
                    roundDone.await();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                roundDone.reset();
            } catch (BrokenBarrierException e) {
                // Another sender was interrupted: the run is being abandoned.
            }
        }

        private void send(int r, int i) throws InterruptedException {
            long begin = System.nanoTime();
            String error;
            try {
                HttpResponse<String> response = client.send(requests[r][i], HttpResponse.BodyHandlers.ofString());
                if (response.statusCode() / 100 == 2) {
                    acknowledged.add(pushes.samples(r, i));
                    error = null;
                } else {
                    error = "HTTP " + response.statusCode() + ": " + response.body().strip();
                }
            } catch (InterruptedException e) {
                throw e;
            } catch (Exception e) {
                error = describe(e);
            }
            latencies[pushes.firstRequest(r) + i] = System.nanoTime() - begin;
            if (error != null) {
                failed.incrementAndGet();
                firstError.compareAndSet(null, error);
            }
        }
    }

    /** The exception and the first message along its causes (a refused connection has none itself). */
    private static String describe(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t.getMessage() != null) {
                return e.getClass().getSimpleName() + ": " + t.getMessage();
            }
        }
        return e.getClass().getSimpleName() + " (to an unreachable or refusing endpoint?)";
    }

    /** Nearest-rank percentile of sorted nanosecond latencies. */
    static Duration percentile(long[] sorted, double q) {
        if (sorted.length == 0) {
            return Duration.ZERO;
        }
        int rank = (int) Math.ceil(q * sorted.length);
        return Duration.ofNanos(sorted[Math.max(0, Math.min(sorted.length, rank) - 1)]);
    }

    static void report(Config config, Result result, PrintStream out) {
        out.printf(Locale.ROOT, "encoded %d samples into %d requests (%.1f MiB snappy) in %.2f s%n",
                result.samplesSent(), result.requests(), result.bytesSent() / 1048576.0,
                result.encodeTime().toNanos() / 1e9);
        out.printf(Locale.ROOT, "pushed to %s as tenant %s with %d senders, %d rounds%n",
                config.url(), config.tenant(), config.concurrency(), config.samples());
        out.printf(Locale.ROOT, "samples acknowledged: %d of %d (%d requests, %d failed)%n",
                result.samplesAcknowledged(), result.samplesSent(), result.requests(), result.failedRequests());
        out.printf(Locale.ROOT, "wall time:            %.3f s%n", result.wallTime().toNanos() / 1e9);
        out.printf(Locale.ROOT, "throughput:           %.0f samples/s%n", result.samplesPerSecond());
        out.printf(Locale.ROOT, "push latency:         p50 %s  p90 %s  p99 %s  max %s%n",
                millis(result.p50()), millis(result.p90()), millis(result.p99()), millis(result.max()));
        if (result.firstError() != null) {
            String error = result.firstError();
            out.println("first error:          " + (error.length() > 2000 ? error.substring(0, 2000) + " ..." : error));
        }
    }

    private static String millis(Duration d) {
        return String.format(Locale.ROOT, "%.1f ms", d.toNanos() / 1e6);
    }

    /** Parses {@code 250ms}, {@code 15s}, {@code 1m}, {@code 2h}, or ISO-8601 ({@code PT15S}). */
    static final class DurationConverter implements CommandLine.ITypeConverter<Duration> {
        private static final Pattern SHORT = Pattern.compile("(\\d+)(ms|s|m|h)");

        @Override
        public Duration convert(String value) {
            Matcher m = SHORT.matcher(value.trim());
            if (!m.matches()) {
                return Duration.parse(value.trim());
            }
            long n = Long.parseLong(m.group(1));
            return switch (m.group(2)) {
                case "ms" -> Duration.ofMillis(n);
                case "s" -> Duration.ofSeconds(n);
                case "m" -> Duration.ofMinutes(n);
                default -> Duration.ofHours(n);
            };
        }
    }
}
