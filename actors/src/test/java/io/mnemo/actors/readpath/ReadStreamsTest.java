package io.mnemo.actors.readpath;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.mnemo.tsdb.RegexTooComplexException;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.stream.Materializer;
import org.apache.pekko.stream.SourceRef;
import org.apache.pekko.stream.UniqueKillSwitch;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Answers as streams within one actor system: complete answers, failures by kind, cancellation, breaks. */
class ReadStreamsTest {
    static ActorSystem<Void> system;
    static Materializer mat;
    final Gauge open = Gauge.builder().name("open").register(new PrometheusRegistry());
    final Counter cancelled = Counter.builder().name("cancelled").register(new PrometheusRegistry());

    @BeforeAll
    static void start() {
        system = ActorSystem.create(Behaviors.empty(), "read-streams", ConfigFactory.parseString("""
                pekko.loglevel = WARNING
                mnemo.read-dispatcher { type = Dispatcher, executor = "thread-pool-executor", thread-pool-executor.fixed-pool-size = 2 }
                """).withFallback(ConfigFactory.load()));
        mat = Materializer.matFromSystem(system);
    }

    @AfterAll
    static void stop() {
        system.terminate();
    }

    /** count frames of one byte each, optionally blocking before frame {@code blockAt} until released, or failing there. */
    static final class Frames implements FrameSource {
        final int count;
        final int stopAt;
        final RuntimeException failure;
        final CompletableFuture<Void> release = new CompletableFuture<>();
        final AtomicBoolean closed = new AtomicBoolean();
        volatile String thread;
        int sent;

        Frames(int count, int stopAt, RuntimeException failure) {
            this.count = count;
            this.stopAt = stopAt;
            this.failure = failure;
        }

        public byte[] next() {
            thread = Thread.currentThread().getName();
            if (sent == stopAt) {
                if (failure != null) throw failure;
                release.join();
            }
            return sent < count ? new byte[] {(byte) sent++} : null;
        }

        public long items() { return sent; }

        public void close() { closed.set(true); }
    }

    SourceRef<StreamElement> serve(Frames frames) {
        return ReadStreams.serve("store s", () -> frames, open.labelValues(), cancelled.labelValues(), mat);
    }

    @Test
    void aCompleteAnswerEndsWithItsCountAndIsProducedOnTheReadDispatcher() throws Exception {
        Frames frames = new Frames(1000, -1, null);
        List<byte[]> got = new ArrayList<>();
        long items = ReadStreams.collect("store s", serve(frames), Duration.ofSeconds(5), got::add, k -> {}, mat)
                .toCompletableFuture().get(10, TimeUnit.SECONDS);
        assertEquals(1000, items);
        assertEquals(1000, got.size());
        assertEquals((byte) 999, got.get(999)[0]);
        assertTrue(frames.thread.contains("mnemo.read-dispatcher"), frames.thread);
        Await.until(() -> frames.closed.get() && open.get() == 0);
        assertEquals(0, cancelled.get());
    }

    @Test
    void aFailureWhileReadingArrivesAsItsKind() throws Exception {
        Frames frames = new Frames(10, 5, new RegexTooComplexException(io.mnemo.tsdb.LabelMatcher.regex("v", "(a|b)*"), 100_000));
        ExecutionException e = assertThrows(ExecutionException.class, () -> ReadStreams.collect("store s", serve(frames),
                Duration.ofSeconds(5), f -> {}, k -> {}, mat).toCompletableFuture().get(10, TimeUnit.SECONDS));
        ReadStreams.StoreFailedException failed = assertInstanceOf(ReadStreams.StoreFailedException.class, e.getCause());
        assertEquals(ReadError.Kind.BAD_QUERY, failed.error().kind());
        assertTrue(failed.error().message().startsWith("store s: the regular expression of v=~"), failed.error().message());
        Frames broken = new Frames(10, 5, new IllegalStateException("disk gone"));
        e = assertThrows(ExecutionException.class, () -> ReadStreams.collect("store s", serve(broken), Duration.ofSeconds(5),
                f -> {}, k -> {}, mat).toCompletableFuture().get(10, TimeUnit.SECONDS));
        assertEquals(ReadError.Kind.INTERNAL, ((ReadStreams.StoreFailedException) e.getCause()).error().kind());
        Await.until(() -> open.get() == 0);
        assertEquals(0, cancelled.get(), "a failure is not a cancellation");
    }

    @Test
    void cancellingTheQueryClosesTheStoresSide() throws Exception {
        Frames frames = new Frames(10_000, 3, null);
        AtomicReference<UniqueKillSwitch> kill = new AtomicReference<>();
        CompletableFuture<Long> result = ReadStreams.collect("store s", serve(frames), Duration.ofSeconds(30), f -> {},
                kill::set, mat).toCompletableFuture();
        Await.until(() -> open.get() == 1 && frames.sent == 3);
        kill.get().shutdown();
        frames.release.complete(null); // the read thread is let go; the stream is gone by then
        ExecutionException e = assertThrows(ExecutionException.class, () -> result.get(10, TimeUnit.SECONDS));
        assertInstanceOf(ReadStreams.IncompleteStreamException.class, e.getCause());
        Await.until(() -> frames.closed.get() && open.get() == 0);
        assertEquals(1, cancelled.get());
        assertTrue(frames.sent < 1000, "the store stopped early, its demand bounded: " + frames.sent);
    }

    @Test
    void aStalledStreamIsIncomplete() {
        Frames frames = new Frames(10, 2, null);
        ExecutionException e = assertThrows(ExecutionException.class, () -> ReadStreams.collect("store s", serve(frames),
                Duration.ofMillis(300), f -> {}, k -> {}, mat).toCompletableFuture().get(10, TimeUnit.SECONDS));
        assertInstanceOf(ReadStreams.IncompleteStreamException.class, e.getCause());
        frames.release.complete(null);
    }

    @Test
    void anExceptionFromTheFrameHandlerStopsTheStreamAsItIs() {
        Frames frames = new Frames(100, -1, null);
        IllegalStateException limit = new IllegalStateException("over the limit");
        ExecutionException e = assertThrows(ExecutionException.class, () -> ReadStreams.collect("store s", serve(frames),
                Duration.ofSeconds(5), f -> {
                    if (f[0] == 10) throw limit;
                }, k -> {}, mat).toCompletableFuture().get(10, TimeUnit.SECONDS));
        assertEquals(limit, e.getCause());
    }

    /** Polls a condition for up to 10 s. */
    static final class Await {
        static void until(java.util.function.BooleanSupplier condition) throws InterruptedException {
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (!condition.getAsBoolean()) {
                if (System.nanoTime() > deadline) throw new AssertionError("condition not met within 10 s");
                Thread.sleep(10);
            }
        }
    }
}
